// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/level_meter.h"

#include <QPainter>

#include <algorithm>

namespace dw::ui {

namespace {
constexpr double kFloorDb = -60.0;
double fraction(double db)
{
    return std::clamp((db - kFloorDb) / -kFloorDb, 0.0, 1.0);
}
} // namespace

LevelMeter::LevelMeter(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Input level (dBFS). Aim for peaks between -20 and -6 dB; red means clipping."));
    m_holdSince.start();
    m_lastUpdate.start();
}

void LevelMeter::reset()
{
    m_peak = m_rms = m_hold = -120.0;
    m_clipped = false;
    update();
}

void LevelMeter::setLevel(double peakDb, double rmsDb)
{
    const double dt = m_lastUpdate.restart() / 1000.0;
    m_peak = peakDb;
    m_rms = rmsDb;
    if (peakDb >= m_hold) {
        m_hold = peakDb;
        m_holdSince.restart();
    } else if (m_holdSince.elapsed() > 1500) {
        // Hold for 1.5 s, then fall at 20 dB/s (a peak is readable, not frozen).
        m_hold = std::max(peakDb, m_hold - 20.0 * dt);
    }
    if (peakDb >= -0.5)
        m_clipped = true;
    update();
}

void LevelMeter::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QRect r = rect().adjusted(0, 0, -1, -1);
    const int clipW = 34;
    const QRect bar = r.adjusted(0, 0, -clipW - 4, 0);
    p.fillRect(bar, QColor(38, 42, 48));

    QLinearGradient g(bar.topLeft(), bar.topRight());
    g.setColorAt(0.0, QColor(46, 160, 67));
    g.setColorAt(fraction(-12.0), QColor(76, 187, 23));
    g.setColorAt(fraction(-6.0), QColor(240, 180, 30));
    g.setColorAt(1.0, QColor(220, 50, 47));
    const int w = int(bar.width() * fraction(m_peak));
    p.fillRect(QRect(bar.left(), bar.top() + 2, w, bar.height() - 3), g);
    const int rw = int(bar.width() * fraction(m_rms));
    p.fillRect(QRect(bar.left(), bar.center().y() - 1, rw, 3), QColor(255, 255, 255, 140));

    // dB ticks every 10 dB.
    p.setPen(QColor(255, 255, 255, 70));
    for (int db = -50; db < 0; db += 10) {
        const int x = bar.left() + int(bar.width() * fraction(db));
        p.drawLine(x, bar.top(), x, bar.bottom());
    }
    if (m_hold > kFloorDb) {
        const int x = bar.left() + int(bar.width() * fraction(m_hold));
        p.fillRect(QRect(x - 1, bar.top(), 3, bar.height() + 1), QColor(255, 255, 255));
    }
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    p.setFont(f);
    p.setPen(QColor(230, 230, 230));
    const QString txt = m_hold > -119.0 ? QString::number(m_hold, 'f', 1) + " dB" : "-inf dB";
    p.drawText(bar.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignRight, txt);

    const QRect clip(r.right() - clipW, r.top(), clipW, r.height());
    p.fillRect(clip, m_clipped ? QColor(220, 50, 47) : QColor(70, 74, 80));
    p.setPen(m_clipped ? Qt::white : QColor(150, 150, 150));
    p.drawText(clip, Qt::AlignCenter, "CLIP");
}

} // namespace dw::ui
