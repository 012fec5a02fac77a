// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/compare_view.h"

#include "dw/core/atomic_file.h"
#include "dw/ui/knob_form.h"
#include "dw/ui/plot_style.h"
#include "dw/ui/run_plots.h"

#include <QBuffer>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace dw::ui {

RunResult runResult(const RunRecord& run)
{
    RunResult r;
    if (run.summary) {
        r.params = run.summary->params;
        r.val = run.summary->val_accuracy;
        r.test = run.summary->test_accuracy;
        return r;
    }
    double best = -1;
    for (const EpochRecord& e : run.epochs)
        if (e.val_accuracy > best) {
            best = e.val_accuracy;
            r = {e.params, e.val_accuracy, e.test_accuracy};
        }
    return r;
}

double errorReductionPercent(const RunRecord& run, const RunRecord& reference)
{
    const double errRef = 1.0 - runResult(reference).test;
    const double err = 1.0 - runResult(run).test;
    if (errRef <= 0)
        return 0;
    return (errRef - err) / errRef * 100.0;
}

double paramChangePercent(const RunRecord& run, const RunRecord& reference)
{
    const double pRef = double(runResult(reference).params);
    if (pRef <= 0)
        return 0;
    return (double(runResult(run).params) - pRef) / pRef * 100.0;
}

namespace {
QCustomPlot* makePlot(QWidget* parent, const QString& x, const QString& y)
{
    auto* p = new QCustomPlot(parent);
    p->setMinimumSize(360, 260);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->legend->setVisible(true);
    QFont f = p->font();
    f.setPointSizeF(8);
    p->legend->setFont(f);
    p->legend->setBrush(QColor(255, 255, 255, 215));
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return p;
}

QString runLabel(const RunRecord& r)
{
    return QString::fromStdString(r.name.empty() ? r.dir.filename().string() : r.name);
}

std::string runMode(const RunRecord& r) { return r.summary ? r.summary->mode : r.config.mode; }

// Ticks 1-2-5 per decade. QCPAxisTickerLog falls back to linear ticks (2500, 5000, 7500...)
// when the range spans under 1.6 decades, which reads wrongly on a log axis.
QSharedPointer<QCPAxisTickerText> logTicks(double lo, double hi)
{
    QSharedPointer<QCPAxisTickerText> t(new QCPAxisTickerText);
    for (double decade = std::pow(10.0, std::floor(std::log10(std::max(lo, 1e-9))));
         decade <= hi; decade *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (m * decade >= lo && m * decade <= hi)
                t->addTick(m * decade, QLocale().toString(m * decade, 'f', 0));
    t->setSubTickCount(0);
    return t;
}
} // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* plots = new QSplitter(Qt::Horizontal, this);
    m_curves = makePlot(plots, tr("epoch"), tr("validation accuracy"));
    m_scatter = makePlot(plots, tr("clean parameters (log)"), tr("test accuracy"));
    m_scatter->xAxis->setScaleType(QCPAxis::stLogarithmic);

    attachExportMenu(m_curves, "compare-curves");
    attachExportMenu(m_scatter, "compare-params-vs-test");
    plots->addWidget(m_curves);
    plots->addWidget(m_scatter);

    auto* tabs = new QTabWidget(this);
    auto* tableTab = new QWidget(tabs);
    auto* tl = new QVBoxLayout(tableTab);
    auto* refRow = new QHBoxLayout;
    refRow->addWidget(new QLabel(tr("Reference run"), tableTab));
    m_refCombo = new QComboBox(tableTab);
    m_refCombo->setToolTip(tr("Differences are computed against this run (usually the "
                              "traditional baseline)."));
    refRow->addWidget(m_refCombo, 1);
    tl->addLayout(refRow);
    m_table = new QTableWidget(0, 8, tableTab);
    m_table->setHorizontalHeaderLabels({tr("Run"), tr("Type"), tr("Params"), tr("Val"),
                                        tr("Test"), tr("Dendrites"), tr("Param change"),
                                        tr("Error reduction")});
    m_table->horizontalHeaderItem(7)->setToolTip(
        tr("(error_ref - error) / error_ref with error = 1 - test accuracy, as the paper "
           "reports it; positive = fewer errors than the reference."));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    tl->addWidget(m_table, 1);
    tabs->addTab(tableTab, tr("Differences"));

    auto* confTab = new QWidget(tabs);
    auto* cl = new QVBoxLayout(confTab);
    auto* confRow = new QHBoxLayout;
    confRow->addWidget(new QLabel(tr("Run"), confTab));
    m_confCombo = new QComboBox(confTab);
    confRow->addWidget(m_confCombo, 1);
    auto* confButton = new QPushButton(tr("Compute on test split"), confTab);
    confRow->addWidget(confButton);
    cl->addLayout(confRow);
    m_confusion = new ConfusionMatrixView(confTab);
    cl->addWidget(m_confusion, 1);
    tabs->addTab(confTab, tr("Confusion matrix"));

    auto* vsplit = new QSplitter(Qt::Vertical, this);
    vsplit->addWidget(plots);
    vsplit->addWidget(tabs);
    vsplit->setStretchFactor(0, 3); // the plots get the room; the table needs a few rows
    vsplit->setStretchFactor(1, 2);
    vsplit->setSizes({600, 400});
    layout->addWidget(vsplit);

    connect(m_refCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && i != m_reference)
            setReference(i);
    });
    connect(confButton, &QPushButton::clicked, this, [this] {
        if (auto s = showConfusion(m_confCombo->currentIndex()); !s)
            Q_EMIT message(QString::fromStdString(s.error().text()), true);
    });
}

void CompareView::setRuns(std::vector<RunRecord> runs)
{
    m_runs = std::move(runs);
    // Default reference: the first traditional run (the paper's baseline), else the first.
    m_reference = 0;
    for (size_t i = 0; i < m_runs.size(); ++i)
        if (runMode(m_runs[i]) == "traditional") {
            m_reference = int(i);
            break;
        }
    {
        const QSignalBlocker b1(m_refCombo), b2(m_confCombo);
        m_refCombo->clear();
        m_confCombo->clear();
        for (const RunRecord& r : m_runs) {
            const QString label = runLabel(r) + " (" + QString::fromStdString(runMode(r)) + ")";
            m_refCombo->addItem(label);
            m_confCombo->addItem(label);
        }
        m_refCombo->setCurrentIndex(m_reference);
    }
    m_confusion->clear();
    rebuildPlots();
    rebuildTable();
}

void CompareView::setReference(int index)
{
    if (index < 0 || index >= int(m_runs.size()))
        return;
    m_reference = index;
    const QSignalBlocker b(m_refCombo);
    m_refCombo->setCurrentIndex(index);
    rebuildTable();
}

void CompareView::rebuildPlots()
{
    m_curves->clearGraphs();
    m_curves->clearItems();
    m_scatter->clearGraphs();
    m_scatter->clearItems();
    std::map<std::string, int> seen; // runs per type: vary the pen so same-type runs differ
    const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    int maxEpoch = 1;
    double minAcc = 1.0;
    for (const RunRecord& r : m_runs) {
        const std::string mode = runMode(r);
        const int n = seen[mode]++;
        QCPGraph* g = m_curves->addGraph();
        g->setPen(QPen(modelTypeColor(mode), 2.0, styles[n % 4]));
        // The run's name usually says its type already ("cc-seed2"); add it only when not.
        const QString label = runLabel(r);
        g->setName(label.contains(QString::fromStdString(mode))
                       ? label
                       : label + " \u00b7 " + QString::fromStdString(mode));
        for (const EpochRecord& e : r.epochs) {
            g->addData(e.epoch, e.val_accuracy);
            maxEpoch = std::max(maxEpoch, e.epoch);
            minAcc = std::min(minAcc, e.val_accuracy);
        }
    }
    // Legend in rows of three at the top right, above curves that rarely reach 1.0.
    m_curves->legend->setWrap(m_runs.size() > 4 ? 3 : 1);
    m_curves->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-lays out the items
    m_curves->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_curves->xAxis->setRange(0.5, maxEpoch + 0.5);
    m_curves->yAxis->setRange(std::max(0.0, std::floor((minAcc - 0.02) * 20) / 20), 1.005);

    // Scatter: one graph per model type so the legend reads "traditional / gd / cc".
    std::map<std::string, QCPGraph*> byType;
    double minP = 1e18, maxP = 0, minT = 1.0, maxT = 0.0;
    for (const std::string mode : {"traditional", "gd", "cc"}) {
        QCPGraph* g = m_scatter->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, modelTypeColor(mode), 10));
        g->setName(QString::fromStdString(mode));
        byType[mode] = g;
    }
    QFont small = font();
    small.setPointSizeF(8);
    for (const RunRecord& r : m_runs) {
        const RunResult res = runResult(r);
        if (res.params <= 0)
            continue;
        std::string mode = runMode(r);
        if (!byType.count(mode)) {
            QCPGraph* g = m_scatter->addGraph();
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(
                QCPScatterStyle(QCPScatterStyle::ssDisc, modelTypeColor(mode), 10));
            g->setName(QString::fromStdString(mode));
            byType[mode] = g;
        }
        byType[mode]->addData(double(res.params), res.test);
        auto* t = new QCPItemText(m_scatter);
        t->position->setCoords(double(res.params), res.test);
        // Runs with (nearly) the same params and accuracy (seeds of a traditional model): the
        // lowest of such a group is labelled below its point, the highest above, the ones
        // between beside it, so the labels do not cover each other.
        bool nearAbove = false, nearBelow = false;
        for (const RunRecord& o : m_runs) {
            const RunResult q = runResult(o);
            if (&o == &r || q.params <= 0 ||
                std::abs(std::log10(double(q.params)) - std::log10(double(res.params))) > 0.08 ||
                std::abs(q.test - res.test) > 0.02)
                continue;
            const bool above = q.test > res.test || (q.test == res.test && &o < &r);
            (above ? nearAbove : nearBelow) = true;
        }
        const Qt::Alignment vertical = nearAbove && nearBelow ? Qt::AlignVCenter
                                       : nearAbove            ? Qt::AlignTop
                                                              : Qt::AlignBottom;
        t->setPositionAlignment(Qt::AlignLeft | vertical);
        t->setPadding(vertical == Qt::AlignTop ? QMargins(6, 4, 0, 0)
                      : vertical == Qt::AlignVCenter ? QMargins(9, 0, 0, 0)
                                                     : QMargins(6, 0, 0, 4));
        t->setText(runLabel(r));
        t->setFont(small);
        t->setColor(modelTypeColor(mode).darker(130));
        minP = std::min(minP, double(res.params));
        maxP = std::max(maxP, double(res.params));
        minT = std::min(minT, res.test);
        maxT = std::max(maxT, res.test);
    }
    for (auto& [mode, g] : byType)
        if (g->dataCount() == 0)
            g->removeFromLegend();
    if (maxP > 0) {
        m_scatter->xAxis->setRange(minP / 1.6, maxP * 2.5);
        m_scatter->xAxis->setTicker(logTicks(minP / 1.6, maxP * 2.5));
        const double pad = std::max(0.01, (maxT - minT) * 0.15);
        m_scatter->yAxis->setRange(std::max(0.0, minT - pad), std::min(1.0, maxT + pad) + 0.005);
    }
    m_curves->replot(QCustomPlot::rpQueuedReplot);
    m_scatter->replot(QCustomPlot::rpQueuedReplot);
}

void CompareView::rebuildTable()
{
    m_table->setRowCount(int(m_runs.size()));
    for (int row = 0; row < int(m_runs.size()); ++row) {
        const RunRecord& r = m_runs[row];
        const RunResult res = runResult(r);
        const std::string mode = runMode(r);
        QStringList d;
        if (r.summary)
            for (int k : r.summary->dendrites)
                d << QString::number(k);
        const bool isRef = row == m_reference;
        auto set = [&](int col, const QString& text) {
            auto* item = new QTableWidgetItem(text);
            if (isRef) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            m_table->setItem(row, col, item);
            return item;
        };
        set(0, runLabel(r) + (isRef ? tr(" (reference)") : QString()));
        set(1, QString::fromStdString(mode))->setForeground(modelTypeColor(mode));
        set(2, formatCount(res.params));
        set(3, QString::number(res.val, 'f', 3));
        set(4, QString::number(res.test, 'f', 3));
        set(5, d.join(" / "));
        if (isRef || m_reference >= int(m_runs.size())) {
            set(6, "-");
            set(7, "-");
        } else {
            const RunRecord& ref = m_runs[m_reference];
            const double dp = paramChangePercent(r, ref);
            const double er = errorReductionPercent(r, ref);
            set(6, QString("%1%2 %").arg(dp >= 0 ? "+" : "").arg(dp, 0, 'f', 1));
            set(7, QString("%1%2 %").arg(er >= 0 ? "+" : "").arg(er, 0, 'f', 1))
                ->setForeground(er >= 0 ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc0, 0x39, 0x2b));
        }
    }
    m_table->resizeColumnsToContents();
}

Status CompareView::showConfusion(int index)
{
    if (index < 0 || index >= int(m_runs.size()))
        return makeError("no run chosen for the confusion matrix", "select runs to compare first");
    if (!m_provider)
        return makeError("confusion matrices are not available here",
                         "open the project in the workbench to classify its test clips");
    setCursor(Qt::WaitCursor);
    auto data = m_provider(m_runs[index]);
    unsetCursor();
    if (!data) {
        m_confusion->clear(QString::fromStdString(data.error().text()));
        return data.error();
    }
    const QSignalBlocker b(m_confCombo);
    m_confCombo->setCurrentIndex(index);
    m_confusion->setData(*data, runLabel(m_runs[index]) + " \u00b7 " +
                                    QString::fromStdString(runMode(m_runs[index])) +
                                    tr(" \u00b7 test split"));
    return {};
}

Status writeRunReport(const RunRecord& run, const ConfusionData* confusion,
                      const std::filesystem::path& htmlFile)
{
    if (auto s = ensureGuiApplication(); !s)
        return s;
    RunPlots plots;
    plots.resize(1400, 1000);
    plots.setRun(run);
    plots.customPlot()->resize(1400, 1000);
    plots.customPlot()->replot(QCustomPlot::rpImmediateRefresh);
    QByteArray png;
    {
        QBuffer buf(&png);
        buf.open(QIODevice::WriteOnly);
        plots.customPlot()->toPixmap(1400, 1000).save(&buf, "PNG");
    }
    const QString name = QString::fromStdString(run.name).toHtmlEscaped();
    QString h = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Run " + name +
                "</title><style>body{font-family:sans-serif;max-width:1450px;margin:auto}"
                "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                "table.cm td{text-align:center;min-width:3em}</style></head><body>";
    h += "<h1>Run " + name + "</h1>";
    h += "<p>" + runTitle(run).toHtmlEscaped() + "</p><h2>Result</h2><table>";
    auto row = [&](const QString& k, const QString& v) {
        h += "<tr><th align='left'>" + k.toHtmlEscaped() + "</th><td>" + v.toHtmlEscaped() +
             "</td></tr>";
    };
    row("status", QString::fromStdString(run.status));
    row("started", QString::fromStdString(run.startedAt));
    if (run.summary) {
        const RunSummary& s = *run.summary;
        row("mode", QString::fromStdString(s.mode));
        row("clean parameters", formatCount(s.params));
        row("best validation accuracy", QString::number(s.val_accuracy, 'f', 4));
        row("test accuracy at best validation", QString::number(s.test_accuracy, 'f', 4));
        row("best epoch / epochs", QString("%1 / %2").arg(s.best_epoch).arg(s.epochs));
        QStringList d;
        for (size_t i = 0; i < s.dendrites.size(); ++i)
            d << (i < s.wrapped_layers.size() ? QString::fromStdString(s.wrapped_layers[i]) + "="
                                              : QString()) +
                     QString::number(s.dendrites[i]);
        row("dendrites per wrapped layer", d.join(", "));
        row("seconds", QString::number(s.seconds, 'f', 1));
        if (!s.stop_reason.empty())
            row("stop reason", QString::fromStdString(s.stop_reason));
    }
    h += "</table><h2>Curves</h2><img alt='run figure' style='width:100%' "
         "src='data:image/png;base64," +
         QString::fromLatin1(png.toBase64()) + "'>";
    if (confusion) {
        h += "<h2>Confusion matrix (test split)</h2><p>accuracy " +
             QString::number(confusion->accuracy(), 'f', 4) + " on " +
             QString::number(confusion->truth.size()) + " clips</p>" + confusionHtml(*confusion);
    }
    h += "<h2>Configuration (every knob)</h2><table>";
    for (const KnobSpec& k : trainingKnobs())
        row(QString::fromStdString(k.name), QString::fromStdString(knobValue(run.config, k.name)));
    h += "</table></body></html>";
    const QByteArray bytes = h.toUtf8();
    return writeFileAtomic(htmlFile, std::string(bytes.constData(), size_t(bytes.size())));
}

} // namespace dw::ui
