// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite live` end to end (the built binary through QProcess). It lives with the core tests
// because its fixture, a tiny tone project and a run trained in-process for a few epochs
// (live_fixture.h), needs dw_core: a WAV of keyword clips, silence and noise gives the
// detections at the right times, a noise-only WAV prints false accepts per hour, bad input
// gives a clear error and a non-zero exit code.
#include "live_fixture.h"
#include "run_process.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace dw;

namespace {

const QString kBin = QStringLiteral(DW_BIN_DIR "/dendrite");

using Proc = dw::test::ProcessResult;

Proc dendrite(const QStringList& args)
{
    return dw::test::runDendrite(args);
}

} // namespace

class TestLiveCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void detectionsInAStream_data();
    void detectionsInAStream();
    void noiseOnly();
    void higherRateIsResampled();
    void badInput_data();
    void badInput();

private:
    QString wav(const QString& name, const std::vector<int16_t>& s, int rate = 16000);
    QTemporaryDir m_tmp;
    std::optional<Project> m_project;
    QString m_run;
};

QString TestLiveCli::wav(const QString& name, const std::vector<int16_t>& s, int rate)
{
    Audio a;
    a.sampleRate = rate;
    a.samples = s;
    const QString path = m_tmp.filePath(name);
    return writeWavPcm16(path.toStdString(), a).ok() ? path : QString();
}

void TestLiveCli::initTestCase()
{
    QVERIFY2(QFile::exists(kBin), "build the dendrite target first");
    QVERIFY(m_tmp.isValid());
    auto p = test::makeLiveProject(m_tmp.filePath("proj").toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    m_project = std::move(*p);
    auto r = test::trainLiveRun(*m_project);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
    m_run = QString::fromStdString(r->string());
}

void TestLiveCli::detectionsInAStream_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("float") << QStringList{};
    QTest::newRow("int8") << QStringList{"--int8"};
    QTest::newRow("no smoothing, 100 ms hop")
        << QStringList{"--smooth", "1", "--hop-ms", "100", "--threshold", "0.7"};
}

void TestLiveCli::detectionsInAStream()
{
    QFETCH(QStringList, options);
    // noise 1.5 s | tone1 clip (a project clip: its tone is inside) | 1.5 s silence | noise 1 s |
    // tone0 (0.6 s) | noise 2 s
    const Clip* clip = nullptr;
    for (const auto& c : m_project->clips())
        if (c.label == "tone1") {
            clip = &c;
            break;
        }
    QVERIFY(clip);
    auto a = readWavPcm16(m_project->clipPath(*clip));
    QVERIFY(a.ok());
    std::vector<int16_t> s = test::liveSound(24000, 0, 0, 400.0, 3);
    const double onset1 = 1.5;
    s.insert(s.end(), a->samples.begin(), a->samples.end());
    s.insert(s.end(), 24000, int16_t(0));
    auto n = test::liveSound(16000, 0, 0, 400.0, 4);
    s.insert(s.end(), n.begin(), n.end());
    const double onset0 = double(s.size()) / 16000.0;
    auto t = test::liveSound(9600, 500.0, 6000.0, 400.0, 5);
    s.insert(s.end(), t.begin(), t.end());
    n = test::liveSound(32000, 0, 0, 400.0, 6);
    s.insert(s.end(), n.begin(), n.end());
    const QString file = wav("stream.wav", s);
    QVERIFY(!file.isEmpty());

    auto r = dendrite(QStringList{"live", m_run, "--wav", file} + options);
    qInfo("%s", qPrintable(r.out));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QRegularExpression re(R"(detection\s+([\d.]+) s\s+(\S+)\s+([\d.]+))");
    QStringList labels;
    std::vector<double> times;
    for (auto it = re.globalMatch(r.out); it.hasNext();) {
        auto m = it.next();
        times.push_back(m.captured(1).toDouble());
        labels << m.captured(2);
        QVERIFY(m.captured(3).toDouble() > 0.6);
    }
    QCOMPARE(labels, (QStringList{"tone1", "tone0"}));
    // tone1 is somewhere in its 1 s clip: detected within the clip's second plus one window.
    QVERIFY2(times[0] >= onset1 && times[0] <= onset1 + 2.0, qPrintable(r.out));
    // tone0 (0.6 s) fires once most of it is inside the window, before its window is past.
    QVERIFY2(times[1] >= onset0 + 0.3 && times[1] <= onset0 + 1.3, qPrintable(r.out));
    QVERIFY(r.out.contains("detections: 2"));
    QVERIFY(r.out.contains(QString("stream: %1 s").arg(double(s.size()) / 16000.0, 0, 'f', 2)));
    QVERIFY(!r.out.contains("false accepts"));
    if (options.contains("--int8"))
        QVERIFY(r.err.contains("model: int8"));
}

void TestLiveCli::noiseOnly()
{
    const QString file = wav("noise.wav", test::liveSound(16000 * 60, 0, 0, 600.0, 11));
    auto r = dendrite({"live", m_run, "--wav", file, "--noise-only"});
    qInfo("%s", qPrintable(r.out));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("windows: 237")); // (60 - 1) / 0.25 + 1
    QVERIFY(r.out.contains("stream: 60.00 s"));
    QRegularExpression re(R"(false accepts per hour: ([\d.]+) \((\d+) in 1\.0 min)");
    auto m = re.match(r.out);
    QVERIFY2(m.hasMatch(), qPrintable(r.out));
    QCOMPARE(m.captured(1).toDouble(), m.captured(2).toDouble() * 60.0);
    QCOMPARE(m.captured(2).toInt(), 0);
}

void TestLiveCli::higherRateIsResampled()
{
    // 3 s at 32 kHz: resampled to the model's 16 kHz, with a note; 9 windows of 1 s every 250 ms.
    const QString file = wav("32k.wav", test::liveSound(96000, 0, 0, 400.0, 2), 32000);
    auto r = dendrite({"live", m_run, "--wav", file});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("input: 32000 Hz mono WAV PCM 16-bit -> 16000 Hz"), qPrintable(r.err));
    QVERIFY2(r.out.contains("windows: 9"), qPrintable(r.out));
    QVERIFY(r.out.contains("stream: 3.00 s"));
}

void TestLiveCli::badInput_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("no checkpoint") << "nocheckpoint" << 3 << "has no checkpoint (best.pt)";
    QTest::newRow("no run folder") << "norun" << 3 << "does not exist";
    QTest::newRow("8 kHz wav") << "8k" << 3 << "sampled at 8000 Hz";
    QTest::newRow("threshold 1.5") << "threshold" << 2 << "outside (0, 1)";
    QTest::newRow("smooth 0") << "smooth" << 2 << "smoothing over 0 windows";
    QTest::newRow("missing wav") << "missingwav" << 3 << "missing.wav";
    QTest::newRow("wav and device") << "both" << 2 << "either --wav FILE or --device";
    QTest::newRow("no source") << "nosource" << 2 << "either --wav FILE or --device";
    QTest::newRow("noise-only with device") << "noisedevice" << 2 << "--noise-only applies";
    QTest::newRow("unknown option") << "unknown" << 2 << "--treshold";
    QTest::newRow("int8 outside a project") << "int8alone" << 2 << "not inside a project";
}

void TestLiveCli::badInput()
{
    QFETCH(QString, what);
    QFETCH(int, code);
    QFETCH(QString, message);
    const QString good = wav("good.wav", test::liveSound(20000, 0, 0, 400.0, 1));
    QStringList args{"live", m_run, "--wav", good};
    if (what == "nocheckpoint") {
        QDir().mkpath(m_tmp.filePath("empty-run"));
        args[1] = m_tmp.filePath("empty-run");
    } else if (what == "norun") {
        args[1] = m_tmp.filePath("no-such-run");
    } else if (what == "8k") {
        args[3] = wav("8k.wav", test::liveSound(8000, 0, 0, 400.0, 1), 8000);
    } else if (what == "threshold") {
        args << "--threshold"
             << "1.5";
    } else if (what == "smooth") {
        args << "--smooth"
             << "0";
    } else if (what == "missingwav") {
        args[3] = m_tmp.filePath("missing.wav");
    } else if (what == "both") {
        args << "--device"
             << "0"
             << "--seconds"
             << "1";
    } else if (what == "nosource") {
        args = QStringList{"live", m_run};
    } else if (what == "noisedevice") {
        args = QStringList{"live", m_run, "--device", "0", "--seconds", "1", "--noise-only"};
    } else if (what == "unknown") {
        args << "--treshold"
             << "0.5";
    } else if (what == "int8alone") {
        const QString alone = m_tmp.filePath("alone");
        QDir().mkpath(alone);
        QFile::copy(m_run + "/best.pt", alone + "/best.pt");
        args[1] = alone;
        args << "--int8";
    }
    auto r = dendrite(args);
    qInfo("exit %d: %s", r.code, qPrintable(r.err.trimmed()));
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(r.err.contains("hint:"), qPrintable(r.err));
    QVERIFY(!r.out.contains("detection "));
}

QTEST_GUILESS_MAIN(TestLiveCli)
#include "test_live_cli.moc"
