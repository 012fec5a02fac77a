// SPDX-License-Identifier: GPL-3.0-or-later
// The training engine end to end on a toy task (perforated-backprop.md section 6): a base network
// too small for concentric circles gains accuracy with cc and gd dendrites, traditional does not;
// resume reproduces the uninterrupted run; NaN loss stops cleanly; run records are complete.
#include "trainer.h"

#include "dw/core/atomic_file.h"
#include "dw/core/run_record.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace dw;

namespace {

// Run folders on tmpfs when there is one: every atomic write fsyncs, which on a busy disk costs
// more than the training itself.
QString tempTemplate()
{
    return QFileInfo("/dev/shm").isWritable() ? "/dev/shm/dw-trainer-XXXXXX"
                                              : QDir::tempPath() + "/dw-trainer-XXXXXX";
}

FeatureDataset circles(int n, unsigned seed)
{
    FeatureDataset d;
    d.frames = 1;
    d.coeffs = 2;
    d.labels = {"inner", "outer"};
    std::mt19937 g(seed);
    std::uniform_real_distribution<double> angle(0, 2 * M_PI);
    std::normal_distribution<double> noise(0, 0.1);
    for (int i = 0; i < n; ++i) {
        int cls = i % 2;
        double r = cls ? 1.0 : 0.5, a = angle(g);
        d.x.push_back(float(r * std::cos(a) + noise(g)));
        d.x.push_back(float(r * std::sin(a) + noise(g)));
        d.y.push_back(cls);
        int s = (i / 2) % 10;
        d.split.push_back(s < 8 ? Split::Train : s == 8 ? Split::Validation : Split::Test);
        d.clipIds.push_back(std::to_string(i));
    }
    return d;
}

// Two stacked 2x2 linear layers, no nonlinearity: a linear classifier in disguise.
engine::NetSpec toySpec()
{
    engine::NetSpec s;
    s.input = engine::NetSpec::Input::Flat;
    s.frames = 1;
    s.coeffs = 2;
    s.classes = 2;
    s.layers = {{engine::NetSpec::Op::Linear, 2, 0}, {engine::NetSpec::Op::Linear, 2, 0}};
    return s;
}

TrainConfig toyConfig(const std::string& mode)
{
    TrainConfig c;
    c.mode = mode;
    c.lr = 0.01;
    c.batch_size = 32;
    c.n_patience = 15;
    c.p_patience = 10;
    c.warmup_batches = 20;
    c.epochs_max = 300;
    c.max_dendrites = 3;
    c.seed = 1;
    c.dropout = 0;
    return c;
}

// Trains into `dir` and pauses after epoch `pauseAt` (the run ends "stopped" with latest.pt).
Result<RunSummary> runPausedAt(const FeatureDataset& data, const TrainConfig& c,
                               const engine::NetSpec& spec, const std::filesystem::path& dir,
                               int pauseAt)
{
    int seen = 0;
    TrainObserver obs;
    obs.onEpoch = [&](const EpochRecord& e) { seen = e.epoch; };
    obs.shouldPauseAfterEpoch = [&] { return seen == pauseAt; };
    return engine::runTraining(data, c, spec, dir, &obs);
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void dendritesRescueTooSmallNetwork_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<double>("minAcc");
        QTest::addColumn<double>("maxAcc");
        QTest::addColumn<bool>("dendrites");
        QTest::newRow("traditional") << "traditional" << 0.0 << 0.8 << false;
        QTest::newRow("gd") << "gd" << 0.9 << 1.01 << true;
        QTest::newRow("cc") << "cc" << 0.9 << 1.01 << true;
    }
    void dendritesRescueTooSmallNetwork()
    {
        QFETCH(QString, mode);
        QFETCH(double, minAcc);
        QFETCH(double, maxAcc);
        QFETCH(bool, dendrites);
        QTemporaryDir tmp(tempTemplate());
        auto data = circles(2500, 11);
        auto dir = std::filesystem::path(tmp.path().toStdString()) / "run";
        QElapsedTimer t;
        t.start();
        auto r = engine::runTraining(data, toyConfig(mode.toStdString()), toySpec(), dir, nullptr);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        qInfo("%s: test %.3f val %.3f params %lld dendrites %d epochs %d in %.1f s",
              qPrintable(mode), r->test_accuracy, r->val_accuracy, r->params,
              r->dendrites.empty() ? 0 : r->dendrites[0], r->epochs, t.elapsed() / 1000.0);
        QVERIFY2(r->test_accuracy >= minAcc && r->test_accuracy <= maxAcc,
                 qPrintable(QString("test accuracy %1").arg(r->test_accuracy)));
        int k = r->dendrites.empty() ? 0 : r->dendrites[0];
        QCOMPARE(k > 0, dendrites);
        QCOMPARE(r->params, 12LL + (k > 0 ? 2 * (6 * k + 2 * k + k * (k - 1)) : 0));

        // Run records.
        auto rec = readRun(dir);
        QVERIFY(rec.ok());
        QCOMPARE(rec->status, std::string("finished"));
        QVERIFY(!rec->startedAt.empty());
        QCOMPARE(rec->config.mode, mode.toStdString());
        QVERIFY(rec->summary.has_value());
        QCOMPARE(int(rec->epochs.size()), r->epochs);
        QVERIFY(!rec->switches.empty());
        QCOMPARE(rec->switches.back().kind, std::string("finished"));
        if (mode == "cc") {
            bool sawP = false, sawScores = false;
            for (const auto& e : rec->epochs)
                if (e.phase == 'P') {
                    sawP = true;
                    sawScores = e.candidate_scores.size() == 2 && e.candidate_scores[0] > 0;
                }
            QVERIFY(sawP && sawScores);
        }
        // The summary's test accuracy is the one at the best validation epoch.
        const auto& best = rec->epochs[size_t(r->best_epoch - 1)];
        QCOMPARE(best.val_accuracy, r->val_accuracy);
        QCOMPARE(best.test_accuracy, r->test_accuracy);
        auto csv = readFile(dir / "best_test_scores.csv");
        QVERIFY(csv.ok());
        QVERIFY(csv->rfind("params,best_val,test_at_best_val,dendrites", 0) == 0);
        // predict() serves best.pt.
        FeatureMatrix m{1, 2, {0.0f, 0.5f}};
        auto p = predict(dir, m);
        QVERIFY(p.ok());
        QCOMPARE(p->labels, data.labels);
        QCOMPARE(int(p->probabilities.size()), 2);
        QVERIFY(std::abs(p->probabilities[0] + p->probabilities[1] - 1.0f) < 1e-5f);
    }

    void resumeReproducesRun_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("pauseOffset"); // epochs after the first P epoch (-1: epoch 3)
        QTest::newRow("cc-N-phase") << "cc" << -1;
        QTest::newRow("cc-P-phase") << "cc" << 0;
        QTest::newRow("cc-mid-P-phase") << "cc" << 2;
        QTest::newRow("gd") << "gd" << 3;
    }
    void resumeReproducesRun()
    {
        QFETCH(QString, mode);
        QFETCH(int, pauseOffset);
        auto data = circles(600, 5);
        TrainConfig c = toyConfig(mode.toStdString());
        c.n_patience = 3;
        c.p_patience = 2;
        c.epochs_max = 24;
        c.input_noise = 0.05;
        QTemporaryDir tmp(tempTemplate());
        std::filesystem::path root(tmp.path().toStdString());
        auto full = engine::runTraining(data, c, toySpec(), root / "full", nullptr);
        QVERIFY(full.ok());
        auto ref = readRun(root / "full");
        QVERIFY(ref.ok());
        int firstP = 0;
        for (const auto& e : ref->epochs)
            if (e.phase == 'P' && !firstP)
                firstP = e.epoch;
        int firstAdd = 0;
        for (const auto& s : ref->switches)
            if (s.kind == "added" && !firstAdd)
                firstAdd = s.epoch;
        int pauseAt = pauseOffset < 0 ? 3 : (mode == "cc" ? firstP : firstAdd) + pauseOffset;
        QVERIFY(pauseAt > 0 && pauseAt < full->epochs);

        auto part = runPausedAt(data, c, toySpec(), root / "part", pauseAt);
        QVERIFY(part.ok());
        QCOMPARE(part->status, std::string("stopped"));
        QCOMPARE(part->epochs, pauseAt);
        auto resumed = resumeTraining(data, root / "part");
        QVERIFY2(resumed.ok(), resumed.ok() ? "" : resumed.error().text().c_str());
        auto got = readRun(root / "part");
        QVERIFY(got.ok());
        QCOMPARE(got->epochs.size(), ref->epochs.size());
        for (size_t i = 0; i < ref->epochs.size(); ++i) {
            const auto& a = ref->epochs[i];
            const auto& b = got->epochs[i];
            QCOMPARE(b.epoch, a.epoch);
            QCOMPARE(b.phase, a.phase);
            QCOMPARE(b.dendrites, a.dendrites);
            QVERIFY2(std::abs(a.train_loss - b.train_loss) < 1e-9,
                     qPrintable(QString("epoch %1 loss %2 vs %3")
                                    .arg(a.epoch)
                                    .arg(a.train_loss)
                                    .arg(b.train_loss)));
            QCOMPARE(b.val_accuracy, a.val_accuracy);
        }
        QCOMPARE(resumed->test_accuracy, full->test_accuracy);
        QCOMPARE(resumed->params, full->params);
        // A finished run does not resume.
        QVERIFY(!resumeTraining(data, root / "part").ok());
    }

    // A P-phase as the library runs it (spec sections 4 and 6): the candidates' learning rate
    // falls by sched_factor after sched_patience + 1 flat epochs; the network runs in training
    // mode (dropout on: with frozen weights in eval mode every P epoch's mean train loss would be
    // the same number); the network's weights do not change while the candidates' do.
    void pPhaseAsTheLibrary()
    {
        auto data = circles(600, 5);
        engine::NetSpec spec = toySpec();
        spec.layers.insert(spec.layers.begin() + 1, {engine::NetSpec::Op::Dropout, 0, 0.3});
        TrainConfig c = toyConfig("cc");
        c.n_patience = 3;
        c.p_patience = 8;
        c.sched_patience = 2;
        c.sched_factor = 0.1;
        c.epochs_max = 60;
        QTemporaryDir tmp(tempTemplate());
        std::filesystem::path root(tmp.path().toStdString());
        auto full = engine::runTraining(data, c, spec, root / "full", nullptr);
        QVERIFY(full.ok());
        auto rec = readRun(root / "full");
        QVERIFY(rec.ok());
        std::vector<EpochRecord> p;
        for (const auto& e : rec->epochs) {
            if (e.phase == 'P')
                p.push_back(e);
            else if (!p.empty())
                break; // the first P-phase only
        }
        QVERIFY2(p.size() >= 8, qPrintable(QString("P-phase of %1 epochs").arg(p.size())));
        for (size_t i = 0; i < p.size(); ++i) {
            // Epoch 1 sets the plateau's best; epochs 2..4 are its sched_patience + 1 flat ones.
            double want = c.lr * std::pow(c.sched_factor, double(i == 0 ? 0 : (i - 1) / 3));
            QVERIFY2(std::abs(p[i].lr - want) < 1e-12 * c.lr,
                     qPrintable(
                         QString("P epoch %1: lr %2, want %3").arg(i + 1).arg(p[i].lr).arg(want)));
            QCOMPARE(p[i].val_accuracy, p[0].val_accuracy);
            QCOMPARE(int(p[i].candidate_scores.size()), 2);
            QCOMPARE(int(p[i].candidate_correlations.size()), 2);
            QVERIFY(p[i].candidate_correlations[0] >= 0 && p[i].candidate_correlations[0] <= 1);
        }
        bool lossVaries = false;
        for (const auto& e : p)
            lossVaries = lossVaries || std::abs(e.train_loss - p[0].train_loss) > 1e-6;
        QVERIFY2(lossVaries, "P epochs ran without dropout");
        // Why the phase ended, and the run's counts.
        bool sawPtoN = false;
        for (const auto& s : rec->switches)
            if (s.kind == "P->N") {
                QVERIFY(s.reason == "p_patience");
                sawPtoN = true;
            }
        QVERIFY(sawPtoN);
        QVERIFY(rec->summary.has_value());
        QVERIFY(rec->summary->p_phases >= 1);
        QVERIFY(rec->summary->p_epochs >= int(p.size()));
        QVERIFY(!rec->summary->stop_kind.empty());

        // Frozen weights: checkpoints after the first and the fourth P epoch hold the same
        // network and different candidates.
        int firstP = p[0].epoch;
        auto pausedAt = [&](int epoch, const char* name) {
            auto r = runPausedAt(data, c, spec, root / name, epoch);
            if (!r.ok())
                qFatal("%s", r.error().text().c_str());
            auto ck = engine::loadCheckpoint(root / name / "latest.pt");
            if (!ck.ok())
                qFatal("%s", ck.error().text().c_str());
            return ck->net;
        };
        engine::Network a = pausedAt(firstP, "a");
        engine::Network b = pausedAt(firstP + 3, "b");
        QVERIFY(a->hasCandidates() && b->hasCandidates());
        for (size_t l = 0; l < a->layers().size(); ++l) {
            engine::DendriteLayer la = a->layers()[l], lb = b->layers()[l];
            auto pa = la->neuronPhaseParameters(true);
            auto pb = lb->neuronPhaseParameters(true);
            QCOMPARE(pa.size(), pb.size());
            for (size_t i = 0; i < pa.size(); ++i)
                QVERIFY(torch::equal(pa[i], pb[i]));
            auto ca = la->candidateParameters();
            auto cb = lb->candidateParameters();
            QVERIFY(!ca.empty());
            QVERIFY(!torch::equal(ca[0], cb[0]));
        }
    }

    void nanLossStopsCleanly()
    {
        auto data = circles(400, 2);
        data.x[0] = std::numeric_limits<float>::quiet_NaN();
        QTemporaryDir tmp(tempTemplate());
        auto dir = std::filesystem::path(tmp.path().toStdString()) / "run";
        auto r = engine::runTraining(data, toyConfig("cc"), toySpec(), dir, nullptr);
        QVERIFY(r.ok());
        QCOMPARE(r->status, std::string("failed"));
        auto st = readFile(dir / "status");
        QVERIFY(st.ok());
        QCOMPARE(*st, std::string("failed: loss became NaN at epoch 1\n"));
    }

    void badInputsAreErrors()
    {
        auto data = circles(100, 3);
        QTemporaryDir tmp(tempTemplate());
        std::filesystem::path root(tmp.path().toStdString());
        TrainConfig c = toyConfig("cc");
        c.dendrite_activation = "softplus";
        auto r = engine::runTraining(data, c, toySpec(), root / "a", nullptr);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("dendrite_activation") != std::string::npos);
        for (auto& s : data.split)
            if (s == Split::Validation)
                s = Split::Train;
        auto r2 = engine::runTraining(data, toyConfig("cc"), toySpec(), root / "b", nullptr);
        QVERIFY(!r2.ok());
        QVERIFY(r2.error().message.find("validation") != std::string::npos);
        // Wrong feature shape for the network.
        auto d3 = circles(100, 3);
        d3.coeffs = 1;
        d3.frames = 2;
        auto spec = toySpec();
        spec.coeffs = 3;
        auto r3 = engine::runTraining(d3, toyConfig("cc"), spec, root / "c", nullptr);
        QVERIFY(!r3.ok());
    }
    // custom with conv_layers 0 is a plain MLP over the whole frames x coeffs input; it used to
    // size its first Linear from the frame count alone and fail with a shape error.
    void plainMlpHasTheRightInputSize()
    {
        TrainConfig c;
        c.model = "custom";
        c.conv_layers = 0;
        c.linear_layers = 2;
        auto spec = engine::specFor(c, 50, 13, 12);
        QVERIFY(spec.ok());
        engine::Network net(*spec, engine::DendriteMode::Traditional, engine::Activation::Sigmoid,
                            0.01, false);
        auto y = net->forward(torch::zeros({4, 50 * 13}));
        QCOMPARE(y.size(0), int64_t(4));
        QCOMPARE(y.size(1), int64_t(12));
    }

    // Users read LibTorch's failures as one sentence, not as a C++ stack trace.
    void torchErrorsLoseTheirBacktrace()
    {
        try {
            (void)torch::zeros({2, 3}).matmul(torch::zeros({4, 5}));
            QFAIL("the shapes should not multiply");
        } catch (const std::exception& e) {
            std::string text = engine::errorText(e);
            QVERIFY2(text.find("shapes cannot be multiplied") != std::string::npos, text.c_str());
            QVERIFY2(text.find("frame #") == std::string::npos, text.c_str());
            QVERIFY(std::string(e.what()).size() > text.size());
        }
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer_torch.moc"
