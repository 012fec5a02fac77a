// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/run_plots.h"

#include "dw/ui/plot_style.h"

#include <QLocale>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dw::ui {

namespace {
constexpr double kHealthyScore = 1e-3; // raw score: the verdict of records without correlations
constexpr double kMinLogValue = 1e-7;  // log axes cannot show 0
constexpr int kDenseEpochs = 2000;     // from here on, the plots use thin, plain lines

const QColor kTrainColor(0x9a, 0x9a, 0x9a);
const QColor kValColor(0x1f, 0x4e, 0x9c);
const QColor kTestColor(0xc0, 0x39, 0x2b);
const QColor kAddColor(0x1b, 0x7a, 0x3a);
const QColor kRevertColor(0xc0, 0x39, 0x2b);

QColor layerColor(size_t i)
{
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf),
                                     QColor(0xbc, 0xbd, 0x22), QColor(0x7f, 0x7f, 0x7f)};
    return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

void placeX(QCPItemPosition* p, QCPAxisRect* rect, double x, double yRatio)
{
    p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    p->setAxisRect(rect);
    p->setTypeX(QCPItemPosition::ptPlotCoords);
    p->setTypeY(QCPItemPosition::ptAxisRectRatio);
    p->setCoords(x, yRatio);
}

QCPLegend* makeLegend(QCPAxisRect* rect, Qt::Alignment where)
{
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, where);
    legend->setLayer("legend");
    QFont f = legend->font();
    f.setPointSizeF(8);
    legend->setFont(f);
    legend->setBrush(QColor(255, 255, 255, 215));
    legend->setBorderPen(QPen(QColor(0xbb, 0xbb, 0xbb)));
    legend->setRowSpacing(0);
    return legend;
}
} // namespace

QString formatCount(long long n)
{
    QString digits = QString::number(std::llabs(n));
    for (int i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return n < 0 ? "-" + digits : digits;
}

QString runTitle(const RunRecord& run)
{
    QStringList parts;
    parts << QString::fromStdString(run.name.empty() ? run.dir.filename().string() : run.name);
    parts << QString::fromStdString(run.config.mode);
    if (run.summary) {
        parts << formatCount(run.summary->params) + " params";
        parts << QString("val %1").arg(run.summary->val_accuracy, 0, 'f', 3);
        parts << QString("test %1").arg(run.summary->test_accuracy, 0, 'f', 3);
    } else if (!run.epochs.empty()) {
        parts << formatCount(run.epochs.back().params) + " params";
    }
    if (!run.status.empty() && run.status != "finished")
        parts << QString::fromStdString(run.status);
    return parts.join(QString::fromUtf8(" \u00b7 "));
}

RunPlots::RunPlots(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(480, 360);
    layout->addWidget(m_plot);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setAntialiasedElements(QCP::aeAll);
    m_plot->setNotAntialiasedElements(QCP::aeItems); // crisp span edges
    m_plot->addLayer("shading", m_plot->layer("grid"), QCustomPlot::limBelow);

    m_plot->plotLayout()->clear();
    m_plot->plotLayout()->setRowSpacing(2);
    QFont titleFont = font();
    titleFont.setPointSizeF(11);
    titleFont.setBold(true);
    m_title = new QCPTextElement(m_plot, QString(), titleFont);
    m_plot->plotLayout()->addElement(0, 0, m_title);

    auto makeStrip = [this](const QString& label) {
        auto* strip = new QCPAxisRect(m_plot);
        strip->setupFullAxesBox(false);
        QCPAxis* y = strip->axis(QCPAxis::atLeft);
        y->setTicks(false);
        y->setTickLabels(false);
        y->setLabel(label);
        y->grid()->setVisible(false);
        y->setRange(0, 1);
        strip->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        strip->axis(QCPAxis::atBottom)->setTickLabels(false);
        strip->setMinimumSize(QSize(0, 34));
        strip->setMaximumSize(QSize(QWIDGETSIZE_MAX, 34));
        strip->setRangeDrag(Qt::Horizontal);
        return strip;
    };
    m_timeline = makeStrip("phase");
    m_timelineRight = makeStrip(" ");

    auto* grid = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, grid);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowStretchFactor(1, 1);

    m_acc = makePanel("accuracy", false);
    m_paramsRect = makePanel("clean parameters", false);
    m_loss = makePanel("loss", false);
    m_cand = makePanel("candidate correlation (P)", false);
    m_lrRect = makePanel("learning rate", true);
    m_time = makePanel("seconds / epoch", false);
    // One strip over each column, in the same grid: a strip's epoch axis then has exactly the
    // width and position of the panels' under it, so a phase boundary lines up with the switch
    // epoch in every panel (one strip over the whole figure drew it elsewhere).
    grid->addElement(0, 0, m_timeline);
    grid->addElement(0, 1, m_timelineRight);
    grid->addElement(1, 0, m_acc);
    grid->addElement(1, 1, m_paramsRect);
    grid->addElement(2, 0, m_loss);
    grid->addElement(2, 1, m_cand);
    grid->addElement(3, 0, m_lrRect);
    grid->addElement(3, 1, m_time);
    grid->setColumnStretchFactor(0, 1.25);
    grid->setColumnStretchFactor(1, 1);
    grid->setRowStretchFactor(0, 0.001);
    grid->setRowSpacing(2);

    // Left and right edges line up within each column (strip and panels).
    auto* left = new QCPMarginGroup(m_plot);
    auto* leftRight = new QCPMarginGroup(m_plot);
    auto* right = new QCPMarginGroup(m_plot);
    auto* rightLeft = new QCPMarginGroup(m_plot);
    for (QCPAxisRect* r : {m_timeline, m_acc, m_loss, m_lrRect}) {
        r->setMarginGroup(QCP::msLeft, left);
        r->setMarginGroup(QCP::msRight, leftRight);
    }
    for (QCPAxisRect* r : {m_timelineRight, m_paramsRect, m_cand, m_time}) {
        r->setMarginGroup(QCP::msLeft, rightLeft);
        r->setMarginGroup(QCP::msRight, right);
    }

    m_trainAcc = makeGraph(m_acc, kTrainColor, "train");
    m_valAcc = makeGraph(m_acc, kValColor, "validation", Qt::SolidLine, 2.2);
    m_testAcc = makeGraph(m_acc, kTestColor, "test", Qt::DashLine, 1.5);
    m_bestVal = makeGraph(m_acc, kValColor, "best validation");
    m_bestVal->setLineStyle(QCPGraph::lsNone);
    m_bestVal->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssStar, QPen(Qt::black, 1.5), Qt::NoBrush, 12));
    m_trainLoss = makeGraph(m_loss, kTrainColor, "train");
    m_valLoss = makeGraph(m_loss, kValColor, "validation", Qt::SolidLine, 2.0);
    m_params = makeGraph(m_paramsRect, kAddColor, "clean parameters", Qt::SolidLine, 2.0);
    m_params->setLineStyle(QCPGraph::lsStepLeft);
    m_lr = makeGraph(m_lrRect, QColor(0x55, 0x55, 0x55), "neurons (N)");
    m_lr->setLineStyle(QCPGraph::lsStepLeft);
    // The candidates' own rate: a fresh optimizer and plateau schedule in every P-phase.
    m_lrP = makeGraph(m_lrRect, phaseStripColor('P'), "candidates (P)", Qt::SolidLine, 2.0);
    m_lrP->setLineStyle(QCPGraph::lsStepLeft);
    m_lrP->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    m_seconds = makeGraph(m_time, QColor(0x55, 0x55, 0x55), "seconds");
    m_seconds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));

    // Top left, two columns: accuracy starts low and climbs to the right, so that corner stays
    // clear of the curves (bottom right covered the newest epochs and the best-validation star).
    QCPLegend* accLegend = makeLegend(m_acc, Qt::AlignTop | Qt::AlignLeft);
    accLegend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    accLegend->setWrap(2);
    accLegend->setColumnSpacing(6);
    for (QCPGraph* g : {m_trainAcc, m_valAcc, m_testAcc, m_bestVal})
        g->addToLegend(accLegend);
    QCPLegend* lossLegend = makeLegend(m_loss, Qt::AlignTop | Qt::AlignRight);
    for (QCPGraph* g : {m_trainLoss, m_valLoss})
        g->addToLegend(lossLegend);
    QCPLegend* lrLegend = makeLegend(m_lrRect, Qt::AlignTop | Qt::AlignRight);
    for (QCPGraph* g : {m_lr, m_lrP})
        g->addToLegend(lrLegend);
    makeLegend(m_cand, Qt::AlignBottom | Qt::AlignRight)->setVisible(false);

    // Candidates: normalised correlation on the left (0..1), best raw score on a log right axis.
    QCPAxis* scoreAxis = m_cand->axis(QCPAxis::atRight);
    scoreAxis->setVisible(true);
    scoreAxis->setTickLabels(true);
    scoreAxis->setLabel(tr("best score (dashed)"));
    scoreAxis->setScaleType(QCPAxis::stLogarithmic);
    scoreAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
    scoreAxis->setNumberFormat("eb");
    scoreAxis->setNumberPrecision(0);
    scoreAxis->setLabelFont(m_cand->axis(QCPAxis::atLeft)->labelFont());
    scoreAxis->setTickLabelFont(m_cand->axis(QCPAxis::atLeft)->tickLabelFont());

    // The "weak candidates" level of the normalised correlation (kWeakCorrelation, 0.05).
    const QColor weakColor(0xc0, 0x6a, 0x00);
    auto* weak = new QCPItemStraightLine(m_plot);
    weak->setClipAxisRect(m_cand);
    weak->point1->setAxes(m_cand->axis(QCPAxis::atBottom), m_cand->axis(QCPAxis::atLeft));
    weak->point2->setAxes(m_cand->axis(QCPAxis::atBottom), m_cand->axis(QCPAxis::atLeft));
    weak->point1->setCoords(0, kWeakCorrelation);
    weak->point2->setCoords(1, kWeakCorrelation);
    weak->setPen(QPen(weakColor, 1.2, Qt::DashLine));
    auto* weakText = new QCPItemText(m_plot);
    weakText->setClipAxisRect(m_cand);
    weakText->position->setAxes(m_cand->axis(QCPAxis::atBottom), m_cand->axis(QCPAxis::atLeft));
    weakText->position->setAxisRect(m_cand);
    weakText->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    weakText->position->setTypeY(QCPItemPosition::ptPlotCoords);
    // Left end of the line: the layer legend sits in the bottom right corner.
    weakText->position->setCoords(0.01, kWeakCorrelation);
    weakText->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    weakText->setText(tr("weak < %1").arg(kWeakCorrelation));
    weakText->setColor(weakColor);
    QFont small = font();
    small.setPointSizeF(8);
    weakText->setFont(small);

    m_candText = new QCPItemText(m_plot);
    m_candText->setClipAxisRect(m_cand);
    m_candText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_candText->position->setAxisRect(m_cand);
    // Top left, on a light box: the healthy line's label sits at the right end of the line.
    m_candText->position->setCoords(0.01, 0.02);
    m_candText->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_candText->setBrush(QColor(255, 255, 255, 200));
    m_candText->setPadding(QMargins(3, 1, 3, 1));
    m_candText->setFont(small);
    m_candText->setColor(QColor(0x66, 0x66, 0x66));

    attachExportMenu(m_plot, "run");
    clear();
}

QCPAxisRect* RunPlots::makePanel(const QString& yLabel, bool logY)
{
    auto* rect = new QCPAxisRect(m_plot);
    rect->setRangeDrag(Qt::Horizontal);
    rect->setRangeZoom(Qt::Horizontal);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    x->setLabel(tr("epoch"));
    y->setLabel(yLabel);
    QFont f = font();
    f.setPointSizeF(8.5);
    x->setLabelFont(f);
    y->setLabelFont(f);
    f.setPointSizeF(8);
    x->setTickLabelFont(f);
    y->setTickLabelFont(f);
    x->grid()->setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 0, Qt::DotLine));
    y->grid()->setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 0, Qt::DotLine));
    if (logY) {
        y->setScaleType(QCPAxis::stLogarithmic);
        QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
        y->setTicker(ticker);
        y->setNumberFormat("eb");
        y->setNumberPrecision(0);
    }
    return rect;
}

QCPGraph* RunPlots::makeGraph(QCPAxisRect* rect, const QColor& color, const QString& name,
                              Qt::PenStyle style, double width)
{
    QCPGraph* g = m_plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    g->setPen(QPen(color, width, style));
    g->setName(name);
    g->removeFromLegend();
    return g;
}

QCPAxisRect* RunPlots::panel(Panel p) const
{
    switch (p) {
    case Panel::Timeline:
        return m_timeline;
    case Panel::TimelineRight:
        return m_timelineRight;
    case Panel::Accuracy:
        return m_acc;
    case Panel::Params:
        return m_paramsRect;
    case Panel::Loss:
        return m_loss;
    case Panel::Candidates:
        return m_cand;
    case Panel::LearningRate:
        return m_lrRect;
    case Panel::EpochTime:
        return m_time;
    }
    return nullptr;
}

void RunPlots::clear()
{
    for (QCPAbstractItem* item : m_dynamicItems)
        m_plot->removeItem(item);
    m_dynamicItems.clear();
    m_spanItems.clear();
    m_spans.clear();
    for (QCPGraph* g : {m_trainAcc, m_valAcc, m_testAcc, m_bestVal, m_trainLoss, m_valLoss,
                        m_params, m_lr, m_lrP, m_seconds})
        g->data()->clear();
    for (QCPGraph* g : m_candidates)
        m_plot->removeGraph(g);
    for (QCPGraph* g : m_correlations)
        m_plot->removeGraph(g);
    m_candidates.clear();
    m_correlations.clear();
    setDenseStyle(false);
    if (QCPLegend* l = qobject_cast<QCPLegend*>(m_cand->insetLayout()->elementAt(0)))
        l->setVisible(false);
    m_epochs = m_lastEpoch = m_additions = m_reverts = m_pEpochs = 0;
    m_bestValAcc = -1;
    m_maxCandScore = 0;
    m_maxCorrelation = 0;
    m_lastCorrelation = -1;
    m_minAcc = 1.0;
    m_candText->setText(candidateVerdict());
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlots::setTitle(const QString& title)
{
    m_title->setText(title);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlots::setLayerNames(const std::vector<std::string>& names)
{
    m_layerNames = names;
    for (size_t i = 0; i < m_candidates.size() && i < names.size(); ++i) {
        m_correlations[i]->setName(QString::fromStdString(names[i]));
        m_candidates[i]->setName(QString::fromStdString(names[i]) + " score");
    }
}

void RunPlots::setRun(const RunRecord& run)
{
    clear();
    if (run.summary)
        setLayerNames(run.summary->wrapped_layers);
    // Replay in time order, exactly like a live run, so both paths draw the same figure.
    std::vector<SwitchRecord> switches = run.switches;
    std::stable_sort(
        switches.begin(), switches.end(),
        [](const SwitchRecord& a, const SwitchRecord& b) { return a.epoch < b.epoch; });
    size_t si = 0;
    for (const EpochRecord& e : run.epochs) {
        while (si < switches.size() && switches[si].epoch < e.epoch)
            appendSwitch(switches[si++]);
        appendEpoch(e);
    }
    while (si < switches.size())
        appendSwitch(switches[si++]);
    setTitle(runTitle(run));
}

void RunPlots::ensureCandidateGraphs(size_t n)
{
    auto* legend = qobject_cast<QCPLegend*>(m_cand->insetLayout()->elementAt(0));
    while (m_candidates.size() < n) {
        const size_t i = m_candidates.size();
        QString name = i < m_layerNames.size() ? QString::fromStdString(m_layerNames[i])
                                               : tr("layer %1").arg(i + 1);
        // Correlation: solid with dots, in the legend; score: thin dashed, same colour.
        QCPGraph* corr = makeGraph(m_cand, layerColor(i), name, Qt::SolidLine, 1.6);
        corr->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        QCPGraph* g =
            m_plot->addGraph(m_cand->axis(QCPAxis::atBottom), m_cand->axis(QCPAxis::atRight));
        g->setPen(QPen(layerColor(i), 1.1, Qt::DashLine));
        g->setName(name + " score");
        g->removeFromLegend();
        if (m_dense) {
            thinGraph(corr);
            thinGraph(g);
        }
        if (legend) {
            corr->addToLegend(legend);
            legend->setVisible(true);
        }
        m_candidates.push_back(g);
        m_correlations.push_back(corr);
    }
}

void RunPlots::appendEpoch(const EpochRecord& e)
{
    const double x = e.epoch;
    m_trainAcc->addData(x, e.train_accuracy);
    m_valAcc->addData(x, e.val_accuracy);
    m_testAcc->addData(x, e.test_accuracy);
    m_trainLoss->addData(x, e.train_loss);
    m_valLoss->addData(x, e.val_loss);
    m_params->addData(x, double(e.params));
    // One rate line per phase kind, broken (NaN) where the other one runs.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool p = e.phase == 'P';
    m_lr->addData(x, !p && e.lr > 0 ? e.lr : nan);
    m_lrP->addData(x, p && e.lr > 0 ? e.lr : nan);
    m_seconds->addData(x, e.seconds);
    m_minAcc = std::min({m_minAcc, e.train_accuracy, e.val_accuracy, e.test_accuracy});
    if (e.val_accuracy > m_bestValAcc) {
        m_bestValAcc = e.val_accuracy;
        m_bestVal->data()->clear();
        m_bestVal->addData(x, e.val_accuracy);
    }
    if (p) {
        ++m_pEpochs;
        ensureCandidateGraphs(std::max(e.candidate_scores.size(), e.candidate_correlations.size()));
        for (size_t i = 0; i < m_candidates.size(); ++i) {
            if (i < e.candidate_scores.size()) {
                const double s = std::abs(e.candidate_scores[i]);
                m_maxCandScore = std::max(m_maxCandScore, s);
                m_candidates[i]->addData(x, std::max(s, kMinLogValue));
            } else {
                m_candidates[i]->addData(x, nan);
            }
            m_correlations[i]->addData(
                x, i < e.candidate_correlations.size() ? e.candidate_correlations[i] : nan);
        }
        if (!e.candidate_correlations.empty()) {
            m_lastCorrelation =
                *std::max_element(e.candidate_correlations.begin(), e.candidate_correlations.end());
            m_maxCorrelation = std::max(m_maxCorrelation, m_lastCorrelation);
        }
    } else {
        // A NaN breaks the line so the scores of separate P-phases are not joined across N.
        for (QCPGraph* g : m_candidates)
            g->addData(x, nan);
        for (QCPGraph* g : m_correlations)
            g->addData(x, nan);
    }
    m_candText->setText(candidateVerdict());

    if (m_spans.addEpoch(e))
        addSpanItems(m_spans.spans().back());
    else
        updateLastSpanItems();
    ++m_epochs;
    if (m_epochs == kDenseEpochs)
        setDenseStyle(true);
    m_lastEpoch = std::max(m_lastEpoch, e.epoch);
    refreshTimelineLabels();
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void RunPlots::setDenseStyle(bool dense)
{
    // Thousands of epochs: QCustomPlot's adaptive sampling already keeps about two points per
    // pixel column, but antialiased, wide and dashed pens and a symbol per epoch still made a
    // replot of 10,000 epochs cost ~170 ms. From kDenseEpochs on, curves are 1 px solid lines
    // without antialiasing and the per-epoch dots become a line (the best-validation star stays);
    // clear() brings the normal style back.
    if (dense == m_dense)
        return;
    m_dense = dense;
    if (!dense) {
        m_plot->setAntialiasedElements(QCP::aeAll);
        m_plot->setNotAntialiasedElements(QCP::aeItems);
        for (const auto& [g, pen, scatter] : m_normalStyles) {
            g->setPen(pen);
            g->setScatterStyle(scatter);
        }
        m_normalStyles.clear();
        return;
    }
    m_plot->setNotAntialiasedElements(QCP::aePlottables | QCP::aeItems);
    for (QCPGraph* g : {m_trainAcc, m_valAcc, m_testAcc, m_trainLoss, m_valLoss, m_params, m_lr,
                        m_lrP, m_seconds}) {
        m_normalStyles.emplace_back(g, g->pen(), g->scatterStyle());
        thinGraph(g);
    }
    for (QCPGraph* g : m_candidates)
        thinGraph(g); // removed by clear(), never restored
    for (QCPGraph* g : m_correlations)
        thinGraph(g);
}

void RunPlots::thinGraph(QCPGraph* g)
{
    QPen pen = g->pen();
    pen.setWidthF(1.0);
    pen.setStyle(Qt::SolidLine);
    g->setPen(pen);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssNone));
}

void RunPlots::appendSwitch(const SwitchRecord& s)
{
    m_spans.addSwitch(s);
    if (s.kind == "added" || s.kind == "reverted")
        addMarker(s);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString RunPlots::candidateVerdict() const
{
    if (m_pEpochs == 0)
        return m_epochs == 0 ? QString() : tr("no P-phase yet (cc runs train candidates here)");
    if (m_lastCorrelation >= 0) {
        if (m_lastCorrelation >= kWeakCorrelation)
            return tr("healthy: correlation %1 with the remaining error")
                .arg(m_lastCorrelation, 0, 'f', 2);
        return tr("weak candidates: correlation %1 < %2; they learn little (try another "
                  "dendrite_activation or a higher init_multiplier)")
            .arg(m_lastCorrelation, 0, 'f', 3)
            .arg(kWeakCorrelation);
    }
    if (m_maxCandScore >= kHealthyScore)
        return tr("healthy: candidates correlate with the remaining error");
    if (m_maxCandScore < 1e-5)
        return tr("scores near zero: the candidates learn nothing");
    return tr("weak scores (below 1e-3): candidates learn little");
}

void RunPlots::addSpanItems(const PhaseSpan& span)
{
    SpanItems items;
    const double x0 = span.firstEpoch - 0.5;
    const double x1 = span.lastEpoch + 0.5;
    for (QCPAxisRect* rect : {m_acc, m_paramsRect, m_loss, m_cand, m_lrRect, m_time}) {
        auto* r = new QCPItemRect(m_plot);
        r->setLayer("shading");
        r->setClipAxisRect(rect);
        r->setSelectable(false);
        placeX(r->topLeft, rect, x0, 0);
        placeX(r->bottomRight, rect, x1, 1);
        r->setPen(Qt::NoPen);
        r->setBrush(phaseFillColor(span.phase));
        items.shades.push_back(r);
        trackItem(r);
    }
    for (QCPAxisRect* strip : {m_timeline, m_timelineRight}) {
        auto* block = new QCPItemRect(m_plot);
        block->setClipAxisRect(strip);
        block->setSelectable(false);
        placeX(block->topLeft, strip, x0, 0.08);
        placeX(block->bottomRight, strip, x1, 0.92);
        block->setPen(QPen(Qt::white, 1.5));
        block->setBrush(phaseStripColor(span.phase));
        trackItem(block);
        items.blocks.push_back(block);

        auto* text = new QCPItemText(m_plot);
        text->setClipAxisRect(strip);
        text->setSelectable(false);
        placeX(text->position, strip, (x0 + x1) / 2, 0.5);
        text->setPositionAlignment(Qt::AlignCenter);
        text->setColor(Qt::white);
        QFont f = font();
        f.setPointSizeF(8.5);
        f.setBold(true);
        text->setFont(f);
        trackItem(text);
        items.texts.push_back(text);
    }
    m_spanItems.push_back(items);
}

void RunPlots::updateLastSpanItems()
{
    if (m_spanItems.empty() || m_spans.spans().empty())
        return;
    const PhaseSpan& span = m_spans.spans().back();
    const double x0 = span.firstEpoch - 0.5;
    const double x1 = span.lastEpoch + 0.5;
    SpanItems& items = m_spanItems.back();
    for (QCPAbstractItem* item : items.shades) {
        auto* r = static_cast<QCPItemRect*>(item);
        r->topLeft->setCoords(x0, 0);
        r->bottomRight->setCoords(x1, 1);
    }
    for (QCPAbstractItem* item : items.blocks) {
        auto* block = static_cast<QCPItemRect*>(item);
        block->topLeft->setCoords(x0, 0.08);
        block->bottomRight->setCoords(x1, 0.92);
    }
    for (QCPItemText* text : items.texts)
        text->position->setCoords((x0 + x1) / 2, 0.5);
}

void RunPlots::refreshTimelineLabels()
{
    // Per strip: the label with why the span ended where the block is wide enough, else the
    // short label, else just the phase letter.
    const double epochs = std::max(5, m_lastEpoch);
    const auto& spans = m_spans.spans();
    const QCPAxisRect* strips[] = {m_timeline, m_timelineRight};
    for (size_t s = 0; s < 2; ++s) {
        const double width = std::max(150, strips[s]->width() > 0 ? strips[s]->width() : 500);
        for (size_t i = 0; i < spans.size() && i < m_spanItems.size(); ++i) {
            if (s >= m_spanItems[i].texts.size())
                continue;
            const double px = (spans[i].lastEpoch - spans[i].firstEpoch + 1) / epochs * width;
            const QString full = QString::fromStdString(spans[i].longLabel());
            const QString medium = QString::fromStdString(spans[i].label());
            m_spanItems[i].texts[s]->setText(px >= 7.0 * full.size() ? full
                                             : px >= 7.0 * medium.size()
                                                 ? medium
                                                 : QString(QChar(spans[i].phase)));
        }
    }
}

QStringList RunPlots::timelineLabels() const
{
    QStringList out;
    for (const SpanItems& items : m_spanItems)
        out << (items.texts.empty() ? QString() : items.texts.front()->text());
    return out;
}

void RunPlots::addMarker(const SwitchRecord& s)
{
    const bool added = s.kind == "added";
    const QColor color = added ? kAddColor : kRevertColor;
    const double x = s.epoch + 0.5;
    for (QCPAxisRect* rect : {m_acc, m_timeline, m_timelineRight}) {
        auto* line = new QCPItemLine(m_plot);
        line->setClipAxisRect(rect);
        line->setSelectable(false);
        placeX(line->start, rect, x, 0);
        placeX(line->end, rect, x, 1);
        line->setPen(QPen(color, added ? 2.0 : 1.6, added ? Qt::SolidLine : Qt::DotLine));
        trackItem(line);
    }
    auto* text = new QCPItemText(m_plot);
    text->setClipAxisRect(m_acc);
    text->setSelectable(false);
    placeX(text->position, m_acc, x, added ? 0.03 : 0.14);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    text->setText(
        added ? QString::fromUtf8("+dendrite \u2192 %1 p").arg(formatCount(s.params))
              : QString::fromUtf8("\u2717 reverted \u2192 %1 p").arg(formatCount(s.params)));
    text->setColor(color);
    text->setBrush(QColor(255, 255, 255, 200));
    text->setPadding(QMargins(2, 1, 2, 1));
    QFont f = font();
    f.setPointSizeF(8);
    f.setBold(added);
    text->setFont(f);
    trackItem(text);
    if (added)
        ++m_additions;
    else
        ++m_reverts;
}

void RunPlots::rescale()
{
    const double upper = std::max(5, m_lastEpoch) + 0.5;
    for (QCPAxisRect* r :
         {m_timeline, m_timelineRight, m_acc, m_paramsRect, m_loss, m_cand, m_lrRect, m_time})
        r->axis(QCPAxis::atBottom)->setRange(0.5, upper);
    if (m_epochs == 0) {
        m_acc->axis(QCPAxis::atLeft)->setRange(0, 1);
        m_loss->axis(QCPAxis::atLeft)->setRange(0, 1);
        m_paramsRect->axis(QCPAxis::atLeft)->setRange(0, 1000);
        m_cand->axis(QCPAxis::atLeft)->setRange(0, 1);
        m_cand->axis(QCPAxis::atRight)->setRange(1e-6, 1e-1);
        m_lrRect->axis(QCPAxis::atLeft)->setRange(1e-5, 1e-1);
        m_time->axis(QCPAxis::atLeft)->setRange(0, 1);
        return;
    }
    const double lo = std::clamp(std::floor((m_minAcc - 0.02) * 20.0) / 20.0, 0.0, 0.95);
    m_acc->axis(QCPAxis::atLeft)->setRange(lo, 1.005);
    bool found = false;
    QCPRange r = m_trainLoss->data()->valueRange(found);
    QCPRange r2 = m_valLoss->data()->valueRange(found);
    double lossMax = std::max(r.upper, r2.upper);
    if (!std::isfinite(lossMax) || lossMax <= 0)
        lossMax = 1;
    m_loss->axis(QCPAxis::atLeft)->setRange(0, lossMax * 1.08);
    QCPRange pr = m_params->data()->valueRange(found);
    m_paramsRect->axis(QCPAxis::atLeft)->setRange(0, std::max(1.0, pr.upper) * 1.15);
    double lrLo = std::numeric_limits<double>::infinity(), lrHi = 0;
    for (QCPGraph* g : {m_lr, m_lrP}) {
        bool any = false;
        QCPRange gr = g->data()->valueRange(any, QCP::sdPositive);
        if (any) {
            lrLo = std::min(lrLo, gr.lower);
            lrHi = std::max(lrHi, gr.upper);
        }
    }
    if (lrHi > 0)
        m_lrRect->axis(QCPAxis::atLeft)->setRange(lrLo / 2, lrHi * 2);
    double candMax = std::max(m_maxCandScore, kHealthyScore) * 3;
    double candMin = kHealthyScore / 10;
    for (QCPGraph* g : m_candidates) {
        QCPRange cr = g->data()->valueRange(found, QCP::sdBoth);
        if (found && std::isfinite(cr.lower))
            candMin = std::min(candMin, cr.lower / 2);
    }
    m_cand->axis(QCPAxis::atRight)->setRange(std::max(candMin, kMinLogValue / 2), candMax);
    m_cand->axis(QCPAxis::atLeft)
        ->setRange(0, std::min(1.05, std::max(m_maxCorrelation, 2 * kWeakCorrelation) * 1.15));
    QCPRange tr = m_seconds->data()->valueRange(found);
    m_time->axis(QCPAxis::atLeft)->setRange(0, std::max(1e-3, tr.upper) * 1.15);
}

void RunPlots::layoutAt(int width, int height)
{
    // A hidden QCustomPlot gets no resize event, so its viewport (and every axis rect) keeps
    // the size it had when last shown; lay it out at the figure's size, then choose the strip
    // labels for the widths they really have.
    const int w = width > 0 ? width : m_plot->width();
    const int h = height > 0 ? height : m_plot->height();
    m_plot->setViewport(QRect(0, 0, w, h));
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    refreshTimelineLabels();
}

Status RunPlots::save(const std::filesystem::path& out, int width, int height)
{
    if (!m_plot->isVisible())
        layoutAt(width, height);
    else
        refreshTimelineLabels();
    return savePlot(m_plot, out, width, height);
}

Status renderRunPlot(const RunRecord& run, const std::filesystem::path& out, int width, int height)
{
    if (auto s = ensureGuiApplication(); !s)
        return s;
    RunPlots plots;
    plots.resize(width, height);
    plots.setRun(run);
    return plots.save(out, width, height);
}

} // namespace dw::ui
