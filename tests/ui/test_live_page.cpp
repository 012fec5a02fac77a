// SPDX-License-Identifier: GPL-3.0-or-later
// The Live test page with its controller and the real model (a tiny tone run trained here):
// a WAV played through the fake backend moves the bars and lists the tones as detections at the
// right stream times, Stop ends a session within a tick, a noise-only file shows false accepts
// per hour, device and run errors become messages, and the GUI thread never blocks for 50 ms.
// With DW_SCREENSHOT_DIR set it also renders docs/screenshots/live-test.png
// (DW_SCREENSHOT_LIVE_RUN / DW_SCREENSHOT_LIVE_WAV: a real run and recording instead).
#include "../core/live_fixture.h"
#include "live_controller.h"
#include "stall_meter.h"

#include "dw/audio/fake_backend.h"
#include "dw/core/project.h"
#include "dw/ui/live_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <ctime>

using namespace dw;

namespace {

QStringList detectionRows(QTableWidget* t)
{
    QStringList rows;
    for (int r = t->rowCount() - 1; r >= 0; --r) // oldest first
        rows << t->item(r, 1)->text() + "@" + t->item(r, 0)->text();
    return rows;
}

double seconds(const QString& cell)
{
    QString s = cell;
    s.remove(" s");
    if (s.contains(':'))
        return s.section(':', 0, 0).toDouble() * 60 + s.section(':', 1).toDouble();
    return s.toDouble();
}

} // namespace

class TestLivePage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void wavThroughFakeBackend();
    void stopMidStream();
    void noiseOnlyFalseAccepts();
    void errors_data();
    void errors();
    void deviceVanishes();
    void screenshot();

private:
    struct Rig
    {
        ui::LivePage page;
        gui::LiveController controller{&page};
        Rig()
        {
            controller.setDeviceLister([] {
                return Result<std::vector<audio::DeviceInfo>>(std::vector<audio::DeviceInfo>{});
            });
            page.resize(1100, 700);
            page.show();
        }
    };
    QString writeWav(const QString& name, const std::vector<int16_t>& s);

    QTemporaryDir m_tmp;
    std::filesystem::path m_run;
    std::vector<double> m_onsets;
    QString m_streamWav;
};

QString TestLivePage::writeWav(const QString& name, const std::vector<int16_t>& s)
{
    const QString path = m_tmp.filePath(name);
    Audio a;
    a.samples = s;
    auto st = writeWavPcm16(path.toStdString(), a);
    return st.ok() ? path : QString();
}

void TestLivePage::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    auto p = test::makeLiveProject(m_tmp.filePath("proj").toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().text().c_str());
    auto r = test::trainLiveRun(*p);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
    m_run = *r;
    m_streamWav = writeWav("stream.wav", test::liveStream(1.5, {500.0, 1300.0}, 2.0, &m_onsets));
    QVERIFY(!m_streamWav.isEmpty());
}

void TestLivePage::wavThroughFakeBackend()
{
    Rig rig;
    rig.controller.setWavSpeed(3.0);
    rig.page.setRunDir(QString::fromStdString(m_run.string()));
    rig.page.setWavFile(m_streamWav, false);
    QSignalSpy finished(&rig.controller, &gui::LiveController::finished);
    test::StallMeter meter;
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    QVERIFY(!rig.page.startButton()->isEnabled());
    QVERIFY(rig.page.stopButton()->isEnabled());
    // Bars move while the file plays.
    QTRY_VERIFY_WITH_TIMEOUT(rig.page.windowsShown() >= 3, 20000);
    double sum = 0;
    for (double v : rig.page.barValues())
        sum += v;
    QVERIFY2(std::abs(sum - 1.0) < 1e-3, qPrintable(QString::number(sum)));
    QVERIFY(finished.wait(30000) || finished.count() == 1);
    const QStringList rows = detectionRows(rig.page.detectionsTable());
    qInfo("detections: %s; status: %s; worst GUI-thread span %.1f ms", qPrintable(rows.join(' ')),
          qPrintable(rig.page.statusLabel()->text()), meter.worstCpuMs());
    QCOMPARE(rows.size(), 2);
    QVERIFY(rows[0].startsWith("tone0@"));
    QVERIFY(rows[1].startsWith("tone1@"));
    auto* t = rig.page.detectionsTable();
    for (int k = 0; k < 2; ++k) {
        const double at = seconds(t->item(1 - k, 0)->text());
        QVERIFY2(at >= m_onsets[size_t(k)] + 0.6 - 1e-6 && at <= m_onsets[size_t(k)] + 1.25 + 1e-6,
                 qPrintable(rows.join(' ')));
    }
    QVERIFY(rig.page.startButton()->isEnabled());
    QVERIFY(!rig.page.stopButton()->isEnabled());
    QVERIFY(rig.page.statusLabel()->text().startsWith("Stopped"));
    QVERIFY(rig.page.statusLabel()->text().contains("2 detections"));
    QVERIFY(!rig.page.statusLabel()->text().contains("false accepts"));
    QVERIFY2(meter.worstCpuMs() < 50.0, qPrintable(QString::number(meter.worstCpuMs())));
}

void TestLivePage::stopMidStream()
{
    Rig rig;
    const QString wav = writeWav("long.wav", test::liveSound(16000 * 30, 0, 0, 400.0, 5));
    rig.page.setRunDir(QString::fromStdString(m_run.string()));
    rig.page.setWavFile(wav, false);
    QSignalSpy finished(&rig.controller, &gui::LiveController::finished);
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(rig.page.windowsShown() >= 2, 20000);
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(rig.page.stopButton(), Qt::LeftButton);
    QVERIFY(finished.wait(2000) || finished.count() == 1);
    qInfo("stopped %lld ms after Stop", clock.elapsed());
    QVERIFY(clock.elapsed() < 1000);
    QVERIFY(!rig.controller.isRunning());
    QVERIFY(rig.page.startButton()->isEnabled());
    QVERIFY(rig.page.statusLabel()->text().startsWith("Stopped"));
}

void TestLivePage::noiseOnlyFalseAccepts()
{
    Rig rig;
    rig.controller.setWavSpeed(4.0);
    const QString wav = writeWav("noise.wav", test::liveSound(16000 * 5, 0, 0, 500.0, 9));
    rig.page.setRunDir(QString::fromStdString(m_run.string()));
    rig.page.setWavFile(wav, true);
    QSignalSpy finished(&rig.controller, &gui::LiveController::finished);
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(30000) || finished.count() == 1);
    const QString status = rig.page.statusLabel()->text();
    qInfo("%s", qPrintable(status));
    QVERIFY2(status.contains("false accepts per hour: 0.0"), qPrintable(status));
    QCOMPARE(rig.page.detectionsTable()->rowCount(), 0);
    QVERIFY(status.contains("stream 5.00 s"));
    QVERIFY(status.contains("17 windows")); // (5 - 1) / 0.25 + 1
}

void TestLivePage::errors_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("message");
    QTest::newRow("no run") << "norun"
                            << "no run selected";
    QTest::newRow("no checkpoint") << "nocheckpoint"
                                   << "has no checkpoint";
    QTest::newRow("no wav chosen") << "nowav"
                                   << "no WAV file chosen";
    QTest::newRow("missing wav") << "missingwav"
                                 << "missing.wav";
    QTest::newRow("no device") << "nodevice"
                               << "no audio input device";
    QTest::newRow("device busy") << "busy"
                                 << "busy";
}

void TestLivePage::errors()
{
    QFETCH(QString, what);
    QFETCH(QString, message);
    Rig rig;
    if (what != "norun")
        rig.page.setRunDir(QString::fromStdString(m_run.string()));
    if (what == "nocheckpoint") {
        const auto empty = m_tmp.filePath("empty-run").toStdString();
        std::filesystem::create_directories(empty);
        rig.page.setRunDir(QString::fromStdString(empty));
    }
    rig.page.setWavFile(what == "nowav" ? QString() : m_streamWav, false);
    if (what == "missingwav")
        rig.page.setWavFile(m_tmp.filePath("missing.wav"), false);
    if (what == "8k") {
        Audio a;
        a.sampleRate = 8000;
        a.samples = test::liveSound(16000, 0, 0, 400.0, 1);
        const QString path = m_tmp.filePath("8k.wav");
        QVERIFY(writeWavPcm16(path.toStdString(), a).ok());
        rig.page.setWavFile(path, false);
    }
    if (what == "nodevice") {
        rig.page.setDevices({});
        rig.page.sourceBox()->setCurrentIndex(0); // "(no input device found)"
    }
    if (what == "busy") {
        audio::DeviceInfo d;
        d.index = 0;
        d.name = "Fake microphone";
        d.hostApi = "Fake";
        d.maxInputChannels = 1;
        d.isDefaultInput = true;
        rig.page.setDevices({d});
        rig.page.sourceBox()->setCurrentIndex(0);
        QVERIFY(!rig.page.source().wav);
        rig.controller.setDeviceBackendFactory([]() -> Result<std::unique_ptr<audio::Backend>> {
            audio::FakeOptions o;
            o.busy = true;
            return std::unique_ptr<audio::Backend>(
                std::make_unique<audio::FakeBackend>(std::vector<float>(16000, 0.0f), o));
        });
    }
    QSignalSpy finished(&rig.controller, &gui::LiveController::finished);
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!rig.controller.isRunning(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(rig.page.statusLabel()->text().contains(message), 5000);
    qInfo("%s", qPrintable(rig.page.statusLabel()->text()));
    QVERIFY(rig.page.statusLabel()->styleSheet().contains("color"));
    QVERIFY(rig.page.startButton()->isEnabled());
}

void TestLivePage::deviceVanishes()
{
    Rig rig;
    audio::DeviceInfo d;
    d.index = 0;
    d.name = "USB mic";
    d.hostApi = "Fake";
    d.maxInputChannels = 1;
    d.isDefaultInput = true;
    rig.page.setDevices({d});
    QVERIFY(!rig.page.source().wav);
    QCOMPARE(rig.page.source().device, 0);
    rig.page.setRunDir(QString::fromStdString(m_run.string()));
    rig.controller.setDeviceBackendFactory([]() -> Result<std::unique_ptr<audio::Backend>> {
        audio::FakeOptions o;
        o.speed = 4.0;
        o.failAfterSeconds = 2.0;
        return std::unique_ptr<audio::Backend>(std::make_unique<audio::FakeBackend>(
            audio::FakeBackend::speechLike(10.0, 16000, 0.5, 1.3), o));
    });
    QSignalSpy finished(&rig.controller, &gui::LiveController::finished);
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(20000) || finished.count() == 1);
    const QString status = rig.page.statusLabel()->text();
    qInfo("%s", qPrintable(status));
    QVERIFY2(status.contains("disappeared") && status.contains("press Start again"),
             qPrintable(status));
    QVERIFY(rig.page.windowsShown() >= 1); // the audio before the fault was classified
    QVERIFY(rig.page.startButton()->isEnabled());
}

void TestLivePage::screenshot()
{
    const QString out = qEnvironmentVariable("DW_SCREENSHOT_DIR");
    if (out.isEmpty())
        QSKIP("set DW_SCREENSHOT_DIR to write docs/screenshots");
    QVERIFY(QDir().mkpath(out));
    const QString run =
        qEnvironmentVariable("DW_SCREENSHOT_LIVE_RUN", QString::fromStdString(m_run.string()));
    const QString wav = qEnvironmentVariable("DW_SCREENSHOT_LIVE_WAV", m_streamWav);
    const int wantDetections = qEnvironmentVariableIntValue("DW_SCREENSHOT_LIVE_DETECTIONS");
    Rig rig;
    rig.page.resize(1200, 720);
    rig.controller.setWavSpeed(4.0);
    audio::DeviceInfo mic;
    mic.index = 0;
    mic.name = "system";
    mic.hostApi = "JACK Audio Connection Kit";
    mic.maxInputChannels = 2;
    mic.defaultSampleRate = 16000;
    rig.page.setDevices({mic});
    rig.page.setRunDir(run);
    rig.page.setWavFile(wav, false);
    QTest::mouseClick(rig.page.startButton(), Qt::LeftButton);
    const int want = wantDetections > 0 ? wantDetections : 2;
    // Grab right after a detection, while its bar is highlighted.
    QTRY_VERIFY_WITH_TIMEOUT(rig.page.detectionsTable()->rowCount() >= want, 120000);
    QTest::qWait(30);
    const QString file = out + "/live-test.png";
    QVERIFY(rig.page.grab().save(file));
    qInfo("wrote %s", qPrintable(file));
    rig.controller.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!rig.controller.isRunning(), 5000);
}

QTEST_MAIN(TestLivePage)
#include "test_live_page.moc"
