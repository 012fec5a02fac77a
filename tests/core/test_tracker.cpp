// SPDX-License-Identifier: GPL-3.0-or-later
// PhaseTracker (perforated-backprop.md section 5) driven by scripted validation scores.
#include "tracker.h"

#include <QtTest/QtTest>

using dw::engine::PhaseTracker;
using dw::engine::TrackerConfig;
using Action = PhaseTracker::Action;

namespace {
// Feeds scores; returns the action of the first switch (or Continue) and the epoch index.
std::pair<Action, int> feed(PhaseTracker& t, const std::vector<double>& scores, int k)
{
    for (size_t i = 0; i < scores.size(); ++i) {
        auto d = t.onEpoch(scores[i], k);
        if (d.action != Action::Continue)
            return {d.action, int(i)};
    }
    return {Action::Continue, -1};
}
// Feeds scores; returns the decision of the last one.
PhaseTracker::Decision lastOf(PhaseTracker& t, const std::vector<double>& scores, int k)
{
    PhaseTracker::Decision d;
    for (double s : scores)
        d = t.onEpoch(s, k);
    return d;
}
} // namespace

class TestTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void improvementTest_data()
    {
        QTest::addColumn<double>("s");
        QTest::addColumn<double>("b");
        QTest::addColumn<double>("rel");
        QTest::addColumn<bool>("beats");
        QTest::newRow("clear") << 0.9 << 0.8 << 0.001 << true;
        QTest::newRow("below rel") << 0.8005 << 0.8 << 0.001 << false;
        QTest::newRow("above rel") << 0.801 << 0.8 << 0.001 << true;
        QTest::newRow("abs 1e-5") << 0.800005 << 0.8 << 0.0 << false;
        QTest::newRow("abs ok") << 0.80002 << 0.8 << 0.0 << true;
        QTest::newRow("equal") << 0.8 << 0.8 << 0.0 << false;
    }
    void improvementTest()
    {
        QFETCH(double, s);
        QFETCH(double, b);
        QFETCH(double, rel);
        QFETCH(bool, beats);
        QCOMPARE(dw::engine::beats(s, b, rel), beats);
    }

    void thresholdsPerK()
    {
        PhaseTracker t(TrackerConfig{false, 100, 2, 3, {0.01, 0.001}});
        QCOMPARE(t.thresholdFor(0), 0.01);
        QCOMPARE(t.thresholdFor(1), 0.001);
        QCOMPARE(t.thresholdFor(7), 0.001);
        // With K = 0 a 0.5 % gain is not an improvement, with K = 1 it is.
        PhaseTracker a(TrackerConfig{false, 100, 2, 2, {0.01, 0.001}});
        QVERIFY(a.onEpoch(0.8, 0).newCycleBest);
        QVERIFY(!a.onEpoch(0.804, 0).newCycleBest);
        PhaseTracker b(TrackerConfig{false, 100, 2, 2, {0.01, 0.001}});
        QVERIFY(b.onEpoch(0.8, 1).newCycleBest);
        QVERIFY(b.onEpoch(0.804, 1).newCycleBest);
    }

    void traditionalEarlyStops()
    {
        PhaseTracker t(TrackerConfig{true, 100, 2, 3, {0.0}});
        auto [a, i] = feed(t, {0.5, 0.6, 0.7, 0.7, 0.69, 0.7, 0.9}, 0);
        QCOMPARE(a, Action::Finish);
        QCOMPARE(i, 5); // three epochs without improvement after 0.7
        QCOMPARE(t.globalBest(), 0.7);
    }

    void switchAddsThenRetriesThenFinishes()
    {
        // max_tries counts attempts: 3 = the first and two retries.
        PhaseTracker t(TrackerConfig{false, 100, 3, 2, {0.0}});
        // Cycle 0 (the first always counts): rule 2.
        auto [a0, i0] = feed(t, {0.5, 0.6, 0.6, 0.6}, 0);
        QCOMPARE(a0, Action::Add);
        QCOMPARE(i0, 3);
        QCOMPARE(t.tries(), 0);
        t.onRestructure(1);
        // Cycle 1 beats the global best: rule 2 again.
        auto [a1, i1] = feed(t, {0.55, 0.7, 0.7, 0.7}, 1);
        QCOMPARE(a1, Action::Add);
        QCOMPARE(i1, 3);
        QCOMPARE(t.globalBestK(), 1);
        t.onRestructure(2);
        // Cycle 2 fails: rule 3 (revert + retry), twice, then rule 4.
        auto [a2, i2] = feed(t, {0.6, 0.65, 0.65, 0.65}, 2);
        QCOMPARE(a2, Action::Retry);
        QCOMPARE(i2, 3);
        QCOMPARE(t.tries(), 1);
        t.onRestructure(2);
        auto [a3, i3] = feed(t, {0.6, 0.6, 0.6}, 2);
        QCOMPARE(a3, Action::Retry);
        QCOMPARE(i3, 2);
        QCOMPARE(t.tries(), 2);
        t.onRestructure(2);
        auto d4 = lastOf(t, {0.69, 0.69, 0.69}, 2);
        QCOMPARE(d4.action, Action::Finish);
        QCOMPARE(d4.reason, std::string("max_tries"));
        QCOMPARE(t.globalBest(), 0.7);
    }

    // The library's max_dendrite_tries: attempts at one addition (spec section 5, rule 3).
    void maxTriesCountsAttempts_data()
    {
        QTest::addColumn<int>("maxTries");
        QTest::addColumn<int>("retries");
        QTest::newRow("1: no retry") << 1 << 0;
        QTest::newRow("2 (default): one retry") << 2 << 1;
        QTest::newRow("4: three retries") << 4 << 3;
    }
    void maxTriesCountsAttempts()
    {
        QFETCH(int, maxTries);
        QFETCH(int, retries);
        PhaseTracker t(TrackerConfig{false, 100, maxTries, 1, {0.0}});
        QCOMPARE(feed(t, {0.8, 0.8}, 0).first, Action::Add);
        t.onRestructure(1);
        int seen = 0;
        for (int guard = 0; guard < 10; ++guard) {
            auto [a, i] = feed(t, {0.5, 0.5}, 1); // never beats 0.8
            Q_UNUSED(i);
            if (a == Action::Finish)
                break;
            QCOMPARE(a, Action::Retry);
            ++seen;
            t.onRestructure(1);
        }
        QCOMPARE(seen, retries);
    }

    // Rules in the library's order: a failed last dendrite is retried before max_dendrites ends
    // the run (spec section 6: retried once with the default max_tries).
    void failedDendriteAtMaxIsRetried()
    {
        PhaseTracker t(TrackerConfig{false, 1, 2, 2, {0.0}});
        QCOMPARE(feed(t, {0.6, 0.6, 0.6}, 0).first, Action::Add);
        t.onRestructure(1);
        // K = max_dendrites = 1 and the dendrite did not beat 0.6: retried, not finished.
        QCOMPARE(feed(t, {0.55, 0.55, 0.55}, 1).first, Action::Retry);
        t.onRestructure(1);
        auto d = lastOf(t, {0.5, 0.5, 0.5}, 1);
        QCOMPARE(d.action, Action::Finish);
        QCOMPARE(d.reason, std::string("max_tries"));
        // A dendrite at max_dendrites that did set a new global best finishes the run.
        PhaseTracker u(TrackerConfig{false, 1, 2, 2, {0.0}});
        QCOMPARE(feed(u, {0.6, 0.6, 0.6}, 0).first, Action::Add);
        u.onRestructure(1);
        auto e = lastOf(u, {0.7, 0.7, 0.7}, 1);
        QCOMPARE(e.action, Action::Finish);
        QCOMPARE(e.reason, std::string("max_dendrites"));
    }

    // lr_lowered_before_giving_up: patience alone does not switch a cycle whose learning rate
    // was never lowered.
    void waitsForTheLearningRate()
    {
        TrackerConfig cfg{false, 100, 2, 2, {0.0}, true};
        PhaseTracker t(cfg);
        QVERIFY(!t.onEpoch(0.6, 0, false).waitingForLr);
        for (int i = 0; i < 5; ++i) {
            auto d = t.onEpoch(0.6, 0, false);
            QCOMPARE(d.action, Action::Continue);
            QCOMPARE(d.waitingForLr, i >= 1);
        }
        QCOMPARE(t.onEpoch(0.6, 0, true).action, Action::Add);
        cfg.lrLoweredBeforeGivingUp = false;
        PhaseTracker u(cfg);
        QCOMPARE(feed(u, {0.6, 0.6, 0.6}, 0).first, Action::Add); // lrLowered defaults to true
        PhaseTracker w(cfg);
        w.onEpoch(0.6, 0, false);
        w.onEpoch(0.6, 0, false);
        QCOMPARE(w.onEpoch(0.6, 0, false).action, Action::Add);
    }

    // perforatedbp 3.0.7's per-batch bookkeeping on planted score sequences (spec section 6).
    void bookkeepingRule_data()
    {
        QTest::addColumn<QVector<double>>("score");
        QTest::addColumn<QVector<double>>("best0");
        QTest::addColumn<QVector<double>>("prev0");
        QTest::addColumn<bool>("improved");
        QTest::addColumn<QVector<double>>("best1");
        QTest::addColumn<QVector<double>>("prev1");
        using V = QVector<double>;
        QTest::newRow("first scores")
            << V{0.01, 0.02} << V{0, 0} << V{0, 0} << true << V{0.01, 0.02} << V{0.01, 0.02};
        // Neuron 0 passes only the relative test (tiny scores), neuron 1 only the absolute one
        // (large scores): together the layer improved, and every reference is raised.
        QTest::newRow("two neurons, one test each")
            << V{2e-6, 1.05} << V{0, 1.0} << V{1e-6, 1.0} << true << V{2e-6, 1.05} << V{2e-6, 1.05};
        QTest::newRow("relative only")
            << V{2e-6, 0.5} << V{0, 0.5} << V{1e-6, 0.5} << false << V{2e-6, 0.5} << V{1e-6, 0.5};
        QTest::newRow("absolute only")
            << V{0.5, 1.05} << V{0.5, 1.0} << V{0.5, 1.0} << false << V{0.5, 1.05} << V{0.5, 1.0};
        QTest::newRow("best is a running max")
            << V{0.1, 0.1} << V{0.3, 0.2} << V{0.3, 0.2} << false << V{0.3, 0.2} << V{0.3, 0.2};
        QTest::newRow("negative scores count by size")
            << V{-0.5, 0.0} << V{0.1, 0.0} << V{0.1, 0.0} << true << V{0.5, 0.0} << V{0.5, 0.0};
    }
    void bookkeepingRule()
    {
        QFETCH(QVector<double>, score);
        QFETCH(QVector<double>, best0);
        QFETCH(QVector<double>, prev0);
        QFETCH(bool, improved);
        QFETCH(QVector<double>, best1);
        QFETCH(QVector<double>, prev1);
        std::vector<double> s(score.begin(), score.end());
        std::vector<double> best(best0.begin(), best0.end()), prev(prev0.begin(), prev0.end());
        QCOMPARE(dw::engine::bookkeepScores(s, best, prev), improved);
        QCOMPARE(QVector<double>(best.begin(), best.end()), best1);
        QCOMPARE(QVector<double>(prev.begin(), prev.end()), prev1);
    }

    void pPhaseEndRule_data()
    {
        QTest::addColumn<int>("noImprove");
        QTest::addColumn<bool>("capAtN");
        QTest::addColumn<int>("phaseEpochs");
        QTest::addColumn<int>("firstN");
        QTest::addColumn<QString>("reason");
        QTest::newRow("improving") << 3 << false << 40 << 12 << "";
        QTest::newRow("p_patience") << 10 << false << 40 << 12 << "p_patience";
        QTest::newRow("cap off") << 0 << false << 13 << 12 << "";
        QTest::newRow("cap_at_n") << 0 << true << 12 << 12 << "cap_at_n";
        QTest::newRow("cap before first N known") << 0 << true << 12 << -1 << "";
    }
    void pPhaseEndRule()
    {
        QFETCH(int, noImprove);
        QFETCH(bool, capAtN);
        QFETCH(int, phaseEpochs);
        QFETCH(int, firstN);
        QFETCH(QString, reason);
        QCOMPARE(QString::fromStdString(
                     dw::engine::pPhaseEnd(noImprove, 10, capAtN, phaseEpochs, firstN)),
                 reason);
    }

    void retrySuccessResetsTries()
    {
        PhaseTracker t(TrackerConfig{false, 100, 2, 1, {0.0}});
        QCOMPARE(feed(t, {0.5, 0.5}, 0).first, Action::Add);
        t.onRestructure(1);
        QCOMPARE(feed(t, {0.4, 0.4}, 1).first, Action::Retry);
        QCOMPARE(t.tries(), 1);
        t.onRestructure(1);
        QCOMPARE(feed(t, {0.8, 0.8}, 1).first, Action::Add);
        QCOMPARE(t.tries(), 0);
    }

    void maxDendrites_data()
    {
        QTest::addColumn<int>("maxDendrites");
        QTest::newRow("0") << 0;
        QTest::newRow("1") << 1;
        QTest::newRow("3") << 3;
    }
    void maxDendrites()
    {
        QFETCH(int, maxDendrites);
        PhaseTracker t(TrackerConfig{false, maxDendrites, 2, 1, {0.0}});
        int k = 0;
        double s = 0.5;
        for (int guard = 0; guard < 20; ++guard) {
            s += 0.05; // every cycle sets a new global best
            auto [a, i] = feed(t, {s, s}, k);
            Q_UNUSED(i);
            if (a == Action::Finish)
                break;
            QCOMPARE(a, Action::Add);
            t.onRestructure(++k);
        }
        QCOMPARE(k, maxDendrites);
    }

    void stateRoundTrips()
    {
        PhaseTracker t(TrackerConfig{false, 5, 2, 2, {0.0}});
        feed(t, {0.5, 0.6, 0.6}, 0);
        PhaseTracker u(TrackerConfig{false, 5, 2, 2, {0.0}});
        QVERIFY(u.fromJson(t.toJson()).ok());
        QCOMPARE(u.toJson(), t.toJson());
        QCOMPARE(u.onEpoch(0.6, 0).action, t.onEpoch(0.6, 0).action);
        QVERIFY(!u.fromJson("{\"global_best\": 1}").ok());
    }
};

QTEST_APPLESS_MAIN(TestTracker)
#include "test_tracker.moc"
