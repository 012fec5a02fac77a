// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Clips per label as stacked bars (train / validation / test). A label with fewer clips than
// kImbalanceRatio x the median label is drawn in a warning colour with a tooltip saying so.
// GUI thread only.

#include <qcustomplot.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace dw::ui {

inline constexpr double kImbalanceRatio = 0.5;

// Labels whose total count is below ratio x the median total (labels in the order given).
std::vector<std::string> findImbalanced(const std::vector<std::string>& labels,
                                        const std::map<std::string, std::array<int, 3>>& counts,
                                        double ratio = kImbalanceRatio);
// Median of the per-label totals (0 when there are no labels).
double medianTotal(const std::vector<std::string>& labels,
                   const std::map<std::string, std::array<int, 3>>& counts);

class ClassCountsChart : public QCustomPlot
{
    Q_OBJECT
public:
    explicit ClassCountsChart(QWidget* parent = nullptr);

    // counts[label] = {train, validation, test}; labels give the order on the axis.
    void setCounts(const std::vector<std::string>& labels,
                   const std::map<std::string, std::array<int, 3>>& counts);
    const std::vector<std::string>& imbalanced() const { return m_imbalanced; }
    // Tooltip text for the bar under x (axis coordinate), empty when none.
    QString tooltipAt(double x) const;

protected:
    bool event(QEvent* event) override;

private:
    std::array<QCPBars*, 3> m_bars{};
    QCPBars* m_warnBars = nullptr;
    std::vector<std::string> m_labels;
    std::map<std::string, std::array<int, 3>> m_counts;
    std::vector<std::string> m_imbalanced;
    double m_median = 0;
};

// Colours of the three splits, shared by the chart and the tables.
QColor splitColor(int split);
QColor warningColor();

} // namespace dw::ui
