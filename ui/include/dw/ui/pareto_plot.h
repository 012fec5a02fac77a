// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The sweep's Pareto view (issue 7): clean parameter count (log x, 100 .. 2,000,000) against
// test accuracy at the best-validation epoch, one colour per model type (traditional blue, gd
// pink, cc yellow, as in the paper), 95 % bootstrap intervals as error bars, the frontier of each
// type (chosen by VALIDATION accuracy) as a step line, the baseline marked. Hovering a point shows
// the trial's knobs; clicking it emits runActivated with the trial's run folder. GUI thread only.

#include "dw/core/sweep.h"

#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QMouseEvent;

namespace dw::ui {

class ParetoPlot : public QWidget
{
    Q_OBJECT
public:
    explicit ParetoPlot(QWidget* parent = nullptr);

    // Replaces the data. sweepDir resolves each row's run folder (TrialRow::run) for clicks.
    void setRows(const std::vector<dw::sweep::TrialRow>& rows, const QString& sweepDir = {});
    const std::vector<dw::sweep::TrialRow>& rows() const { return m_rows; }
    void setTitle(const QString& title);

    // Renders offscreen to a PNG of w x h pixels; false when the file cannot be written.
    bool savePng(const QString& file, int width = 1200, int height = 750);

    QCustomPlot* plot() const { return m_plot; }
    // For tests: points drawn for a type, the frontier's trial ids, the hover text at a pixel.
    int pointCount(const QString& mode) const;
    QStringList frontierIds(const QString& mode) const;
    QString tooltipAt(const QPoint& pixel) const;
    // Pixel position of a row's point (for tests and the page's selection).
    QPoint pixelOf(size_t row) const;

    static QColor colorOf(const QString& mode);

Q_SIGNALS:
    void runActivated(const QString& runFolder);
    void trialHovered(const QString& trialId);

private:
    void rebuild();
    long nearestRow(const QPoint& pixel, double maxDistance = 8.0) const;
    void onMouseMove(QMouseEvent* e);
    void onMousePress(QMouseEvent* e);

    QCustomPlot* m_plot = nullptr;
    std::vector<dw::sweep::TrialRow> m_rows;
    QString m_dir;
    QString m_title;
};

} // namespace dw::ui
