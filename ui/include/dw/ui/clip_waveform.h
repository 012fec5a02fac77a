// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Waveform of one clip (QCustomPlot): time in seconds on x, amplitude (full scale = 1) on y.
// Dragging with the left button selects a time range (used to crop); a click clears it.
// GUI thread only.

#include <qcustomplot.h>

#include <cstdint>
#include <span>
#include <utility>

namespace dw::ui {

class ClipWaveform : public QCustomPlot
{
    Q_OBJECT
public:
    explicit ClipWaveform(QWidget* parent = nullptr);

    void setSamples(std::span<const int16_t> samples, int sampleRate = 16000);
    void clearClip(const QString& message = {});
    int sampleCount() const { return m_samples; }
    int sampleRate() const { return m_rate; }

    // Selection in samples, [begin, end); empty (begin == end) when nothing is selected.
    std::pair<int, int> selection() const { return {m_selBegin, m_selEnd}; }
    bool hasSelection() const { return m_selEnd > m_selBegin; }
    void setSelection(int begin, int end);
    void clearSelection() { setSelection(0, 0); }

    // Playback cursor in samples; negative hides it.
    void setPlayhead(int sample);

Q_SIGNALS:
    void selectionChanged(int begin, int end);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    int sampleAt(double pixelX) const;
    void updateSelectionItem();

    QCPGraph* m_graph = nullptr;
    QCPItemRect* m_selItem = nullptr;
    QCPItemStraightLine* m_playhead = nullptr;
    QCPItemText* m_message = nullptr;
    int m_samples = 0;
    int m_rate = 16000;
    int m_selBegin = 0;
    int m_selEnd = 0;
    int m_dragAnchor = -1;
};

// Applies the plot style shared by all dataset plots (fonts, grid, colours).
void styleDatasetPlot(QCustomPlot* plot);

} // namespace dw::ui
