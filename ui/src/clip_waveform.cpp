// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/clip_waveform.h"

#include <algorithm>

namespace dw::ui {

void styleDatasetPlot(QCustomPlot* plot)
{
    QFont tick = plot->font();
    tick.setPointSizeF(8.5);
    QFont label = plot->font();
    label.setPointSizeF(9);
    const QColor axisColor("#606770");
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTickLabelFont(tick);
        axis->setLabelFont(label);
        axis->setBasePen(QPen(axisColor));
        axis->setTickPen(QPen(axisColor));
        axis->setSubTickPen(QPen(axisColor));
        axis->setTickLabelColor(QColor("#404040"));
        axis->setLabelColor(QColor("#303030"));
        axis->grid()->setPen(QPen(QColor("#e4e7eb"), 1, Qt::SolidLine));
        axis->grid()->setZeroLinePen(QPen(QColor("#c8ccd2"), 1));
    }
    plot->setBackground(QBrush(Qt::white));
}

ClipWaveform::ClipWaveform(QWidget* parent) : QCustomPlot(parent)
{
    styleDatasetPlot(this);
    xAxis->setLabel(tr("Time (s)"));
    yAxis->setLabel(tr("Amplitude"));
    yAxis->setRange(-1.05, 1.05);
    xAxis->setRange(0, 1);
    m_graph = addGraph();
    m_graph->setPen(QPen(QColor("#2f6fb3"), 1));
    // No fill under the curve: with adaptive sampling the line already draws each pixel
    // column's min..max, and filling the 16,000-sample zig-zag polygon took 17-40 ms of the GUI
    // thread per clip selection (the line alone: ~1 ms).
    m_graph->setAdaptiveSampling(true);

    m_selItem = new QCPItemRect(this);
    m_selItem->setPen(QPen(QColor("#e08a1e"), 1.5));
    m_selItem->setBrush(QColor(224, 138, 30, 50));
    m_selItem->setVisible(false);
    m_selItem->setSelectable(false);

    m_playhead = new QCPItemStraightLine(this);
    m_playhead->setPen(QPen(QColor("#c0392b"), 1.5));
    m_playhead->setVisible(false);

    m_message = new QCPItemText(this);
    m_message->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_message->position->setCoords(0.5, 0.5);
    m_message->setColor(QColor("#808080"));
    m_message->setVisible(false);
    setMinimumHeight(140);
    setToolTip(tr("Drag to select a range (used by Crop); click to clear the selection"));
}

void ClipWaveform::setSamples(std::span<const int16_t> samples, int sampleRate)
{
    m_rate = sampleRate > 0 ? sampleRate : 16000;
    m_samples = int(samples.size());
    QVector<double> x(m_samples), y(m_samples);
    double peak = 0.0;
    for (int i = 0; i < m_samples; ++i) {
        x[i] = double(i) / m_rate;
        y[i] = samples[size_t(i)] / 32768.0;
        peak = std::max(peak, std::abs(y[i]));
    }
    m_graph->setData(x, y, true);
    xAxis->setRange(0, std::max(1.0, double(m_samples) / m_rate));
    // Quiet clips are scaled up so their shape is visible; loud ones keep full scale.
    const double span = peak > 0.0 ? std::min(1.05, std::max(0.05, peak * 1.15)) : 1.05;
    yAxis->setRange(-span, span);
    m_message->setVisible(m_samples == 0);
    if (m_samples == 0)
        m_message->setText(tr("Clip has no samples"));
    m_selBegin = m_selEnd = 0;
    updateSelectionItem();
    replot();
}

void ClipWaveform::clearClip(const QString& message)
{
    m_samples = 0;
    m_graph->data()->clear();
    m_selBegin = m_selEnd = 0;
    updateSelectionItem();
    m_playhead->setVisible(false);
    m_message->setText(message.isEmpty() ? tr("Select a clip to see its waveform") : message);
    m_message->setVisible(true);
    xAxis->setRange(0, 1);
    yAxis->setRange(-1.05, 1.05);
    replot();
}

void ClipWaveform::setSelection(int begin, int end)
{
    begin = std::clamp(begin, 0, m_samples);
    end = std::clamp(end, 0, m_samples);
    if (end < begin)
        std::swap(begin, end);
    if (begin == m_selBegin && end == m_selEnd)
        return;
    m_selBegin = begin;
    m_selEnd = end;
    updateSelectionItem();
    replot();
    Q_EMIT selectionChanged(m_selBegin, m_selEnd);
}

void ClipWaveform::setPlayhead(int sample)
{
    m_playhead->setVisible(sample >= 0 && m_samples > 0);
    const double t = double(std::max(sample, 0)) / m_rate;
    m_playhead->point1->setCoords(t, 0);
    m_playhead->point2->setCoords(t, 1);
    replot(QCustomPlot::rpQueuedReplot);
}

int ClipWaveform::sampleAt(double pixelX) const
{
    const double t = xAxis->pixelToCoord(pixelX);
    return std::clamp(int(std::lround(t * m_rate)), 0, m_samples);
}

void ClipWaveform::updateSelectionItem()
{
    const bool on = m_selEnd > m_selBegin;
    m_selItem->setVisible(on);
    if (on) {
        m_selItem->topLeft->setCoords(double(m_selBegin) / m_rate, yAxis->range().upper);
        m_selItem->bottomRight->setCoords(double(m_selEnd) / m_rate, yAxis->range().lower);
    }
}

void ClipWaveform::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && m_samples > 0
        && axisRect()->rect().contains(event->pos())) {
        m_dragAnchor = sampleAt(event->position().x());
        event->accept();
        return;
    }
    QCustomPlot::mousePressEvent(event);
}

void ClipWaveform::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragAnchor >= 0) {
        const int s = sampleAt(event->position().x());
        setSelection(std::min(s, m_dragAnchor), std::max(s, m_dragAnchor));
        event->accept();
        return;
    }
    QCustomPlot::mouseMoveEvent(event);
}

void ClipWaveform::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_dragAnchor >= 0 && event->button() == Qt::LeftButton) {
        const int s = sampleAt(event->position().x());
        // A click (under ~3 px of movement) clears; a drag selects.
        if (std::abs(s - m_dragAnchor) * xAxis->axisRect()->width()
            < 3.0 * std::max(1, m_samples))
            clearSelection();
        else
            setSelection(std::min(s, m_dragAnchor), std::max(s, m_dragAnchor));
        m_dragAnchor = -1;
        event->accept();
        return;
    }
    QCustomPlot::mouseReleaseEvent(event);
}

} // namespace dw::ui
