// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Horizontal input level meter in dBFS (-60 .. 0): a green/amber/red bar for the current peak,
// a thin RMS bar inside it, and a peak-hold tick that stays 1.5 s then falls at 20 dB/s.
// Clipping (>= -0.5 dBFS) keeps a red "CLIP" mark until reset(). GUI thread only.

#include <QElapsedTimer>
#include <QWidget>

namespace dw::ui {

class LevelMeter : public QWidget
{
    Q_OBJECT
public:
    explicit LevelMeter(QWidget* parent = nullptr);

    // Feeds one measurement (dBFS); call at the drain rate.
    void setLevel(double peakDb, double rmsDb);
    void reset();

    double peakDb() const { return m_peak; }
    double holdDb() const { return m_hold; }
    bool clipped() const { return m_clipped; }

    QSize sizeHint() const override { return {320, 26}; }
    QSize minimumSizeHint() const override { return {120, 22}; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    double m_peak = -120.0;
    double m_rms = -120.0;
    double m_hold = -120.0;
    bool m_clipped = false;
    QElapsedTimer m_holdSince;
    QElapsedTimer m_lastUpdate;
};

} // namespace dw::ui
