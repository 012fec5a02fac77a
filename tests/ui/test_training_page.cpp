// SPDX-License-Identifier: GPL-3.0-or-later
// The Train page driven through its own controls with the real engine on a tiny synthetic
// project: a short cc run must show N -> P -> N with an addition marker, never stall the event
// loop for 50 ms, stop cleanly and appear in the run history. Plus bad inputs.
#include "stall_meter.h"
#include "tone_project.h"
#include "training_controller.h"

#include "dw/core/dataset.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"
#include "dw/ui/compare_view.h"
#include "dw/ui/confusion_matrix.h"
#include "dw/ui/knob_form.h"
#include "dw/ui/plot_style.h"
#include "dw/ui/run_history.h"
#include "dw/ui/run_plots.h"
#include "dw/ui/training_page.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <qcustomplot.h>

#include <cmath>
#include <ctime>
#include <functional>

using namespace dw;

namespace {

using test::makeProject;

bool hasCycle(const std::vector<ui::PhaseSpan>& spans)
{
    // N ... P ... N in order.
    int stage = 0;
    for (const auto& s : spans) {
        if (stage == 0 && s.phase == 'N')
            stage = 1;
        else if (stage == 1 && s.phase == 'P')
            stage = 2;
        else if (stage == 2 && s.phase == 'N')
            return true;
    }
    return false;
}

void setTinyCcKnobs(ui::KnobForm* form)
{
    const std::pair<const char*, const char*> knobs[] = {
        {"model", "custom"},     {"conv_layers", "1"}, {"linear_layers", "1"},
        {"width", "0.25"},       {"mode", "cc"},       {"n_patience", "2"},
        {"p_patience", "1"},     {"epochs_max", "40"}, {"max_dendrites", "2"},
        {"warmup_batches", "1"}, {"batch_size", "8"},  {"dropout", "0"},
        {"lr", "0.01"},          {"threads", "1"}};
    for (const auto& [k, v] : knobs)
        QVERIFY2(form->setValue(k, v), qPrintable(QString(k) + ": " + form->errorText(k)));
}

} // namespace

class TestTrainingPage : public QObject
{
    Q_OBJECT
private slots:
    void everyKnobIsInTheForm();
    void outOfRangeKnobsShowReason_data();
    void outOfRangeKnobsShowReason();
    void presets();
    void noProjectIsAClearMessage();
    void oneLabelProjectIsAClearMessage();
    void nanLossRunIsAClearMessage();
    void ccRunThroughThePage();
    void closeDuringRunAsksThenStops();
    void screenshots();
};

void TestTrainingPage::everyKnobIsInTheForm()
{
    ui::KnobForm form;
    for (const std::string& k : TrainConfig::knobNames()) {
        QVERIFY2(ui::findKnob(k), k.c_str());
        QVERIFY2(form.editor(k) != nullptr, k.c_str());
        QVERIFY2(!form.editor(k)->toolTip().isEmpty(), k.c_str());
    }
    // Defaults round-trip.
    auto c = form.config();
    QVERIFY(c.ok());
    QCOMPARE(c->n_patience, TrainConfig{}.n_patience);
}

void TestTrainingPage::outOfRangeKnobsShowReason_data()
{
    QTest::addColumn<QString>("knob");
    QTest::addColumn<QString>("value");
    QTest::newRow("negative patience") << "n_patience"
                                       << "-3";
    QTest::newRow("max_dendrites < 0") << "max_dendrites"
                                       << "-1";
    QTest::newRow("dropout 2") << "dropout"
                               << "2";
    QTest::newRow("lr text") << "lr"
                             << "fast";
    QTest::newRow("thresholds") << "improvement_thresholds"
                                << "[0.5, 2]";
}

void TestTrainingPage::outOfRangeKnobsShowReason()
{
    QFETCH(QString, knob);
    QFETCH(QString, value);
    ui::TrainingPage page;
    QTemporaryDir dir;
    page.setProject(dir.path().toStdString(), FeatureConfig{});
    QVERIFY(!page.knobForm()->setValue(knob.toStdString(), value));
    const QString reason = page.knobForm()->errorText(knob.toStdString());
    QVERIFY2(reason.contains(knob) && reason.contains("allowed"), qPrintable(reason));
    // Start is refused with the same reason, and no run starts.
    QSignalSpy spy(&page, &ui::TrainingPage::startRequested);
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 0);
    QVERIFY2(page.messageText().contains("Cannot start"), qPrintable(page.messageText()));
    QVERIFY(!page.isBusy());
}

void TestTrainingPage::presets()
{
    QTemporaryDir dir;
    ui::TrainingPage page;
    page.setProject(dir.path().toStdString(), FeatureConfig{});
    QVERIFY(page.presetNames().contains("Edge Impulse baseline"));
    QVERIFY(page.applyPreset("Small + dendrites"));
    QCOMPARE(page.knobForm()->value("mode"), QString("cc"));
    QCOMPARE(page.knobForm()->value("model"), QString("custom"));
    QVERIFY(page.applyPreset("Edge Impulse baseline"));
    QCOMPARE(page.knobForm()->value("mode"), QString("traditional"));
    page.knobForm()->setValue("lr", "0.0123");
    QVERIFY(page.savePreset("mine").ok());
    QVERIFY(!page.savePreset("Edge Impulse baseline").ok());
    page.knobForm()->setValue("lr", "0.005");
    QVERIFY(page.applyPreset("mine"));
    QCOMPARE(page.knobForm()->value("lr"), QString("0.0123"));
    QVERIFY(!page.applyPreset("no such preset"));

    // The block's networks: every built-in preset applies with no rejected knob, and the
    // architecture knobs of the block family are enabled (conv_dim is custom's only).
    for (const QString& name : {QString("PerforatedAI block tutorial (ei2d) + cc"),
                                QString("Paper block (2-D family) + cc")}) {
        QVERIFY2(page.presetNames().contains(name), qPrintable(name));
        QVERIFY2(page.applyPreset(name), qPrintable(name));
    }
    QCOMPARE(page.knobForm()->value("model"), QString("block"));
    QCOMPARE(page.knobForm()->value("conv_layers"), QString("3"));
    auto* conv = page.knobForm()->findChild<QWidget*>("knob_conv_layers");
    auto* dim = page.knobForm()->findChild<QWidget*>("knob_conv_dim");
    QVERIFY(conv && dim);
    QVERIFY(conv->isEnabled());
    QVERIFY(!dim->isEnabled());
    QVERIFY(page.applyPreset("PerforatedAI block tutorial (ei2d) + cc"));
    QCOMPARE(page.knobForm()->value("model"), QString("ei2d"));
    QCOMPARE(page.knobForm()->value("input_noise"), QString("0.2"));
}

void TestTrainingPage::noProjectIsAClearMessage()
{
    ui::TrainingPage page;
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QVERIFY(!controller.isRunning());
    QVERIFY2(page.messageText().contains("No project"), qPrintable(page.messageText()));

    // An empty project (no clips): the loader's reason reaches the page.
    QTemporaryDir dir;
    auto p = Project::create(dir.filePath("empty").toStdString(), {"a", "b"});
    QVERIFY(p.ok());
    page.setProject(p->root(), p->featureConfig());
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QVERIFY(controller.waitForFinished(30000));
    QVERIFY2(page.messageText().startsWith("Training failed"), qPrintable(page.messageText()));
    QVERIFY(!page.isBusy());
    QVERIFY(page.startButton()->isEnabled());
}

void TestTrainingPage::oneLabelProjectIsAClearMessage()
{
    QTemporaryDir dir;
    auto p = makeProject(dir.filePath("one").toStdString(), 1, 10);
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    ui::TrainingPage page;
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    page.setProject(p->root(), p->featureConfig());
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QVERIFY(controller.waitForFinished(30000));
    QVERIFY2(page.messageText().contains("label"), qPrintable(page.messageText()));
    QVERIFY(!page.isBusy());
}

// What the controller delivers for a run whose loss became NaN (the engine's side, that such a
// run ends with a "failed: loss became NaN" summary, is test_trainer_torch's
// nanLossStopsCleanly): the epochs before it, some with non-finite losses, then the summary.
void TestTrainingPage::nanLossRunIsAClearMessage()
{
    QTemporaryDir dir;
    ui::TrainingPage page;
    page.resize(1200, 800);
    page.show();
    page.setProject(dir.path().toStdString(), FeatureConfig{});
    QSignalSpy ended(&page, &ui::TrainingPage::runEnded);
    QTest::mouseClick(page.startButton(), Qt::LeftButton); // no controller: stays "loading"
    page.runStarted(dir.filePath("runs/20260101-000000-cc"), false);
    EpochRecord e;
    e.epoch = 1;
    e.phase = 'N';
    e.train_accuracy = 0.4;
    e.val_accuracy = 0.35;
    e.test_accuracy = 0.33;
    e.train_loss = std::numeric_limits<double>::infinity();
    e.val_loss = std::numeric_limits<double>::quiet_NaN();
    e.params = 692;
    e.lr = 10;
    e.seconds = 0.2;
    page.epochFinished(e);
    RunSummary s;
    s.status = "failed: loss became NaN at epoch 2";
    s.stop_reason = "loss became NaN at epoch 2 (lower lr, e.g. --set lr=0.001)";
    s.epochs = 1;
    page.runFinished(s);
    QVERIFY(!page.isBusy());
    QVERIFY(page.startButton()->isEnabled());
    QVERIFY(!page.resumeButton()->isEnabled()); // a failed run is not resumable
    QVERIFY(page.messageIsError());
    QVERIFY2(page.messageText().contains("failed") && page.messageText().contains("NaN") &&
                 page.messageText().contains("learning rate"),
             qPrintable(page.messageText()));
    QCOMPARE(ended.count(), 1);
    // The plots keep finite axes (no NaN range) and draw.
    page.plots()->customPlot()->replot();
    const QCPRange loss =
        page.plots()->panel(ui::RunPlots::Panel::Loss)->axis(QCPAxis::atLeft)->range();
    QVERIFY(std::isfinite(loss.lower) && std::isfinite(loss.upper) && loss.upper > loss.lower);
    QVERIFY(!page.grab().isNull());
}

void TestTrainingPage::ccRunThroughThePage()
{
    QTemporaryDir dir;
    auto p = makeProject(dir.filePath("tones").toStdString(), 2, 24);
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    ui::TrainingPage page;
    page.resize(1400, 900);
    page.show();
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    page.setProject(p->root(), p->featureConfig());
    setTinyCcKnobs(page.knobForm());
    QTest::qWait(300); // the page's first paint (fonts, layout) is not part of the run

    test::StallMeter stall;
    stall.where = [&page] { return page.statusText(); };
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QVERIFY(controller.isRunning());
    QVERIFY(!page.startButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(hasCycle(page.plots()->phaseSpans()) || !page.isBusy(), 120000);
    QVERIFY2(hasCycle(page.plots()->phaseSpans()),
             qPrintable("no N->P->N cycle; " + page.messageText()));
    QVERIFY(page.plots()->additionMarkerCount() >= 1);
    QVERIFY(page.plots()->valAccuracyGraph()->dataCount() >= 3);
    QVERIFY(!page.plots()->candidateGraphs().empty());
    QVERIFY(page.statusText().contains("phase"));
    // Why the last phase ended, in words (a cycle has at least N->P and P->N behind it).
    auto* lastSwitch = page.findChild<QLabel*>("lastSwitch");
    QVERIFY(lastSwitch);
    QVERIFY2(QRegularExpression("^(N->P|P->N|reverted|finished) after epoch \\d+: \\w")
                 .match(lastSwitch->text())
                 .hasMatch(),
             qPrintable(lastSwitch->text()));
    if (page.isBusy())
        QTest::mouseClick(page.stopButton(), Qt::LeftButton);
    QVERIFY(controller.waitForFinished(60000));
    QTest::qWait(100); // the final replot and the finished message
    stall.timer.stop();
    qInfo("longest GUI-thread busy span during the run: %.1f ms (CPU; the page said '%s'); "
          "longest wall-clock gap between 5 ms probe ticks: %.1f ms; %d epochs",
          stall.worstCpuMs(), qPrintable(stall.worstAt), stall.worstWallMs(),
          page.plots()->epochCount());
    QVERIFY2(stall.worstCpuMs() < 50.0,
             qPrintable(QString("the GUI thread was busy %1 ms at once").arg(stall.worstCpuMs())));

    const std::filesystem::path runDir = page.currentRunDir();
    QVERIFY(std::filesystem::exists(runDir / "best.pt"));
    ui::RunHistory history;
    history.setRunsDir(p->runsDir());
    QVERIFY(history.rowOf(runDir) >= 0);
    auto rec = readRun(runDir);
    QVERIFY(rec.ok());
    QVERIFY(rec->status == "stopped" || rec->status == "finished");

    // The same run reopened draws the same phases.
    ui::RunPlots reopened;
    reopened.setRun(*rec);
    QVERIFY(hasCycle(reopened.phaseSpans()));

    // Deleting the run that is training is refused; a finished one asks first.
    history.setActiveRun(runDir);
    auto refused = history.deleteRun(runDir);
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().message.find("training right now") != std::string::npos);
    history.setActiveRun({});
    // The run open in a view: the question says that view will be cleared; "No" keeps it.
    history.setOpenRun(runDir);
    QString asked;
    history.setConfirmHook([&asked](const QString&, const QString& text) {
        asked = text;
        return false;
    });
    QSignalSpy deleted(&history, &ui::RunHistory::runDeleted);
    QVERIFY(history.deleteRun(runDir).ok());
    QVERIFY(std::filesystem::exists(runDir));
    QVERIFY2(asked.contains("open in a view"), qPrintable(asked));
    QCOMPARE(deleted.count(), 0);
    history.setConfirmHook([](const QString&, const QString&) { return true; });
    QVERIFY(history.deleteRun(runDir).ok());
    QVERIFY(!std::filesystem::exists(runDir));
    QCOMPARE(history.rowOf(runDir), -1);
    QCOMPARE(deleted.count(), 1);
}

void TestTrainingPage::closeDuringRunAsksThenStops()
{
    QTemporaryDir dir;
    auto p = makeProject(dir.filePath("tones").toStdString(), 2, 24);
    QVERIFY(p.ok());
    ui::TrainingPage page;
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    page.setProject(p->root(), p->featureConfig());
    setTinyCcKnobs(page.knobForm());
    page.knobForm()->setValue("epochs_max", "200");
    page.knobForm()->setValue("n_patience", "50");
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(page.plots()->epochCount() >= 1 || !page.isBusy(), 60000);
    QVERIFY(page.isBusy());
    int asked = 0;
    page.setConfirmHook([&](const QString&, const QString&) { return ++asked > 1; });
    QVERIFY(!page.maybeStopForClose()); // "No": keeps running
    QVERIFY(controller.isRunning());
    QVERIFY(page.maybeStopForClose()); // "Yes": stops
    QCOMPARE(asked, 2);
    QVERIFY(controller.waitForFinished(60000));
    auto rec = readRun(page.currentRunDir());
    QVERIFY(rec.ok());
    QCOMPARE(QString::fromStdString(rec->status), QString("stopped"));
    QVERIFY(std::filesystem::exists(page.currentRunDir() / "best.pt"));
    QVERIFY(page.resumeButton()->isEnabled());
}

// Only with DW_SCREENSHOT_DIR set: the docs' screenshots from real runs.
//   DW_SCREENSHOT_PROJECT=DIR  train on this project (the demo project) instead of a synthetic
//                              4-tone one; the mid-run run goes to DIR/runs like any GUI run.
//   DW_SCREENSHOT_RUNS=DIR     compare the runs in DIR (e.g. a `dendrite compare` output)
//                              instead of a traditional and a cc run trained here.
void TestTrainingPage::screenshots()
{
    const QString out = qEnvironmentVariable("DW_SCREENSHOT_DIR");
    if (out.isEmpty())
        QSKIP("set DW_SCREENSHOT_DIR to write docs/screenshots");
    QVERIFY(QDir().mkpath(out));
    const QString projectDir = qEnvironmentVariable("DW_SCREENSHOT_PROJECT");
    const QString runsDir = qEnvironmentVariable("DW_SCREENSHOT_RUNS");
    const bool demo = !projectDir.isEmpty();
    QTemporaryDir dir;
    auto p = demo ? Project::open(projectDir.toStdString())
                  : makeProject(dir.filePath("tones4").toStdString(), 4, 40);
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    ui::TrainingPage page;
    page.resize(1500, 950);
    page.show();
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    page.setProject(p->root(), p->featureConfig());

    std::filesystem::path tradDir;
    if (runsDir.isEmpty()) {
        // Traditional baseline first.
        setTinyCcKnobs(page.knobForm());
        page.knobForm()->setValue("mode", "traditional");
        page.knobForm()->setValue("epochs_max", "12");
        page.knobForm()->setValue("n_patience", "4");
        if (demo) {
            page.knobForm()->setValue("batch_size", "32");
            page.knobForm()->setValue("lr", "0.005");
            page.knobForm()->setValue("epochs_max", "80");
            page.knobForm()->setValue("n_patience", "8");
        }
        QTest::mouseClick(page.startButton(), Qt::LeftButton);
        QVERIFY(controller.waitForFinished(900000));
        tradDir = page.currentRunDir();
    }

    // cc run: grab mid-run while a P-phase is visible after a full N -> P -> N cycle.
    setTinyCcKnobs(page.knobForm());
    // With the library's P-phase schedule a tiny run's first P-phase alone takes ~18 epochs.
    page.knobForm()->setValue("epochs_max", "80");
    page.knobForm()->setValue("n_patience", "3");
    page.knobForm()->setValue("p_patience", "2");
    if (demo) {
        page.knobForm()->setValue("batch_size", "32");
        page.knobForm()->setValue("lr", "0.005");
        page.knobForm()->setValue("warmup_batches", "10");
        page.knobForm()->setValue("epochs_max", "200");
        page.knobForm()->setValue("n_patience", "6");
        page.knobForm()->setValue("p_patience", "4");
        page.knobForm()->setValue("max_dendrites", "3");
    }
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    bool grabbed = false;
    QElapsedTimer t;
    t.start();
    while (controller.isRunning() && t.elapsed() < 1200000) {
        QTest::qWait(50);
        const auto& spans = page.plots()->phaseSpans();
        if (!grabbed && hasCycle(spans) && spans.size() >= 4 && spans.back().phase == 'P' &&
            spans.back().lastEpoch - spans.back().firstEpoch >= 1) {
            page.plots()->customPlot()->replot();
            QVERIFY(page.grab().save(out + "/training-midrun.png"));
            grabbed = true;
            if (!runsDir.isEmpty())
                QTest::mouseClick(page.stopButton(), Qt::LeftButton); // the best is kept
        }
    }
    if (!grabbed)
        QVERIFY(page.grab().save(out + "/training-midrun.png"));
    QVERIFY2(grabbed, "the cc run never showed N -> P -> N -> P; the PNG shows its end");
    const auto ccDir = page.currentRunDir();

    std::vector<RunRecord> runs;
    if (runsDir.isEmpty()) {
        auto trad = readRun(tradDir);
        auto cc = readRun(ccDir);
        QVERIFY(trad.ok() && cc.ok());
        runs = {*trad, *cc};
    } else {
        // Every finished run below DIR (a compare folder holds one folder per run and seed).
        for (const auto& entry : std::filesystem::recursive_directory_iterator(
                 runsDir.toStdString(),
                 std::filesystem::directory_options::skip_permission_denied)) {
            if (entry.is_regular_file() && entry.path().filename() == "summary.json")
                if (auto r = readRun(entry.path().parent_path()); r && r->summary)
                    runs.push_back(*r);
        }
        std::sort(runs.begin(), runs.end(),
                  [](const RunRecord& a, const RunRecord& b) { return a.dir < b.dir; });
        QVERIFY2(runs.size() >= 2, qPrintable("no finished runs below " + runsDir));
    }
    ui::CompareView compare;
    compare.resize(1500, 1000);
    compare.setRuns(runs);
    Project project = *p;
    compare.setConfusionProvider([&project](const RunRecord& run) -> Result<ui::ConfusionData> {
        auto data = loadFeatureDataset(project, run.config.features, 1);
        if (!data)
            return data.error();
        auto pred = predictBatch(run.dir, *data, Split::Test);
        if (!pred)
            return pred.error();
        ui::ConfusionData cd;
        cd.labels = data->labels;
        for (size_t i = 0; i < data->size(); ++i)
            if (data->split[i] == Split::Test) {
                cd.truth.push_back(data->y[i]);
                cd.clipIds.push_back(data->clipIds[i]);
            }
        cd.predicted = *pred;
        return cd;
    });
    compare.show();
    // The confusion matrix of the best cc run (else the last run) on the test split.
    int shown = int(runs.size()) - 1;
    double best = -1;
    for (size_t i = 0; i < runs.size(); ++i)
        if (runs[i].config.mode == "cc" && runs[i].summary &&
            runs[i].summary->test_accuracy > best) {
            best = runs[i].summary->test_accuracy;
            shown = int(i);
        }
    const Status cs = compare.showConfusion(shown);
    QVERIFY2(cs.ok(), cs.ok() ? "" : cs.error().text().c_str());
    QTest::qWait(200);
    compare.curvesPlot()->replot();
    compare.scatterPlot()->replot();
    QVERIFY(compare.grab().save(out + "/compare-traditional-vs-cc.png"));
    auto* cm = compare.confusionView();
    cm->setParent(nullptr);
    cm->resize(demo ? 1250 : 900, demo ? 760 : 560);
    cm->show();
    // The most frequent confusion, so the clip list beside the matrix is filled.
    const auto counts = cm->data().counts();
    int bt = 0, bp = counts.size() > 1 ? 1 : 0;
    for (size_t r = 0; r < counts.size(); ++r)
        for (size_t c = 0; c < counts[r].size(); ++c)
            if (r != c && counts[r][c] > counts[size_t(bt)][size_t(bp)]) {
                bt = int(r);
                bp = int(c);
            }
    QVERIFY(!cm->selectCell(bt, bp).empty() || counts.size() < 2);
    QTest::qWait(200);
    QVERIFY(cm->grab().save(out + "/confusion-matrix.png"));
    auto cc = readRun(ccDir);
    QVERIFY(cc.ok());
    QVERIFY(ui::renderRunPlot(*cc, (out + "/training-cc-run-figure.png").toStdString()).ok());
}

QTEST_MAIN(TestTrainingPage)
#include "test_training_page.moc"
