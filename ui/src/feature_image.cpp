// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/feature_image.h"

#include "dw/ui/clip_waveform.h"

#include <algorithm>

namespace dw::ui {

QCPColorGradient featureGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.50, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.00, QColor(253, 231, 37));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    return g;
}

FeatureImage::FeatureImage(QWidget* parent) : QCustomPlot(parent)
{
    styleDatasetPlot(this);
    xAxis->setLabel(tr("Time (s)"));
    yAxis->setLabel(tr("Coefficient"));
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);
    // Coefficients and filters are whole numbers: no "12.5" ticks.
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1.0);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    whole->setTickCount(6);
    yAxis->setTicker(whole);
    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setGradient(featureGradient());
    m_map->setInterpolate(false);
    m_scale = new QCPColorScale(this);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(10);
    m_scale->axis()->setTickLabelFont(xAxis->tickLabelFont());
    m_scale->axis()->setTickLabelColor(QColor("#404040"));
    m_scale->axis()->setBasePen(QPen(QColor("#606770")));
    m_scale->axis()->setTickPen(QPen(QColor("#606770")));
    m_scale->axis()->setSubTickPen(QPen(QColor("#606770")));
    plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale);
    // Linking adopts the scale's gradient: set ours afterwards, on the scale.
    m_scale->setGradient(featureGradient());
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_message = new QCPItemText(this);
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setColor(QColor("#808080"));
    setMinimumHeight(140);
    showMessage(tr("Select a clip to see its features"));
}

void FeatureImage::setFeatures(const dw::FeatureMatrix& f, const dw::FeatureConfig& config)
{
    m_frames = f.frames;
    m_coeffs = f.coeffs;
    if (f.frames <= 0 || f.coeffs <= 0 || f.data.size() < size_t(f.frames) * f.coeffs) {
        showMessage(tr("No features"));
        return;
    }
    const double stride = config.frame_stride > 0 ? config.frame_stride : 0.02;
    const double frameLen = config.frame_length > 0 ? config.frame_length : stride;
    auto* data = m_map->data();
    // Cell centres: frame i is centred at i*stride + frame_length/2; coefficient j at j.
    const double t0 = frameLen / 2.0;
    const double t1 = t0 + stride * (f.frames - 1);
    data->setSize(f.frames, f.coeffs);
    data->setRange(QCPRange(t0, std::max(t1, t0 + 1e-6)), QCPRange(0, std::max(f.coeffs - 1, 1)));
    float lo = f.data[0], hi = f.data[0];
    for (int i = 0; i < f.frames; ++i)
        for (int j = 0; j < f.coeffs; ++j) {
            const float v = f.at(i, j);
            data->setCell(i, j, v);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    m_map->setDataRange(QCPRange(lo, hi > lo ? hi : lo + 1.0f));
    m_map->setVisible(true);
    m_scale->setVisible(true);
    m_message->setVisible(false);
    yAxis->setLabel(config.kind == "mfe" ? tr("Mel filter") : tr("Coefficient"));
    xAxis->setRange(0, t1 + frameLen / 2.0);
    yAxis->setRange(-0.5, f.coeffs - 0.5);
    replot();
}

void FeatureImage::showMessage(const QString& message)
{
    m_frames = m_coeffs = 0;
    m_map->data()->clear();
    m_map->setVisible(false);
    m_message->setText(message);
    m_message->setVisible(true);
    xAxis->setRange(0, 1);
    yAxis->setRange(0, 13);
    replot();
}

} // namespace dw::ui
