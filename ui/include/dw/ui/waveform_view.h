// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recording page's waveform (QCustomPlot): a min/max envelope of the session (10 ms
// buckets, so a 60 s session is 6,000 points however long it gets), scrolling during recording,
// with the proposed clips drawn as regions that can be selected and dragged along the time axis.
// Appending is O(new samples). Each replot draws at most one min/max pair per pixel column of
// the visible range (the envelope is reduced just before the replot), so a whole session costs
// no more to draw than a few seconds of it. GUI thread only.

#include <qcustomplot.h>

#include <cstdint>
#include <span>
#include <vector>

namespace dw::ui {

struct WaveRegion {
    int64_t start = 0; // samples
    int length = 16000;
    QString label;
    bool keep = true;
};

class WaveformView : public QCustomPlot
{
    Q_OBJECT
public:
    explicit WaveformView(QWidget* parent = nullptr);

    void setSampleRate(int rate) { m_rate = rate; }
    // Live mode: the x axis follows the last `seconds` of audio.
    void setLive(bool live, double seconds = 6.0);
    void clearSamples();
    void appendSamples(std::span<const int16_t> samples);
    void setSamples(std::span<const int16_t> samples); // replaces everything, shows it all
    int64_t sampleCount() const { return m_total; }
    int pointCount() const; // envelope points (10 ms buckets) of the session
    int drawnPointCount() const; // points handed to the graphs by the last replot

    // The regions are current at once; when their number changes, their plot items follow on the
    // next event-loop pass (a restyle of the same number of regions is immediate).
    void setRegions(const std::vector<WaveRegion>& regions);
    bool regionItemsReady() const;
    const std::vector<WaveRegion>& regions() const { return m_regions; }
    void setSelectedRegion(int index);
    int selectedRegion() const { return m_selected; }

    // Large centred text over the plot (countdown, "no utterances found"); empty hides it.
    void setOverlay(const QString& text, const QColor& color = QColor(200, 40, 40));
    QString overlay() const;

    // Requests a (coalesced) repaint.
    void refresh() { replot(QCustomPlot::rpQueuedReplot); }

Q_SIGNALS:
    void regionClicked(int index);
    void regionMoved(int index, qint64 start); // while dragging
    void emptyClicked();

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void flushBucket();
    void reduceForView(); // fills the graphs from the envelope for the visible range
    void rebuildRegionItems();
    void styleRegion(int index);
    int64_t sampleAtPixel(double x) const;
    int regionAt(int64_t sample) const;

    std::vector<double> m_envTime; // seconds, bucket centres (ascending)
    std::vector<float> m_envMin;   // full scale, per bucket
    std::vector<float> m_envMax;
    QCPGraph* m_upper = nullptr;
    QCPGraph* m_lower = nullptr;
    QCPItemText* m_overlay = nullptr;
    std::vector<QCPItemRect*> m_regionItems;
    std::vector<QCPItemText*> m_regionLabels;
    std::vector<WaveRegion> m_regions;
    int m_selected = -1;
    bool m_rebuildPending = false;
    int m_rate = 16000;
    int m_bucket = 160; // samples per envelope point (10 ms at 16 kHz)
    int64_t m_total = 0;
    int m_pendingCount = 0;
    int m_pendingMin = 0;
    int m_pendingMax = 0;
    bool m_live = false;
    double m_liveSeconds = 6.0;
    int m_drag = -1;
    int64_t m_dragOffset = 0;
};

} // namespace dw::ui
