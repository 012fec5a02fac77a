// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/pareto_plot.h"

#include "dw/core/atomic_file.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace dw::ui {
using dw::sweep::TrialRow;

namespace {
QString thousands(long long v) { return QLocale(QLocale::English).toString(v); }
} // namespace

QColor ParetoPlot::colorOf(const QString& mode)
{
    // The paper's scheme: traditional blue, GD pink, CC yellow (darkened to read on white).
    if (mode == "traditional")
        return QColor(31, 119, 180);
    if (mode == "gd")
        return QColor(227, 82, 170);
    if (mode == "cc")
        return QColor(214, 160, 0);
    return QColor(120, 120, 120);
}

ParetoPlot::ParetoPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addWidget(m_plot);
    m_plot->setMouseTracking(true);
    m_plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setNumberFormat("eb");
    m_plot->xAxis->setNumberPrecision(0);
    m_plot->xAxis->setLabel("parameters (clean count incl. dendrites, log scale)");
    m_plot->yAxis->setLabel("test accuracy at the best-validation epoch");
    m_plot->xAxis->setRange(100, 2000000);
    m_plot->yAxis->setRange(0, 1);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont("DejaVu Sans", 8));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ParetoPlot::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &ParetoPlot::onMousePress);
    setMinimumSize(480, 320);
}

void ParetoPlot::setTitle(const QString& title)
{
    m_title = title;
    rebuild();
}

void ParetoPlot::setRows(const std::vector<TrialRow>& rows, const QString& sweepDir)
{
    m_rows = rows;
    m_dir = sweepDir;
    rebuild();
}

int ParetoPlot::pointCount(const QString& mode) const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [&](const TrialRow& r) {
        return r.finished() && r.index >= 0 && QString::fromStdString(r.mode()) == mode;
    }));
}

QStringList ParetoPlot::frontierIds(const QString& mode) const
{
    QStringList ids;
    for (size_t i : dw::sweep::paretoFrontier(m_rows, mode.toStdString()))
        ids << QString::fromStdString(m_rows[i].id);
    return ids;
}

void ParetoPlot::rebuild()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    if (m_plot->plotLayout()->rowCount() > 1) {
        m_plot->plotLayout()->removeAt(0);
        m_plot->plotLayout()->simplify();
    }
    if (!m_title.isEmpty()) {
        m_plot->plotLayout()->insertRow(0);
        m_plot->plotLayout()->addElement(
            0, 0, new QCPTextElement(m_plot, m_title, QFont("DejaVu Sans", 10, QFont::Bold)));
    }
    double yMin = 1.0, yMax = 0.0;
    for (const auto& modeStd : dw::sweep::modeOrder()) {
        const QString mode = QString::fromStdString(modeStd);
        std::vector<const TrialRow*> pts;
        for (const auto& r : m_rows)
            if (r.finished() && r.index >= 0 && r.mode() == modeStd && r.params > 0)
                pts.push_back(&r);
        if (pts.empty())
            continue;
        std::sort(pts.begin(), pts.end(), [](const TrialRow* a, const TrialRow* b) {
            return a->params < b->params;
        });
        const QColor c = colorOf(mode);
        QColor fill = c;
        fill.setAlpha(150);
        auto* g = m_plot->addGraph();
        g->setName(QString("%1 (%2 trials)").arg(mode).arg(pts.size()));
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, fill, fill, 5));
        auto* bars = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(g);
        QColor barColor = c;
        barColor.setAlpha(70);
        bars->setPen(QPen(barColor, 1));
        bars->setWhiskerWidth(3);
        QVector<double> xs, ys;
        for (const TrialRow* r : pts) {
            xs << double(r->params);
            ys << r->test;
            const auto ci = dw::sweep::bootstrapAccuracyCI(r->test, r->testCount);
            bars->addData(std::max(0.0, r->test - ci.lo), std::max(0.0, ci.hi - r->test));
            yMin = std::min(yMin, ci.lo);
            yMax = std::max(yMax, ci.hi);
        }
        g->setData(xs, ys, true);

        // Frontier chosen by validation accuracy; its test accuracy is what is drawn.
        QVector<double> fx, fy;
        for (size_t i : dw::sweep::paretoFrontier(m_rows, modeStd)) {
            fx << double(m_rows[i].params);
            fy << m_rows[i].test;
        }
        if (!fx.isEmpty()) {
            fx << 2000000.0; // hold the last level to the right edge
            fy << fy.back();
            auto* f = m_plot->addGraph();
            f->setName(mode + " frontier (by validation)");
            f->setLineStyle(QCPGraph::lsStepLeft);
            f->setPen(QPen(c, 2));
            f->setData(fx, fy, true);
        }
    }
    for (const auto& r : m_rows) {
        if (r.index >= 0 || !r.finished())
            continue;
        auto* b = m_plot->addGraph();
        b->setName(QString("baseline (%1 params, test %2)")
                       .arg(thousands(r.params))
                       .arg(r.test, 0, 'f', 3));
        b->setLineStyle(QCPGraph::lsNone);
        b->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(Qt::black, 2),
                                           QBrush(Qt::black), 14));
        b->addData(double(std::max(1LL, r.params)), r.test);
        auto* line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(100, r.test);
        line->point2->setCoords(2000000, r.test);
        line->setPen(QPen(Qt::black, 1, Qt::DashLine));
        yMin = std::min(yMin, r.test);
        yMax = std::max(yMax, r.test);
    }
    if (yMax >= yMin)
        m_plot->yAxis->setRange(std::max(0.0, yMin - 0.02), std::min(1.0, yMax + 0.02));
    else
        m_plot->yAxis->setRange(0, 1);
    m_plot->xAxis->setRange(100, 2000000);
    m_plot->replot();
}

QPoint ParetoPlot::pixelOf(size_t row) const
{
    if (row >= m_rows.size())
        return {};
    const auto& r = m_rows[row];
    return QPoint(int(std::lround(m_plot->xAxis->coordToPixel(double(std::max(1LL, r.params))))),
                  int(std::lround(m_plot->yAxis->coordToPixel(r.test))));
}

long ParetoPlot::nearestRow(const QPoint& p, double maxDistance) const
{
    long best = -1;
    double bestD = maxDistance * maxDistance;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (!m_rows[i].finished())
            continue;
        const QPoint q = pixelOf(i);
        const double dx = q.x() - p.x(), dy = q.y() - p.y();
        if (dx * dx + dy * dy <= bestD) {
            bestD = dx * dx + dy * dy;
            best = long(i);
        }
    }
    return best;
}

QString ParetoPlot::tooltipAt(const QPoint& pixel) const
{
    const long i = nearestRow(pixel);
    if (i < 0)
        return {};
    const auto& r = m_rows[size_t(i)];
    const auto ci = dw::sweep::bootstrapAccuracyCI(r.test, r.testCount);
    QString t = QString("<b>trial %1</b> (%2)<br>%3 params, K=%4<br>val %5, test %6 "
                        "[%7, %8]<br>")
                    .arg(QString::fromStdString(r.id), QString::fromStdString(r.mode()),
                         thousands(r.params))
                    .arg(r.dendrites)
                    .arg(r.val, 0, 'f', 3)
                    .arg(r.test, 0, 'f', 3)
                    .arg(ci.lo, 0, 'f', 3)
                    .arg(ci.hi, 0, 'f', 3);
    static const char* shown[] = {"model",       "conv_layers",   "linear_layers",
                                  "width",       "growth_mode",   "dropout",
                                  "input_noise", "lr",            "n_patience",
                                  "max_dendrites", "improvement_thresholds", "init_multiplier",
                                  "dendrite_activation", "perforate", "seed"};
    for (const char* k : shown)
        if (auto it = r.knobs.find(k); it != r.knobs.end())
            t += QString("%1 = %2<br>").arg(k, QString::fromStdString(it->second));
    return t;
}

void ParetoPlot::onMouseMove(QMouseEvent* e)
{
    const QPoint p = e->position().toPoint();
    const QString tip = tooltipAt(p);
    if (tip.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(m_plot->mapToGlobal(p), tip, m_plot);
    const long i = nearestRow(p);
    Q_EMIT trialHovered(QString::fromStdString(m_rows[size_t(i)].id));
}

void ParetoPlot::onMousePress(QMouseEvent* e)
{
    const long i = nearestRow(e->position().toPoint());
    if (i < 0)
        return;
    const QString run = QString::fromStdString(m_rows[size_t(i)].run);
    Q_EMIT runActivated(m_dir.isEmpty() ? run : QDir(m_dir).filePath(run));
}

bool ParetoPlot::savePng(const QString& file, int width, int height)
{
    resize(width, height);
    m_plot->resize(width, height);
    rebuild();
    // Rendered to memory, then written atomically (never a half-written PNG in place).
    const QPixmap pm = m_plot->toPixmap(width, height);
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    if (pm.isNull() || !pm.save(&buf, "PNG"))
        return false;
    return dw::writeFileAtomic(file.toStdString(), std::string_view(bytes.constData(),
                                                                    size_t(bytes.size())))
        .ok();
}

} // namespace dw::ui
