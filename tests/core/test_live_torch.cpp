// SPDX-License-Identifier: GPL-3.0-or-later
// LiveModel (dw/core/live.h) on a real tiny run trained here: the live path (runtime MFCC +
// runtime network) gives the probabilities of core's runtime path (core MFCC + the exporter's
// graph) and of LibTorch for the same clip; int8 is the exporter's int8 graph; the detector
// finds the tones of a stream at the right times; bad runs give clear errors.
#include "export_torch.h"
#include "live_fixture.h"
#include "trainer.h"

#include "dw/core/export.h"
#include "dw/core/features.h"
#include "dw/core/live.h"
#include "dw/core/run_record.h"
#include "dw_mfcc.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace dw;

class TestLiveTorch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sameAsRuntimePath();
    void int8IsTheExportersGraph();
    void detectsTonesInAStream();
    void errors_data();
    void errors();

private:
    QTemporaryDir m_tmp;
    std::optional<Project> m_project;
    std::filesystem::path m_run;
};

void TestLiveTorch::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    auto p = test::makeLiveProject(m_tmp.filePath("proj").toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    m_project = std::move(*p);
    auto r = test::trainLiveRun(*m_project);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
    m_run = *r;
    auto rec = readRun(m_run);
    QVERIFY(rec.ok() && rec->summary);
    qInfo("tiny run: %d epochs, best %d, validation accuracy %.3f", rec->summary->epochs,
          rec->summary->best_epoch, rec->summary->val_accuracy);
    QVERIFY(std::filesystem::exists(m_run / "best.pt"));
}

void TestLiveTorch::sameAsRuntimePath()
{
    auto live = LiveModel::load(m_run);
    QVERIFY2(live.ok(), live.ok() ? "" : live.error().text().c_str());
    QCOMPARE((*live)->labels(), (std::vector<std::string>{"tone0", "tone1", "noise"}));
    QCOMPARE((*live)->sampleRate(), 16000);
    QCOMPARE((*live)->windowSamples(), 16000);
    QVERIFY(!(*live)->isInt8());

    auto ck = engine::loadCheckpoint(m_run / "best.pt");
    QVERIFY(ck.ok());
    auto g = exporter::graphFromNetwork(*ck->net, ck->labels);
    QVERIFY(g.ok());
    exporter::RuntimeModel rm(*g);
    const FeatureConfig& fc = ck->config.features;

    double maxRuntime = 0, maxTorch = 0;
    int correct = 0, n = 0;
    for (const auto& clip : m_project->clips()) {
        if (n >= 30)
            break;
        auto a = readWavPcm16(m_project->clipPath(clip));
        QVERIFY(a.ok());
        std::vector<float> mine(3), core(3);
        QVERIFY((*live)->classify(a->samples, mine).ok());
        std::vector<float> x(a->samples.begin(), a->samples.end());
        auto f = computeFeatures(x, fc);
        QVERIFY(f.ok());
        QVERIFY(rm.run(f->data, core).ok());
        auto t = exporter::torchProbabilities(*ck->net, f->data.data(), 1, 3);
        for (int c = 0; c < 3; ++c) {
            maxRuntime = std::max(maxRuntime, double(std::abs(mine[size_t(c)] - core[size_t(c)])));
            maxTorch = std::max(maxTorch, double(std::abs(mine[size_t(c)] - t[size_t(c)])));
        }
        const int best = int(std::max_element(mine.begin(), mine.end()) - mine.begin());
        correct += ck->labels[size_t(best)] == clip.label;
        ++n;
    }
    qInfo("%d clips: max |live - core runtime| = %.2e, max |live - LibTorch| = %.2e, %d correct", n,
          maxRuntime, maxTorch, correct);
    QVERIFY2(maxRuntime < 1e-3, qPrintable(QString::number(maxRuntime)));
    QVERIFY2(maxTorch < 1e-3, qPrintable(QString::number(maxTorch)));
    QVERIFY2(correct >= n * 8 / 10, qPrintable(QString("%1/%2").arg(correct).arg(n)));
}

void TestLiveTorch::int8IsTheExportersGraph()
{
    LiveModelOptions o;
    o.int8 = true; // the project is found from the run folder (<project>/runs/<run>)
    auto live = LiveModel::load(m_run, o);
    QVERIFY2(live.ok(), live.ok() ? "" : live.error().text().c_str());
    QVERIFY((*live)->isInt8());
    QVERIFY(QString::fromStdString((*live)->description()).startsWith("int8"));

    // The exporter's int8 path: calibrate the float graph on the training split, quantize.
    auto ck = engine::loadCheckpoint(m_run / "best.pt");
    QVERIFY(ck.ok());
    auto g = exporter::graphFromNetwork(*ck->net, ck->labels);
    QVERIFY(g.ok());
    auto data = loadFeatureDataset(*m_project, ck->config.features, 1);
    QVERIFY(data.ok());
    std::vector<std::span<const float>> cal;
    for (size_t i = 0; i < data->size(); ++i)
        if (data->split[i] == Split::Train)
            cal.emplace_back(data->x.data() + i * data->featureSize(), data->featureSize());
    QVERIFY(exporter::calibrate(*g, cal).ok());
    auto q = exporter::quantize(*g);
    QVERIFY(q.ok());
    exporter::RuntimeModel rq(*q);
    dw_mfcc_config mc{};
    QVERIFY(ck->config.features.toRuntime(mc).ok());
    std::vector<double> scratch((dw_mfcc_scratch_size(&mc, 16000) + 7) / 8);
    std::vector<float> feats(size_t(g->frames) * size_t(g->coeffs));
    double maxDiff = 0;
    for (size_t k = 0; k < 12; ++k) {
        const auto& clip = m_project->clips()[k * 5];
        auto a = readWavPcm16(m_project->clipPath(clip));
        QVERIFY(a.ok());
        QCOMPARE(dw_mfcc_run(&mc, a->samples.data(), 16000, feats.data(), scratch.data(),
                             scratch.size() * 8),
                 int(DW_MFCC_OK));
        std::vector<float> want(3), got(3);
        QVERIFY(rq.run(feats, want).ok());
        QVERIFY((*live)->classify(a->samples, got).ok());
        for (int c = 0; c < 3; ++c)
            maxDiff = std::max(maxDiff, double(std::abs(want[size_t(c)] - got[size_t(c)])));
    }
    QVERIFY2(maxDiff < 1e-6, qPrintable(QString::number(maxDiff)));
}

void TestLiveTorch::detectsTonesInAStream()
{
    auto live = LiveModel::load(m_run);
    QVERIFY(live.ok());
    auto det = StreamDetector::create(**live);
    QVERIFY(det.ok());
    std::vector<double> onsets;
    auto s = test::liveStream(1.5, {500.0, 1300.0, 500.0}, 2.0, &onsets);
    QString trace;
    auto onWindow = [&](const LiveWindow& w) {
        trace += QString(" %1:%2/%3/%4")
                     .arg(w.time, 0, 'f', 2)
                     .arg(w.probabilities[0], 0, 'f', 2)
                     .arg(w.probabilities[1], 0, 'f', 2)
                     .arg(w.probabilities[2], 0, 'f', 2);
    };
    for (size_t i = 0; i < s.size(); i += 1234)
        QVERIFY(
            (*det)
                ->feed(std::span<const int16_t>(s).subspan(i, std::min<size_t>(1234, s.size() - i)),
                       onWindow)
                .ok());
    qInfo("windows (time:tone0/tone1/noise):%s", qPrintable(trace));
    const auto& d = (*det)->detections();
    QStringList got;
    for (const auto& x : d)
        got << QString("%1@%2").arg(QString::fromStdString(x.label)).arg(x.time, 0, 'f', 2);
    qInfo("onsets %.2f %.2f %.2f; detections: %s", onsets[0], onsets[1], onsets[2],
          qPrintable(got.join(' ')));
    QCOMPARE(d.size(), size_t(3));
    const char* want[] = {"tone0", "tone1", "tone0"};
    for (size_t k = 0; k < 3; ++k) {
        QCOMPARE(QString::fromStdString(d[k].label), QString(want[k]));
        // The tone (0.6 s) is inside the window that fires: its end is within [onset + 0.6 s,
        // onset + 1 s + one hop].
        QVERIFY2(d[k].time >= onsets[k] + 0.6 - 1e-9 && d[k].time <= onsets[k] + 1.25 + 1e-9,
                 qPrintable(got.join(' ')));
        QVERIFY(d[k].probability > 0.6f);
    }
}

void TestLiveTorch::errors_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("message");
    QTest::newRow("no folder") << "missing"
                               << "does not exist";
    QTest::newRow("no checkpoint") << "empty"
                                   << "has no checkpoint (best.pt)";
    QTest::newRow("int8 outside a project") << "int8-alone"
                                            << "not inside a project";
    QTest::newRow("damaged checkpoint") << "damaged"
                                        << "";
}

void TestLiveTorch::errors()
{
    QFETCH(QString, what);
    QFETCH(QString, message);
    LiveModelOptions o;
    std::filesystem::path dir = m_tmp.filePath("bad-" + what).toStdString();
    if (what == "empty")
        std::filesystem::create_directories(dir);
    if (what == "int8-alone") {
        std::filesystem::create_directories(dir);
        std::filesystem::copy_file(m_run / "best.pt", dir / "best.pt");
        o.int8 = true;
    }
    if (what == "damaged") {
        std::filesystem::create_directories(dir);
        QFile f(QString::fromStdString((dir / "best.pt").string()));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a checkpoint");
    }
    auto r = LiveModel::load(dir, o);
    QVERIFY(!r.ok());
    qInfo("%s", r.error().text().c_str());
    QVERIFY2(QString::fromStdString(r.error().message).contains(message),
             r.error().message.c_str());
    QVERIFY(!r.error().hint.empty());
}

QTEST_GUILESS_MAIN(TestLiveTorch)
#include "test_live_torch.moc"
