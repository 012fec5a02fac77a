// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/waveform_view.h"

#include <QTimer>

#include <algorithm>

namespace dw::ui {

namespace {
const QColor kWave(31, 119, 180);
const QColor kKeep(44, 160, 44);
const QColor kSelected(255, 127, 14);
const QColor kDropped(150, 150, 150);
} // namespace

WaveformView::WaveformView(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumHeight(200);
    setNoAntialiasingOnDrag(true);
    setNotAntialiasedElements(QCP::aeAll); // envelopes with thousands of points: speed first
    xAxis->setLabel(tr("Time (s)"));
    yAxis->setLabel(tr("Amplitude (full scale)"));
    yAxis->setRange(-1.05, 1.05);
    xAxis->setRange(0, 6);
    for (QCPAxis* a : {xAxis, yAxis}) {
        a->grid()->setPen(QPen(QColor(225, 225, 225)));
        a->setBasePen(QPen(QColor(120, 120, 120)));
        a->setTickPen(QPen(QColor(120, 120, 120)));
        a->setSubTickPen(QPen(QColor(160, 160, 160)));
    }
    QSharedPointer<QCPAxisTickerFixed> yTicker(new QCPAxisTickerFixed);
    yTicker->setTickStep(0.5);
    yAxis->setTicker(yTicker);
    axisRect()->setBackground(QColor(252, 252, 253));

    m_upper = addGraph();
    m_lower = addGraph();
    for (QCPGraph* g : {m_upper, m_lower}) {
        g->setPen(QPen(kWave, 1.0));
        g->setAdaptiveSampling(true);
    }
    // Opaque fills (the envelope on top, the regions on the background layer beneath it) look
    // like the former translucent ones over the white plot but skip alpha blending, a large
    // part of the cost of replotting a whole session.
    m_upper->setBrush(QColor(122, 174, 210));
    m_upper->setChannelFillGraph(m_lower);
    // A channel fill over thousands of zig-zag points costs ~15 ms per replot in the raster
    // engine; reduced to one point per pixel column it costs well under 1 ms.
    connect(this, &QCustomPlot::beforeReplot, this, &WaveformView::reduceForView);

    m_overlay = new QCPItemText(this);
    m_overlay->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_overlay->position->setCoords(0.5, 0.5);
    m_overlay->setPositionAlignment(Qt::AlignCenter);
    QFont f = font();
    f.setPointSize(28);
    f.setBold(true);
    m_overlay->setFont(f);
    m_overlay->setVisible(false);
    m_overlay->setClipToAxisRect(true);
}

void WaveformView::setLive(bool live, double seconds)
{
    m_live = live;
    m_liveSeconds = seconds;
}

void WaveformView::clearSamples()
{
    m_envTime.clear();
    m_envMin.clear();
    m_envMax.clear();
    m_total = 0;
    m_pendingCount = 0;
    xAxis->setRange(0, m_live ? m_liveSeconds : 1.0);
    refresh();
}

void WaveformView::flushBucket()
{
    const double t = double(m_total - m_pendingCount / 2) / m_rate;
    m_envTime.push_back(t);
    m_envMax.push_back(float(std::max(m_pendingMax, 1) / 32768.0));
    m_envMin.push_back(float(std::min(m_pendingMin, -1) / 32768.0));
    m_pendingCount = 0;
}

void WaveformView::reduceForView()
{
    const QCPRange range = xAxis->range();
    const auto first = std::lower_bound(m_envTime.begin(), m_envTime.end(), range.lower);
    const auto last = std::upper_bound(m_envTime.begin(), m_envTime.end(), range.upper);
    size_t i0 = size_t(first - m_envTime.begin());
    size_t i1 = size_t(last - m_envTime.begin());
    // One point beyond each edge so the envelope reaches the axis rect's borders.
    i0 = i0 > 0 ? i0 - 1 : 0;
    i1 = std::min(m_envTime.size(), i1 + 1);
    const size_t visible = i1 - i0;
    const int columns = std::max(1, axisRect()->width());
    const size_t step = std::max<size_t>(1, (visible + size_t(columns) - 1) / size_t(columns));
    QVector<double> t, hi, lo;
    const size_t n = (visible + step - 1) / step;
    t.reserve(qsizetype(n));
    hi.reserve(qsizetype(n));
    lo.reserve(qsizetype(n));
    for (size_t b = i0; b < i1; b += step) {
        const size_t e = std::min(i1, b + step);
        float mx = m_envMax[b], mn = m_envMin[b];
        for (size_t k = b + 1; k < e; ++k) {
            mx = std::max(mx, m_envMax[k]);
            mn = std::min(mn, m_envMin[k]);
        }
        t.push_back(m_envTime[(b + e - 1) / 2]);
        hi.push_back(mx);
        lo.push_back(mn);
    }
    m_upper->setData(t, hi, true);
    m_lower->setData(t, lo, true);
}

int WaveformView::drawnPointCount() const
{
    return m_upper->dataCount();
}

void WaveformView::appendSamples(std::span<const int16_t> samples)
{
    m_bucket = std::max(1, m_rate / 100);
    for (int16_t s : samples) {
        if (m_pendingCount == 0)
            m_pendingMin = m_pendingMax = s;
        m_pendingMin = std::min<int>(m_pendingMin, s);
        m_pendingMax = std::max<int>(m_pendingMax, s);
        ++m_pendingCount;
        ++m_total;
        if (m_pendingCount >= m_bucket)
            flushBucket();
    }
    const double now = double(m_total) / m_rate;
    if (m_live)
        xAxis->setRange(std::max(0.0, now - m_liveSeconds), std::max(m_liveSeconds, now));
    refresh();
}

void WaveformView::setSamples(std::span<const int16_t> samples)
{
    const bool live = m_live;
    m_live = false;
    m_envTime.clear();
    m_envMin.clear();
    m_envMax.clear();
    m_total = 0;
    m_pendingCount = 0;
    appendSamples(samples);
    if (m_pendingCount > 0)
        flushBucket();
    m_live = live;
    xAxis->setRange(0, std::max(1.0, double(m_total) / m_rate));
    refresh();
}

int WaveformView::pointCount() const
{
    return int(m_envTime.size());
}

void WaveformView::setOverlay(const QString& text, const QColor& color)
{
    m_overlay->setText(text);
    m_overlay->setColor(color);
    m_overlay->setVisible(!text.isEmpty());
    refresh();
}

QString WaveformView::overlay() const
{
    return m_overlay->visible() ? m_overlay->text() : QString();
}

void WaveformView::setRegions(const std::vector<WaveRegion>& regions)
{
    m_regions = regions;
    if (m_selected >= int(m_regions.size()))
        m_selected = -1;
    // Same number of regions (nudge, relabel, drop): restyle the items now, it is cheap.
    if (!m_rebuildPending && m_regionItems.size() == m_regions.size()) {
        for (int i = 0; i < int(m_regions.size()); ++i)
            styleRegion(i);
        refresh();
        return;
    }
    // A new set (a session was just split): the items are rebuilt on the next timer pass of the
    // event loop, not here; items plus the full replot in the splitting pass blocked the GUI
    // thread for one long span instead of two short ones.
    if (!m_rebuildPending) {
        m_rebuildPending = true;
        QTimer::singleShot(0, this, [this] {
            m_rebuildPending = false;
            rebuildRegionItems();
        });
    }
}

bool WaveformView::regionItemsReady() const
{
    return !m_rebuildPending && m_regionItems.size() == m_regions.size();
}

void WaveformView::setSelectedRegion(int index)
{
    m_selected = (index >= 0 && index < int(m_regions.size())) ? index : -1;
    if (!regionItemsReady())
        return; // the pending rebuild styles every region
    for (int i = 0; i < int(m_regions.size()); ++i)
        styleRegion(i);
    refresh();
}

void WaveformView::rebuildRegionItems()
{
    for (auto* it : m_regionItems)
        removeItem(it);
    for (auto* it : m_regionLabels)
        removeItem(it);
    m_regionItems.clear();
    m_regionLabels.clear();
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    f.setBold(true);
    for (int i = 0; i < int(m_regions.size()); ++i) {
        auto* rect = new QCPItemRect(this);
        rect->setLayer("background");
        auto* text = new QCPItemText(this);
        text->setFont(f);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setPadding(QMargins(3, 1, 3, 1));
        m_regionItems.push_back(rect);
        m_regionLabels.push_back(text);
        styleRegion(i);
    }
    refresh();
}

void WaveformView::styleRegion(int i)
{
    const WaveRegion& r = m_regions[size_t(i)];
    QCPItemRect* rect = m_regionItems[size_t(i)];
    QCPItemText* text = m_regionLabels[size_t(i)];
    const double a = double(r.start) / m_rate;
    const double b = double(r.start + r.length) / m_rate;
    rect->topLeft->setCoords(a, 1.0);
    rect->bottomRight->setCoords(b, -1.0);
    text->position->setCoords(a, 1.0);
    QColor c = !r.keep ? kDropped : (i == m_selected ? kSelected : kKeep);
    // The colour at 24 % (selected) or 14 % over the plot's background, without alpha.
    const double mix = i == m_selected ? 0.24 : 0.14;
    const QColor bg(252, 252, 253);
    rect->setBrush(QColor(int(c.red() * mix + bg.red() * (1 - mix)),
                          int(c.green() * mix + bg.green() * (1 - mix)),
                          int(c.blue() * mix + bg.blue() * (1 - mix))));
    rect->setPen(QPen(c, i == m_selected ? 2.0 : 1.0, r.keep ? Qt::SolidLine : Qt::DashLine));
    text->setText(QString("%1 %2%3").arg(i + 1).arg(r.label, r.keep ? "" : tr(" (dropped)")));
    text->setColor(Qt::white);
    text->setBrush(c);
}

int64_t WaveformView::sampleAtPixel(double x) const
{
    return int64_t(xAxis->pixelToCoord(x) * m_rate);
}

int WaveformView::regionAt(int64_t sample) const
{
    if (m_selected >= 0) {
        const auto& r = m_regions[size_t(m_selected)];
        if (sample >= r.start && sample < r.start + r.length)
            return m_selected;
    }
    for (int i = 0; i < int(m_regions.size()); ++i) {
        const auto& r = m_regions[size_t(i)];
        if (sample >= r.start && sample < r.start + r.length)
            return i;
    }
    return -1;
}

void WaveformView::mousePressEvent(QMouseEvent* event)
{
    QCustomPlot::mousePressEvent(event);
    if (event->button() != Qt::LeftButton || m_live)
        return;
    const int64_t s = sampleAtPixel(event->position().x());
    const int i = regionAt(s);
    if (i < 0) {
        Q_EMIT emptyClicked();
        return;
    }
    setSelectedRegion(i);
    Q_EMIT regionClicked(i);
    m_drag = i;
    m_dragOffset = s - m_regions[size_t(i)].start;
    setCursor(Qt::ClosedHandCursor);
}

void WaveformView::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (m_drag < 0)
        return;
    auto& r = m_regions[size_t(m_drag)];
    int64_t start = sampleAtPixel(event->position().x()) - m_dragOffset;
    const int64_t maxStart = std::max<int64_t>(0, m_total - r.length);
    start = std::clamp<int64_t>(start, 0, maxStart);
    if (start == r.start)
        return;
    r.start = start;
    if (regionItemsReady())
        styleRegion(m_drag);
    refresh();
    Q_EMIT regionMoved(m_drag, start);
}

void WaveformView::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (m_drag >= 0)
        unsetCursor();
    m_drag = -1;
}

} // namespace dw::ui
