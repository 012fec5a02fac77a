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
        PhaseTracker t(TrackerConfig{false, 100, 2, 2, {0.0}});
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
        auto [a4, i4] = feed(t, {0.69, 0.69, 0.69}, 2);
        QCOMPARE(a4, Action::Finish);
        QCOMPARE(i4, 2);
        QCOMPARE(t.globalBest(), 0.7);
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
