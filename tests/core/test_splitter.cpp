// SPDX-License-Identifier: GPL-3.0-or-later
// The utterance splitter: bursts at known positions in noise are found within 20 ms; windows
// hold their utterance, are deterministic for a seed, and are zero-padded for short signals.
#include "dw/core/splitter.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

namespace {
struct Burst {
    double start; // seconds
    double length;
};

// Gaussian noise (sigma `noise`) with speech-like bursts: a 150-900 Hz harmonic tone with a
// 10 ms attack/decay, at `amp` peak.
std::vector<int16_t> makeSignal(double seconds, const std::vector<Burst>& bursts, double noise,
                                double amp, uint32_t seed = 1)
{
    const int n = int(seconds * 16000);
    std::vector<double> x(static_cast<size_t>(n), 0.0);
    std::mt19937 g(seed);
    std::normal_distribution<double> nd(0.0, noise);
    for (auto& v : x)
        v = nd(g);
    for (const auto& b : bursts) {
        const int s = int(b.start * 16000), len = int(b.length * 16000);
        for (int i = 0; i < len && s + i < n; ++i) {
            const double t = i / 16000.0;
            const double env = std::min({1.0, i / 160.0, (len - i) / 160.0});
            x[size_t(s + i)] += amp * env *
                                (0.6 * std::sin(2 * M_PI * 150 * t) +
                                 0.3 * std::sin(2 * M_PI * 450 * t) +
                                 0.1 * std::sin(2 * M_PI * 900 * t));
        }
    }
    std::vector<int16_t> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        out[size_t(i)] = int16_t(std::clamp(std::lround(x[size_t(i)]), -32768L, 32767L));
    return out;
}
} // namespace

class TestSplitter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void findsBursts_data()
    {
        QTest::addColumn<QList<double>>("starts");
        QTest::addColumn<QList<double>>("lengths");
        QTest::addColumn<double>("noise");
        QTest::addColumn<double>("amp");
        QTest::newRow("three, clean") << QList<double>{0.5, 2.0, 3.7}
                                      << QList<double>{0.4, 0.3, 0.6} << 30.0 << 8000.0;
        QTest::newRow("three, 20 dB SNR") << QList<double>{0.5, 2.0, 3.7}
                                          << QList<double>{0.4, 0.3, 0.6} << 400.0 << 6000.0;
        QTest::newRow("at the edges") << QList<double>{0.0, 4.4} << QList<double>{0.3, 0.6}
                                      << 50.0 << 8000.0;
        QTest::newRow("quiet speech") << QList<double>{1.0, 2.5} << QList<double>{0.5, 0.5}
                                      << 20.0 << 600.0;
        QTest::newRow("long utterance") << QList<double>{0.8} << QList<double>{1.6} << 50.0
                                        << 8000.0;
    }
    void findsBursts()
    {
        QFETCH(QList<double>, starts);
        QFETCH(QList<double>, lengths);
        QFETCH(double, noise);
        QFETCH(double, amp);
        std::vector<Burst> bursts;
        for (qsizetype i = 0; i < starts.size(); ++i)
            bursts.push_back({starts[i], lengths[i]});
        const auto sig = makeSignal(5.0, bursts, noise, amp);
        dw::SplitterConfig cfg;
        cfg.paddingSeconds = 0.0; // compare the raw bounds
        const auto u = dw::findUtterances(sig, cfg);
        QCOMPARE(u.size(), bursts.size());
        for (size_t i = 0; i < u.size(); ++i) {
            const double s = u[i].start / 16000.0, e = u[i].end / 16000.0;
            const double ts = bursts[i].start, te = bursts[i].start + bursts[i].length;
            QVERIFY2(std::fabs(s - ts) <= 0.020, qPrintable(QString("start %1 vs %2").arg(s).arg(ts)));
            QVERIFY2(std::fabs(e - te) <= 0.020, qPrintable(QString("end %1 vs %2").arg(e).arg(te)));
            // The window is 1 s, inside the signal, centred on the burst (no shift asked).
            QVERIFY(u[i].windowStart >= 0 && u[i].windowStart + 16000 <= int64_t(sig.size()));
            if (bursts[i].length < 1.0) {
                QVERIFY(u[i].windowStart <= u[i].start && u[i].windowStart + 16000 >= u[i].end);
            }
            const auto w = dw::extractWindow(sig, u[i], cfg);
            QCOMPARE(w.size(), size_t(16000));
            QCOMPARE(w[0], sig[size_t(u[i].windowStart)]);
        }
    }

    void paddingAndMerging()
    {
        // Two parts of one word 100 ms apart join; 400 ms apart stay separate.
        const auto sig = makeSignal(4.0, {{0.5, 0.2}, {0.8, 0.2}, {2.0, 0.2}, {2.6, 0.2}}, 30, 8000);
        dw::SplitterConfig cfg;
        cfg.paddingSeconds = 0.05;
        const auto u = dw::findUtterances(sig, cfg);
        QCOMPARE(u.size(), size_t(3));
        QVERIFY(std::fabs(u[0].start / 16000.0 - 0.45) <= 0.02);
        QVERIFY(std::fabs(u[0].end / 16000.0 - 1.05) <= 0.02);
        // A higher threshold than the bursts' level finds nothing.
        cfg.thresholdDb = 90;
        QVERIFY(dw::findUtterances(sig, cfg).empty());
    }

    void randomShift()
    {
        const auto sig = makeSignal(6.0, {{1.0, 0.3}, {3.0, 0.3}, {5.0, 0.4}}, 30, 8000);
        dw::SplitterConfig cfg;
        cfg.maxShiftSeconds = 0.3;
        cfg.seed = 42;
        const auto a = dw::findUtterances(sig, cfg);
        const auto b = dw::findUtterances(sig, cfg);
        cfg.seed = 43;
        const auto c = dw::findUtterances(sig, cfg);
        QCOMPARE(a.size(), size_t(3));
        QCOMPARE(c.size(), size_t(3));
        bool differs = false;
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].windowStart, b[i].windowStart); // deterministic
            differs |= a[i].windowStart != c[i].windowStart;
            // Shifted but the padded utterance stays inside the window.
            QVERIFY(a[i].windowStart <= a[i].start);
            QVERIFY(a[i].windowStart + 16000 >= a[i].end);
        }
        QVERIFY(differs);
    }

    void shortAndSilentSignals()
    {
        QVERIFY(dw::findUtterances({}).empty());
        std::vector<int16_t> silence(32000, 0);
        QVERIFY(dw::findUtterances(silence).empty());
        // Half a second with a word: the window runs past the signal and is zero-padded.
        const auto sig = makeSignal(0.5, {{0.1, 0.25}}, 20, 8000);
        const auto u = dw::findUtterances(sig);
        QCOMPARE(u.size(), size_t(1));
        QVERIFY(u[0].windowStart <= 0);
        const auto w = dw::extractWindow(sig, u[0]);
        QCOMPARE(w.size(), size_t(16000));
        const int64_t off = -u[0].windowStart;
        QCOMPARE(w[size_t(off)], sig[0]);
        QCOMPARE(w[size_t(off + int64_t(sig.size()))], int16_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSplitter)
#include "test_splitter.moc"
