// SPDX-License-Identifier: GPL-3.0-or-later
// The streaming detector of dw/core/live.h with a fake classifier whose probabilities are the
// fractions of marked samples in the window: detection times are known exactly, so hop, window,
// smoothing, threshold, refractory/re-arm and chunking are checked to the sample.
#include "dw/core/live.h"

#include <QtTest>

#include <cmath>

using namespace dw;

namespace {

// Rate 1000 Hz, 1 s windows. Samples valued 1 are "yes", 2 are "no", anything else "noise".
class FractionClassifier : public WindowClassifier
{
public:
    explicit FractionClassifier(std::vector<std::string> labels = {"yes", "no", "noise"})
        : m_labels(std::move(labels))
    {}
    const std::vector<std::string>& labels() const override { return m_labels; }
    int sampleRate() const override { return 1000; }
    int windowSamples() const override { return 1000; }
    Status classify(std::span<const int16_t> w, std::span<float> p) override
    {
        if (w.size() != 1000 || p.size() != m_labels.size())
            return makeError("bad sizes");
        int yes = 0, no = 0;
        for (int16_t v : w) {
            yes += v == 1;
            no += v == 2;
        }
        std::fill(p.begin(), p.end(), 0.0f);
        p[0] = float(yes) / 1000.0f;
        if (p.size() > 2) {
            p[1] = float(no) / 1000.0f;
            p[2] = 1.0f - p[0] - p[1];
        } else {
            p[1] = 1.0f - p[0];
        }
        ++calls;
        if (failAfter >= 0 && calls > failAfter)
            return makeError("classifier broke");
        return {};
    }
    int calls = 0;
    int failAfter = -1;

private:
    std::vector<std::string> m_labels;
};

// "start:end:value" segments (seconds) over `seconds` of zeros.
std::vector<int16_t> stream(double seconds, const QString& segments)
{
    std::vector<int16_t> s(size_t(std::lround(seconds * 1000)), 0);
    for (const QString& seg : segments.split(' ', Qt::SkipEmptyParts)) {
        const auto f = seg.split(':');
        const long a = std::lround(f[0].toDouble() * 1000), b = std::lround(f[1].toDouble() * 1000);
        for (long i = a; i < b; ++i)
            s[size_t(i)] = int16_t(f[2].toInt());
    }
    return s;
}

QString describe(const std::vector<Detection>& d)
{
    QStringList out;
    for (const auto& x : d)
        out << QString("%1@%2").arg(QString::fromStdString(x.label)).arg(x.time, 0, 'f', 3);
    return out.join(' ');
}

} // namespace

class TestLiveDetector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void detections_data();
    void detections();
    void chunkSizeDoesNotMatter_data();
    void chunkSizeDoesNotMatter();
    void windowCountAndTimes();
    void falseAcceptsPerHour();
    void changeSettingsWhileStreaming();
    void badArguments_data();
    void badArguments();
    void classifierErrorStops();
    void keywordLabels_data();
    void keywordLabels();
};

void TestLiveDetector::detections_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("segments");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<int>("smoothing");
    QTest::addColumn<QString>("expected");
    // One 1 s "yes" at 2..3 s: the window ending at t holds min(t-2, 1) s of it; the first hop
    // past 0.6 s is t = 2.75.
    QTest::newRow("one word") << 6.0 << "2:3:1" << 0.6 << 1 << "yes@2.750";
    // Smoothing 3: mean of 0.75, 0.5, 0.25 at 2.75 (0.5); at 3.0 (1 + .75 + .5)/3 = 0.75.
    QTest::newRow("smoothed") << 6.0 << "2:3:1" << 0.6 << 3 << "yes@3.000";
    QTest::newRow("other keyword") << 6.0 << "2:3:2" << 0.6 << 1 << "no@2.750";
    // A word longer than the refractory period stays one detection (no re-arm while above).
    QTest::newRow("long word is one") << 8.0 << "2:5:1" << 0.6 << 1 << "yes@2.750";
    // Two words 0.5 s apart: the probability dips to 0.5 at 3.5 s (re-arm once the refractory
    // period has passed), the second fires at 4.25 s.
    QTest::newRow("two words") << 8.0 << "2:3:1 3.5:4.5:1" << 0.6 << 1 << "yes@2.750 yes@4.250";
    // Two words back to back (no dip below the threshold): one detection.
    QTest::newRow("no dip") << 8.0 << "2:3:1 3:4:2" << 0.4 << 1 << "yes@2.500";
    // Threshold edges: exactly at the threshold is not above it.
    QTest::newRow("equal is not above") << 6.0 << "2:2.75:1" << 0.75 << 1 << "";
    QTest::newRow("just below") << 6.0 << "2:2.75:1" << 0.74 << 1 << "yes@2.750";
    QTest::newRow("high threshold") << 6.0 << "2:3:1" << 0.99 << 1 << "yes@3.000";
    QTest::newRow("noise never fires") << 6.0 << "" << 0.6 << 1 << "";
    // A word at the very start: the first window (t = 1 s) holds all of it.
    QTest::newRow("at the start") << 3.0 << "0:1:1" << 0.6 << 1 << "yes@1.000";
    // Too short to ever pass the threshold.
    QTest::newRow("short blip") << 6.0 << "2:2.3:1" << 0.6 << 1 << "";
}

void TestLiveDetector::detections()
{
    QFETCH(double, seconds);
    QFETCH(QString, segments);
    QFETCH(double, threshold);
    QFETCH(int, smoothing);
    QFETCH(QString, expected);
    FractionClassifier c;
    DetectorConfig cfg;
    cfg.threshold = threshold;
    cfg.smoothing = smoothing;
    auto d = StreamDetector::create(c, cfg);
    QVERIFY2(d.ok(), d.ok() ? "" : d.error().text().c_str());
    auto s = stream(seconds, segments);
    int flagged = 0;
    QVERIFY((*d)->feed(s, [&](const LiveWindow& w) { flagged += w.detected; }).ok());
    QCOMPARE(describe((*d)->detections()), expected);
    QCOMPARE(flagged, int((*d)->detections().size()));
}

void TestLiveDetector::chunkSizeDoesNotMatter_data()
{
    QTest::addColumn<int>("chunk");
    for (int c : {1, 7, 249, 250, 251, 1000, 4096, 100000})
        QTest::newRow(qPrintable(QString::number(c))) << c;
}

void TestLiveDetector::chunkSizeDoesNotMatter()
{
    QFETCH(int, chunk);
    const auto s = stream(10.0, "1.2:2.1:1 4:5:2 7.3:8.6:1");
    FractionClassifier ref, c;
    auto a = StreamDetector::create(ref);
    auto b = StreamDetector::create(c);
    QVERIFY(a.ok() && b.ok());
    QVERIFY((*a)->feed(s).ok());
    for (size_t i = 0; i < s.size(); i += size_t(chunk))
        QVERIFY((*b)->feed(std::span<const int16_t>(s).subspan(
                               i, std::min(size_t(chunk), s.size() - i)))
                    .ok());
    QCOMPARE(describe((*b)->detections()), describe((*a)->detections()));
    QCOMPARE((*b)->windows(), (*a)->windows());
    QCOMPARE((*a)->detections().size(), size_t(3));
}

void TestLiveDetector::windowCountAndTimes()
{
    FractionClassifier c;
    auto d = StreamDetector::create(c);
    QVERIFY(d.ok());
    std::vector<double> times;
    auto s = stream(3.6, "");
    QVERIFY((*d)->feed(s, [&](const LiveWindow& w) { times.push_back(w.time); }).ok());
    // Windows end at 1.0, 1.25, ..., 3.5: floor((3.6 - 1) / 0.25) + 1 = 11.
    QCOMPARE((*d)->windows(), 11LL);
    QCOMPARE(times.size(), size_t(11));
    QCOMPARE(times.front(), 1.0);
    QCOMPARE(times.back(), 3.5);
    QCOMPARE((*d)->streamSeconds(), 3.6);
    // Less than one window: nothing classified yet.
    (*d)->reset();
    QVERIFY((*d)->feed(stream(0.999, "")).ok());
    QCOMPARE((*d)->windows(), 0LL);
    QCOMPARE(c.calls, 11);
}

void TestLiveDetector::falseAcceptsPerHour()
{
    FractionClassifier c;
    auto d = StreamDetector::create(c);
    QVERIFY(d.ok());
    QCOMPARE((*d)->falseAcceptsPerHour(), 0.0);
    // 36 s = 0.01 h with two (false) detections: 200 per hour.
    QVERIFY((*d)->feed(stream(36.0, "5:6:1 20:21:2")).ok());
    QCOMPARE((*d)->detections().size(), size_t(2));
    QVERIFY(std::abs((*d)->falseAcceptsPerHour() - 200.0) < 1e-9);
    (*d)->reset();
    QCOMPARE((*d)->detections().size(), size_t(0));
    QCOMPARE((*d)->streamSeconds(), 0.0);
}

void TestLiveDetector::changeSettingsWhileStreaming()
{
    FractionClassifier c;
    auto d = StreamDetector::create(c);
    QVERIFY(d.ok());
    QVERIFY((*d)->feed(stream(4.0, "")).ok());
    QVERIFY((*d)->setThreshold(0.95).ok());
    QVERIFY((*d)->setSmoothing(1).ok());
    auto s = stream(4.0, "1:1.8:1"); // at most 0.8 in a window: below 0.95
    QVERIFY((*d)->feed(s).ok());
    QCOMPARE((*d)->detections().size(), size_t(0));
    QVERIFY(!(*d)->setThreshold(1.5).ok());
    QCOMPARE((*d)->config().threshold, 0.95); // a refused value leaves the old one
    QVERIFY(!(*d)->setSmoothing(0).ok());
    QCOMPARE((*d)->config().smoothing, 1);
    QVERIFY((*d)->setThreshold(0.5).ok());
    QVERIFY((*d)->feed(s).ok());
    QCOMPARE(describe((*d)->detections()), QString("yes@9.750"));
}

void TestLiveDetector::badArguments_data()
{
    QTest::addColumn<double>("threshold");
    QTest::addColumn<int>("smoothing");
    QTest::addColumn<int>("hopMs");
    QTest::addColumn<QString>("labels");
    QTest::addColumn<QString>("message");
    QTest::newRow("threshold 1.5") << 1.5 << 3 << 250 << "yes,no,noise"
                                   << "outside (0, 1)";
    QTest::newRow("threshold 1") << 1.0 << 3 << 250 << "yes,no,noise"
                                 << "outside (0, 1)";
    QTest::newRow("threshold 0") << 0.0 << 3 << 250 << "yes,no,noise"
                                 << "outside (0, 1)";
    QTest::newRow("threshold -0.2") << -0.2 << 3 << 250 << "yes,no,noise"
                                    << "outside (0, 1)";
    QTest::newRow("threshold nan") << std::nan("") << 3 << 250 << "yes,no,noise"
                                   << "outside (0, 1)";
    QTest::newRow("smoothing 0") << 0.6 << 0 << 250 << "yes,no,noise"
                                 << "smoothing over 0";
    QTest::newRow("smoothing -3") << 0.6 << -3 << 250 << "yes,no,noise"
                                  << "smoothing over -3";
    QTest::newRow("hop 0") << 0.6 << 3 << 0 << "yes,no,noise"
                           << "hop of 0 ms";
    QTest::newRow("hop 5000") << 0.6 << 3 << 5000 << "yes,no,noise"
                              << "hop of 5000 ms";
    QTest::newRow("no keyword") << 0.6 << 3 << 250 << "_unknown_,noise,_silence_"
                                << "no keyword class";
}

void TestLiveDetector::badArguments()
{
    QFETCH(double, threshold);
    QFETCH(int, smoothing);
    QFETCH(int, hopMs);
    QFETCH(QString, labels);
    QFETCH(QString, message);
    std::vector<std::string> l;
    for (const auto& x : labels.split(','))
        l.push_back(x.toStdString());
    FractionClassifier c(l);
    DetectorConfig cfg;
    cfg.threshold = threshold;
    cfg.smoothing = smoothing;
    cfg.hopMs = hopMs;
    auto d = StreamDetector::create(c, cfg);
    QVERIFY(!d.ok());
    QVERIFY2(QString::fromStdString(d.error().message).contains(message),
             d.error().message.c_str());
    QVERIFY(!d.error().hint.empty());
}

void TestLiveDetector::classifierErrorStops()
{
    FractionClassifier c;
    c.failAfter = 2;
    auto d = StreamDetector::create(c);
    QVERIFY(d.ok());
    auto s = (*d)->feed(stream(5.0, ""));
    QVERIFY(!s.ok());
    QCOMPARE(QString::fromStdString(s.error().message), QString("classifier broke"));
    QCOMPARE((*d)->windows(), 2LL);
}

void TestLiveDetector::keywordLabels_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<bool>("keyword");
    QTest::newRow("yes") << "yes" << true;
    QTest::newRow("tone0") << "tone0" << true;
    QTest::newRow("noise") << "noise" << false;
    QTest::newRow("Noise") << "Noise" << false;
    QTest::newRow("unknown") << "unknown" << false;
    QTest::newRow("_unknown_") << "_unknown_" << false;
    QTest::newRow("_silence_") << "_silence_" << false;
    QTest::newRow("_background_noise_") << "_background_noise_" << false;
    QTest::newRow("noisy") << "noisy" << true;
}

void TestLiveDetector::keywordLabels()
{
    QFETCH(QString, label);
    QFETCH(bool, keyword);
    QCOMPARE(isKeywordLabel(label.toStdString()), keyword);
}

QTEST_GUILESS_MAIN(TestLiveDetector)
#include "test_live_detector.moc"
