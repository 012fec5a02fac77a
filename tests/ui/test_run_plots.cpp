// SPDX-License-Identifier: GPL-3.0-or-later
// RunPlots: phases, markers, incremental updates and export, on synthetic run records.
#include "synthetic_runs.h"

#include "dw/ui/phase_timeline.h"
#include "dw/ui/plot_style.h"
#include "dw/ui/run_plots.h"

#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace dw;
using namespace dw::ui;

class TestRunPlots : public QObject
{
    Q_OBJECT
private slots:
    void phaseSpansOfCcRun();
    void phaseSpansGdSplitsAtAdditions();
    void setRunDrawsPhasesAndMarkers();
    void stripsLineUpWithTheEpochAxes();
    void spansSayWhyTheyEnded();
    void liveAppendEqualsFinishedRun();
    void appendIsIncremental();
    void longRunsUseThinLinesUntilCleared();
    void candidateVerdict_data();
    void candidateVerdict();
    void saveFormats_data();
    void saveFormats();
    void renderRunPlotHeadless();
    void modelColoursDistinct();
};

void TestRunPlots::phaseSpansOfCcRun()
{
    const RunRecord run = test::syntheticCcRun();
    const auto spans = phaseSpans(run.epochs, run.switches);
    // N(1-8) P(9-12) N(13-20) P(21-23) N(24-30) [reverted] N(31-34)
    QCOMPARE(int(spans.size()), 6);
    const char phases[] = {'N', 'P', 'N', 'P', 'N', 'N'};
    const int first[] = {1, 9, 13, 21, 24, 31};
    const int last[] = {8, 12, 20, 23, 30, 34};
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(spans[i].phase, phases[i]);
        QCOMPARE(spans[i].firstEpoch, first[i]);
        QCOMPARE(spans[i].lastEpoch, last[i]);
    }
    QCOMPARE(spans[2].dendrites, 1);
    QCOMPARE(QString::fromStdString(spans[1].label()), QString::fromUtf8("P  K=0\u21921"));
}

void TestRunPlots::phaseSpansGdSplitsAtAdditions()
{
    std::vector<EpochRecord> epochs;
    for (int e = 1; e <= 10; ++e)
        epochs.push_back(test::syntheticEpoch(e, 'N', e > 5 ? 1 : 0, 100, 0.6));
    const std::vector<SwitchRecord> switches = {{5, "added", 1, 200, "", ""}};
    const auto spans = phaseSpans(epochs, switches);
    QCOMPARE(int(spans.size()), 2);
    QCOMPARE(spans[0].lastEpoch, 5);
    QCOMPARE(spans[1].firstEpoch, 6);
    QCOMPARE(spans[1].phase, 'N');
}

void TestRunPlots::setRunDrawsPhasesAndMarkers()
{
    RunPlots plots;
    plots.resize(1200, 900);
    const RunRecord run = test::syntheticCcRun();
    plots.setRun(run);
    QCOMPARE(plots.epochCount(), int(run.epochs.size()));
    QCOMPARE(plots.valAccuracyGraph()->dataCount(), int(run.epochs.size()));
    QCOMPARE(plots.testAccuracyGraph()->dataCount(), int(run.epochs.size()));
    QCOMPARE(plots.additionMarkerCount(), 2);
    QCOMPARE(plots.revertMarkerCount(), 1);
    QCOMPARE(int(plots.phaseSpans().size()), 6);
    QCOMPARE(int(plots.candidateGraphs().size()), 2);
    QCOMPARE(plots.correlationGraphs()[0]->name(), QString("fc1"));
    QCOMPARE(plots.candidateGraphs()[0]->name(), QString("fc1 score"));
    // The parameter step line reaches the added dendrites' counts.
    bool found = false;
    QVERIFY(plots.paramsGraph()->data()->valueRange(found).upper > 3000);
    // Learning rate and candidate scores use log axes; the correlation (left) is linear.
    QCOMPARE(plots.panel(RunPlots::Panel::LearningRate)->axis(QCPAxis::atLeft)->scaleType(),
             QCPAxis::stLogarithmic);
    QCOMPARE(plots.panel(RunPlots::Panel::Candidates)->axis(QCPAxis::atRight)->scaleType(),
             QCPAxis::stLogarithmic);
    QCOMPARE(plots.panel(RunPlots::Panel::Candidates)->axis(QCPAxis::atLeft)->scaleType(),
             QCPAxis::stLinear);
    QCOMPARE(int(plots.correlationGraphs().size()), 2);
    // P epochs draw the candidates' rate, N epochs the neurons' (each broken where the other
    // runs): 7 P epochs in the synthetic run.
    int pRates = 0, nRates = 0;
    for (auto it = plots.candidateRateGraph()->data()->constBegin();
         it != plots.candidateRateGraph()->data()->constEnd(); ++it)
        pRates += std::isnan(it->value) ? 0 : 1;
    for (auto it = plots.learningRateGraph()->data()->constBegin();
         it != plots.learningRateGraph()->data()->constEnd(); ++it)
        nRates += std::isnan(it->value) ? 0 : 1;
    QCOMPARE(pRates, 7);
    QCOMPARE(nRates, int(run.epochs.size()) - 7);
    // Shading: one rect per span in each of the 6 time panels, plus a block in each strip.
    int rects = 0;
    for (int i = 0; i < plots.customPlot()->itemCount(); ++i)
        if (qobject_cast<QCPItemRect*>(plots.customPlot()->item(i)))
            ++rects;
    QCOMPARE(rects, 6 * 8);
    QVERIFY(plots.customPlot()->layer("shading") != nullptr);
}

// A phase boundary in a strip is drawn at the switch epoch of the panels under it (the old single
// strip across the figure put the first N/P boundary a column's width away from it).
void TestRunPlots::stripsLineUpWithTheEpochAxes()
{
    RunPlots plots;
    plots.resize(1400, 950);
    plots.setRun(test::syntheticCcRun());
    plots.layoutAt(1400, 950);
    const std::pair<RunPlots::Panel, RunPlots::Panel> columns[] = {
        {RunPlots::Panel::Timeline, RunPlots::Panel::Accuracy},
        {RunPlots::Panel::Timeline, RunPlots::Panel::LearningRate},
        {RunPlots::Panel::TimelineRight, RunPlots::Panel::Params},
        {RunPlots::Panel::TimelineRight, RunPlots::Panel::Candidates}};
    for (const auto& [stripId, panelId] : columns) {
        QCPAxisRect* strip = plots.panel(stripId);
        QCPAxisRect* panel = plots.panel(panelId);
        QVERIFY2(strip->width() > 300 && panel->width() > 300, "not laid out");
        QVERIFY(std::abs(strip->left() - panel->left()) <= 1);
        QVERIFY(std::abs(strip->right() - panel->right()) <= 1);
        int checked = 0;
        for (int i = 0; i < plots.customPlot()->itemCount(); ++i) {
            auto* r = qobject_cast<QCPItemRect*>(plots.customPlot()->item(i));
            if (!r || r->clipAxisRect() != strip)
                continue;
            // The block's left edge is at firstEpoch - 0.5 on the strip's axis; the panel's
            // axis puts the same epoch at the same pixel.
            const double x0 = r->topLeft->coords().x();
            const double stripPx = r->topLeft->pixelPosition().x();
            const double panelPx = panel->axis(QCPAxis::atBottom)->coordToPixel(x0);
            QVERIFY2(std::abs(stripPx - panelPx) <= 1.0,
                     qPrintable(QString("epoch %1: strip at %2 px, panel at %3 px")
                                    .arg(x0 + 0.5)
                                    .arg(stripPx)
                                    .arg(panelPx)));
            ++checked;
        }
        QCOMPARE(checked, 6);
    }
}

void TestRunPlots::spansSayWhyTheyEnded()
{
    const RunRecord run = test::syntheticCcRun();
    const auto spans = phaseSpans(run.epochs, run.switches);
    QCOMPARE(spans[0].endReason, std::string("n_patience"));
    QCOMPARE(spans[0].outcome, std::string("N->P"));
    QCOMPARE(spans[1].endReason, std::string("p_patience"));
    QCOMPARE(spans[1].outcome, std::string("added, P->N"));
    QCOMPARE(spans[4].outcome, std::string("reverted"));
    QCOMPARE(spans[5].endReason, std::string("max_tries"));
    QCOMPARE(QString::fromStdString(spans[1].longLabel()),
             QString::fromUtf8("P  K=0\u21921 \u00b7 p_patience"));
    // Drawn in the strip where there is room (a wide figure has room for all of them).
    RunPlots plots;
    plots.setRun(run);
    plots.layoutAt(3000, 900);
    const QStringList labels = plots.timelineLabels();
    QCOMPARE(labels.size(), 6);
    QVERIFY2(labels[0].contains("n_patience"), qPrintable(labels.join(" | ")));
}

void TestRunPlots::liveAppendEqualsFinishedRun()
{
    const RunRecord run = test::syntheticCcRun();
    RunPlots live;
    size_t si = 0;
    for (const EpochRecord& e : run.epochs) {
        while (si < run.switches.size() && run.switches[si].epoch < e.epoch)
            live.appendSwitch(run.switches[si++]);
        live.appendEpoch(e);
    }
    while (si < run.switches.size())
        live.appendSwitch(run.switches[si++]);
    RunPlots finished;
    finished.setRun(run);
    QCOMPARE(live.phaseSpans().size(), finished.phaseSpans().size());
    QCOMPARE(live.additionMarkerCount(), finished.additionMarkerCount());
    QCOMPARE(live.valAccuracyGraph()->dataCount(), finished.valAccuracyGraph()->dataCount());
    QCOMPARE(live.customPlot()->itemCount(), finished.customPlot()->itemCount());
}

void TestRunPlots::appendIsIncremental()
{
    RunPlots plots;
    plots.appendEpoch(test::syntheticEpoch(1, 'N', 0, 100, 0.5));
    const int items = plots.customPlot()->itemCount();
    QCPGraph* val = plots.valAccuracyGraph();
    // Same phase: the span grows, no new items, same graph objects, one more point.
    plots.appendEpoch(test::syntheticEpoch(2, 'N', 0, 100, 0.6));
    QCOMPARE(plots.customPlot()->itemCount(), items);
    QCOMPARE(plots.valAccuracyGraph(), val);
    QCOMPARE(val->dataCount(), 2);
    QCOMPARE(plots.phaseSpans().back().lastEpoch, 2);
    // A switch to P starts a new span.
    plots.appendSwitch({2, "N->P", 0, 100, "", "n_patience"});
    plots.appendEpoch(test::syntheticEpoch(3, 'P', 0, 100, 0.6));
    QCOMPARE(int(plots.phaseSpans().size()), 2);
    QVERIFY(plots.customPlot()->itemCount() > items);
}

// From 2,000 epochs on, curves are drawn 1 px wide, solid, without antialiasing or per-epoch
// symbols (a 10,000-epoch replot went from ~170 ms to ~6 ms); clear() restores the normal style.
void TestRunPlots::longRunsUseThinLinesUntilCleared()
{
    RunPlots plots;
    QCPGraph* val = plots.valAccuracyGraph();
    const QPen normalPen = val->pen();
    QVERIFY(normalPen.widthF() > 1.0); // validation is the thick curve
    QVERIFY(!plots.customPlot()->notAntialiasedElements().testFlag(QCP::aePlottables));
    for (int e = 1; e < 2000; ++e)
        plots.appendEpoch(test::syntheticEpoch(e, 'N', 0, 100, 0.5));
    QCOMPARE(val->pen().widthF(), normalPen.widthF());
    plots.appendEpoch(test::syntheticEpoch(2000, 'N', 0, 100, 0.5));
    QCOMPARE(val->pen().widthF(), 1.0);
    QVERIFY(plots.customPlot()->notAntialiasedElements().testFlag(QCP::aePlottables));
    for (int i = 0; i < plots.customPlot()->graphCount(); ++i) {
        QCPGraph* g = plots.customPlot()->graph(i);
        if (g->name() != "best validation")
            QVERIFY2(g->scatterStyle().isNone(), qPrintable(g->name()));
    }
    // Candidate graphs that appear later (a first P-phase) are thin from the start.
    plots.appendSwitch({2000, "N->P", 0, 100, "", "n_patience"});
    auto p = test::syntheticEpoch(2001, 'P', 0, 100, 0.5);
    p.candidate_scores = {0.01};
    plots.appendEpoch(p);
    QCPGraph* cand = plots.customPlot()->graph(plots.customPlot()->graphCount() - 1);
    QCOMPARE(cand->pen().widthF(), 1.0);
    QVERIFY(cand->scatterStyle().isNone());
    plots.clear();
    QCOMPARE(val->pen(), normalPen);
    QVERIFY(!plots.customPlot()->notAntialiasedElements().testFlag(QCP::aePlottables));
    plots.appendEpoch(test::syntheticEpoch(1, 'N', 0, 100, 0.5));
    QCOMPARE(val->pen(), normalPen);
}

void TestRunPlots::candidateVerdict_data()
{
    QTest::addColumn<double>("score");
    QTest::addColumn<double>("correlation"); // < 0: a record without correlations
    QTest::addColumn<QString>("expect");
    QTest::newRow("healthy score") << 5e-3 << -1.0 << "healthy";
    QTest::newRow("weak score") << 1e-4 << -1.0 << "weak";
    QTest::newRow("zero score") << 1e-7 << -1.0 << "near zero";
    // The normalised correlation decides when it is recorded, whatever the raw score.
    QTest::newRow("healthy correlation") << 1e-5 << 0.2 << "healthy";
    QTest::newRow("weak correlation") << 5e-2 << 0.02 << "weak candidates";
}

void TestRunPlots::candidateVerdict()
{
    QFETCH(double, score);
    QFETCH(double, correlation);
    QFETCH(QString, expect);
    RunPlots plots;
    EpochRecord e = test::syntheticEpoch(1, 'P', 0, 100, 0.5);
    e.candidate_scores = {score, score / 2};
    e.candidate_correlations.clear();
    if (correlation >= 0)
        e.candidate_correlations = {correlation, correlation / 2};
    plots.appendEpoch(e);
    QVERIFY2(plots.candidateVerdict().contains(expect), qPrintable(plots.candidateVerdict()));
}

void TestRunPlots::saveFormats_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("ok");
    QTest::newRow("png") << "run.png" << true;
    QTest::newRow("PDF upper") << "run.PDF" << true;
    QTest::newRow("jpg refused") << "run.jpg" << false;
    QTest::newRow("missing folder") << "no/such/dir/run.png" << false;
}

void TestRunPlots::saveFormats()
{
    QFETCH(QString, file);
    QFETCH(bool, ok);
    QTemporaryDir dir;
    RunPlots plots;
    plots.setRun(test::syntheticCcRun());
    const QString path = dir.filePath(file);
    Status s = plots.save(path.toStdString(), 800, 600);
    QCOMPARE(s.ok(), ok);
    QCOMPARE(QFileInfo(path).size() > 1000, ok);
    if (!ok)
        QVERIFY(!s.error().hint.empty());
}

void TestRunPlots::renderRunPlotHeadless()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("fig.png");
    QVERIFY(renderRunPlot(test::syntheticCcRun(), path.toStdString(), 1000, 700).ok());
    QImage img(path);
    QCOMPARE(img.size(), QSize(1000, 700));
}

void TestRunPlots::modelColoursDistinct()
{
    QVERIFY(modelTypeColor("traditional") != modelTypeColor("gd"));
    QVERIFY(modelTypeColor("gd") != modelTypeColor("cc"));
    QVERIFY(phaseFillColor('N') != phaseFillColor('P'));
}

QTEST_MAIN(TestRunPlots)
#include "test_run_plots.moc"
