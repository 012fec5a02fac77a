// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/class_counts_chart.h"

#include "dw/ui/clip_waveform.h"

#include <QHelpEvent>
#include <QToolTip>

#include <algorithm>

namespace dw::ui {

QColor splitColor(int split)
{
    switch (split) {
    case 0: return QColor("#3b7dd8"); // train
    case 1: return QColor("#8e6cc9"); // validation
    default: return QColor("#2fa37a"); // test
    }
}

QColor warningColor() { return QColor("#e0711e"); }

static int totalOf(const std::map<std::string, std::array<int, 3>>& counts, const std::string& l)
{
    auto it = counts.find(l);
    return it == counts.end() ? 0 : it->second[0] + it->second[1] + it->second[2];
}

double medianTotal(const std::vector<std::string>& labels,
                   const std::map<std::string, std::array<int, 3>>& counts)
{
    if (labels.empty())
        return 0.0;
    std::vector<int> totals;
    for (const auto& l : labels)
        totals.push_back(totalOf(counts, l));
    std::sort(totals.begin(), totals.end());
    const size_t n = totals.size();
    return n % 2 ? totals[n / 2] : 0.5 * (totals[n / 2 - 1] + totals[n / 2]);
}

std::vector<std::string> findImbalanced(const std::vector<std::string>& labels,
                                        const std::map<std::string, std::array<int, 3>>& counts,
                                        double ratio)
{
    std::vector<std::string> out;
    const double median = medianTotal(labels, counts);
    if (median <= 0)
        return out;
    for (const auto& l : labels)
        if (totalOf(counts, l) < ratio * median)
            out.push_back(l);
    return out;
}

ClassCountsChart::ClassCountsChart(QWidget* parent) : QCustomPlot(parent)
{
    styleDatasetPlot(this);
    yAxis->setLabel(tr("Clips"));
    xAxis->grid()->setVisible(false);
    const char* names[3] = {QT_TR_NOOP("train"), QT_TR_NOOP("validation"), QT_TR_NOOP("test")};
    QCPBars* below = nullptr;
    for (int s = 0; s < 3; ++s) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(tr(names[s]));
        bars->setPen(Qt::NoPen);
        bars->setBrush(splitColor(s));
        bars->setWidth(0.62);
        if (below)
            bars->moveAbove(below);
        below = bars;
        m_bars[size_t(s)] = bars;
    }
    // Imbalanced labels get an outline bar in the warning colour around their stack.
    m_warnBars = new QCPBars(xAxis, yAxis);
    m_warnBars->setName(tr("under %1% of median").arg(int(kImbalanceRatio * 100)));
    m_warnBars->setPen(QPen(warningColor(), 2.0));
    m_warnBars->setBrush(QColor(224, 113, 30, 60));
    m_warnBars->setWidth(0.74);
    m_warnBars->setLayer("background");
    legend->setVisible(true);
    legend->setFont(xAxis->tickLabelFont());
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setIconSize(12, 10);
    // The legend is one row above the axis rect, right-aligned: inside the plot it covered the
    // bars of the last labels (unknown, noise) whatever the headroom.
    axisRect()->insetLayout()->take(legend);
    axisRect()->insetLayout()->simplify();
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setColumnSpacing(14);
    legend->setMargins(QMargins(4, 2, 4, 0));
    plotLayout()->insertRow(0);
    auto* legendRow = new QCPLayoutGrid;
    plotLayout()->addElement(0, 0, legendRow);
    legendRow->addElement(0, 0, new QCPLayoutElement(this)); // stretch on the left
    legendRow->addElement(0, 1, legend);
    legendRow->setColumnStretchFactor(0, 1);
    legendRow->setColumnStretchFactor(1, 0.001);
    legendRow->setMargins(QMargins(0, 0, 0, 0));
    plotLayout()->setRowStretchFactor(0, 0.001);
    plotLayout()->setRowSpacing(0);
    yAxis->ticker()->setTickCount(4); // a short chart: fewer, readable count ticks
    setMinimumHeight(160);
}

void ClassCountsChart::setCounts(const std::vector<std::string>& labels,
                                 const std::map<std::string, std::array<int, 3>>& counts)
{
    m_labels = labels;
    m_counts = counts;
    m_imbalanced = findImbalanced(labels, counts);
    m_median = medianTotal(labels, counts);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    QVector<double> x;
    std::array<QVector<double>, 3> y;
    QVector<double> warnX, warnY;
    int maxTotal = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto& l = labels[i];
        const auto it = counts.find(l);
        const std::array<int, 3> c = it == counts.end() ? std::array<int, 3>{} : it->second;
        x.push_back(double(i));
        for (int s = 0; s < 3; ++s)
            y[size_t(s)].push_back(c[size_t(s)]);
        const int total = c[0] + c[1] + c[2];
        maxTotal = std::max(maxTotal, total);
        const bool warn =
            std::find(m_imbalanced.begin(), m_imbalanced.end(), l) != m_imbalanced.end();
        ticker->addTick(double(i), QString::fromStdString(l) + (warn ? " \u26a0" : ""));
        if (warn) {
            warnX.push_back(double(i));
            warnY.push_back(std::max(total, 1));
        }
    }
    for (int s = 0; s < 3; ++s)
        m_bars[size_t(s)]->setData(x, y[size_t(s)], true);
    m_warnBars->setData(warnX, warnY, true);
    if (legend->itemCount() > 0) {
        // Only mention the warning in the legend when something is imbalanced.
        if (warnX.isEmpty())
            m_warnBars->removeFromLegend();
        else
            m_warnBars->addToLegend();
    }
    xAxis->setTicker(ticker);
    xAxis->setTickLabelRotation(labels.size() > 8 ? 35 : 0);
    xAxis->setSubTicks(false);
    xAxis->setTickLength(0, 3);
    xAxis->setRange(-0.6, std::max<double>(double(labels.size()) - 0.4, 0.6));
    yAxis->setRange(0, std::max(1.0, maxTotal * 1.08));
    replot();
}

QString ClassCountsChart::tooltipAt(double x) const
{
    const int i = int(std::lround(x));
    if (i < 0 || i >= int(m_labels.size()) || std::abs(x - i) > 0.45)
        return {};
    const auto& l = m_labels[size_t(i)];
    const auto it = m_counts.find(l);
    const std::array<int, 3> c = it == m_counts.end() ? std::array<int, 3>{} : it->second;
    QString text = tr("<b>%1</b>: %2 clips<br>train %3, validation %4, test %5")
                       .arg(QString::fromStdString(l).toHtmlEscaped())
                       .arg(c[0] + c[1] + c[2])
                       .arg(c[0])
                       .arg(c[1])
                       .arg(c[2]);
    if (std::find(m_imbalanced.begin(), m_imbalanced.end(), l) != m_imbalanced.end())
        text += tr("<br><span style='color:#c0570e'>Under %1% of the median label (%2 clips): "
                   "record or import more, or the model will rarely predict it.</span>")
                    .arg(int(kImbalanceRatio * 100))
                    .arg(m_median);
    return text;
}

bool ClassCountsChart::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = tooltipAt(xAxis->pixelToCoord(help->pos().x()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QCustomPlot::event(event);
}

} // namespace dw::ui
