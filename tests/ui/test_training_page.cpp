// SPDX-License-Identifier: GPL-3.0-or-later
// The Train page driven through its own controls with the real engine on a tiny synthetic
// project: a short cc run must show N -> P -> N with an addition marker, never stall the event
// loop for 50 ms, stop cleanly and appear in the run history. Plus bad inputs.
#include "training_controller.h"

#include "dw/core/project.h"
#include "dw/core/dataset.h"
#include "dw/core/run_record.h"
#include "dw/ui/compare_view.h"
#include "dw/ui/confusion_matrix.h"
#include "dw/ui/plot_style.h"
#include "dw/ui/knob_form.h"
#include "dw/ui/run_history.h"
#include "dw/ui/run_plots.h"
#include "dw/ui/training_page.h"

#include <QElapsedTimer>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <qcustomplot.h>

#include <cmath>

using namespace dw;

namespace {

// Two (or `labels`) classes of pure tones with a little noise: trivially separable, so the
// phase tracker stops improving within a few epochs and switches.
Result<Project> makeProject(const std::filesystem::path& root, int labels, int clipsPerLabel)
{
    std::vector<std::string> names;
    for (int l = 0; l < labels; ++l)
        names.push_back("tone" + std::to_string(l));
    auto p = Project::create(root, names);
    if (!p)
        return p;
    p->setAutoSave(false);
    uint32_t rng = 12345;
    for (int l = 0; l < labels; ++l)
        for (int c = 0; c < clipsPerLabel; ++c) {
            std::vector<int16_t> s(16000);
            const double f = 300.0 + 500.0 * l + 7.0 * c;
            for (size_t i = 0; i < s.size(); ++i) {
                rng = rng * 1664525u + 1013904223u;
                const double noise = (double(rng >> 16) / 65536.0 - 0.5) * 800.0;
                s[i] = int16_t(6000.0 * std::sin(2 * M_PI * f * double(i) / 16000.0) + noise);
            }
            auto clip = p->addClip(names[l], s, "synthetic",
                                   "spk" + std::to_string(l) + "_" + std::to_string(c));
            if (!clip)
                return clip.error();
        }
    if (auto s = p->save(); !s)
        return s.error();
    return p;
}

struct StallMeter {
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 worst = 0;
    StallMeter()
    {
        timer.setInterval(5);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        clock.start();
        timer.start();
    }
};

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
        {"model", "custom"},       {"conv_layers", "1"},   {"linear_layers", "1"},
        {"width", "0.25"},         {"mode", "cc"},         {"n_patience", "2"},
        {"p_patience", "1"},       {"epochs_max", "40"},   {"max_dendrites", "2"},
        {"warmup_batches", "1"},   {"batch_size", "8"},    {"dropout", "0"},
        {"lr", "0.01"},            {"threads", "1"}};
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
    QTest::newRow("negative patience") << "n_patience" << "-3";
    QTest::newRow("max_dendrites < 0") << "max_dendrites" << "-1";
    QTest::newRow("dropout 2") << "dropout" << "2";
    QTest::newRow("lr text") << "lr" << "fast";
    QTest::newRow("thresholds") << "improvement_thresholds" << "[0.5, 2]";
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

    StallMeter stall;
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
    if (page.isBusy())
        QTest::mouseClick(page.stopButton(), Qt::LeftButton);
    QVERIFY(controller.waitForFinished(60000));
    qInfo() << "longest event-loop stall during the run:" << stall.worst << "ms";
    QVERIFY2(stall.worst < 50, qPrintable(QString::number(stall.worst)));

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
    history.setConfirmHook([](const QString&, const QString&) { return false; });
    QVERIFY(history.deleteRun(runDir).ok());
    QVERIFY(std::filesystem::exists(runDir));
    history.setConfirmHook([](const QString&, const QString&) { return true; });
    QVERIFY(history.deleteRun(runDir).ok());
    QVERIFY(!std::filesystem::exists(runDir));
    QCOMPARE(history.rowOf(runDir), -1);
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

// Only with DW_SCREENSHOT_DIR set: the docs' screenshots from real runs on a 4-tone project
// with close frequencies and heavy noise (so the confusion matrix has errors to show).
void TestTrainingPage::screenshots()
{
    const QString out = qEnvironmentVariable("DW_SCREENSHOT_DIR");
    if (out.isEmpty())
        QSKIP("set DW_SCREENSHOT_DIR to write docs/screenshots");
    QTemporaryDir dir;
    auto p = makeProject(dir.filePath("tones4").toStdString(), 4, 40);
    QVERIFY(p.ok());
    ui::TrainingPage page;
    page.resize(1500, 950);
    page.show();
    gui::TrainingController controller;
    gui::connectTrainingPage(&page, &controller);
    page.setProject(p->root(), p->featureConfig());

    // Traditional baseline first.
    setTinyCcKnobs(page.knobForm());
    page.knobForm()->setValue("mode", "traditional");
    page.knobForm()->setValue("epochs_max", "12");
    page.knobForm()->setValue("n_patience", "4");
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    QVERIFY(controller.waitForFinished(300000));
    const auto tradDir = page.currentRunDir();

    // cc run: grab mid-run while a P-phase is visible.
    setTinyCcKnobs(page.knobForm());
    page.knobForm()->setValue("epochs_max", "30");
    page.knobForm()->setValue("n_patience", "3");
    page.knobForm()->setValue("p_patience", "2");
    QTest::mouseClick(page.startButton(), Qt::LeftButton);
    bool grabbed = false;
    QElapsedTimer t;
    t.start();
    while (controller.isRunning() && t.elapsed() < 600000) {
        QTest::qWait(50);
        const auto& spans = page.plots()->phaseSpans();
        if (!grabbed && hasCycle(spans) && spans.size() >= 4 && spans.back().phase == 'P') {
            page.plots()->customPlot()->replot();
            QVERIFY(page.grab().save(out + "/training-midrun.png"));
            grabbed = true;
        }
    }
    if (!grabbed)
        QVERIFY(page.grab().save(out + "/training-midrun.png"));
    const auto ccDir = page.currentRunDir();

    ui::CompareView compare;
    compare.resize(1400, 950);
    auto trad = readRun(tradDir);
    auto cc = readRun(ccDir);
    QVERIFY(trad.ok() && cc.ok());
    compare.setRuns({*trad, *cc});
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
    QTest::qWait(200);
    QVERIFY(compare.grab().save(out + "/compare-traditional-vs-cc.png"));
    QVERIFY(compare.showConfusion(1).ok());
    auto* cm = compare.confusionView();
    cm->resize(900, 560);
    cm->show();
    cm->selectCell(0, 1);
    QTest::qWait(200);
    QVERIFY(cm->grab().save(out + "/confusion-matrix.png"));
    QVERIFY(ui::renderRunPlot(*cc, (out + "/training-cc-run-figure.png").toStdString()).ok());
}

QTEST_MAIN(TestTrainingPage)
#include "test_training_page.moc"
