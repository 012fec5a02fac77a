// SPDX-License-Identifier: GPL-3.0-or-later
// RecordingPage under the offscreen platform with the fake backend: the live session (waveform
// scrolling, level meter), the proposed regions after the session (nudge, drop, relabel, save),
// device errors (no device, vanishing mid-session: audio kept), a write failure on save, and the
// event loop staying responsive while a 60 s session is drained, drawn and split.
// With DW_UPDATE_SCREENSHOTS=1 it also writes docs/screenshots/recording*.png.
#include "dw/audio/fake_backend.h"
#include "dw/core/project.h"
#include "dw/ui/level_meter.h"
#include "dw/ui/message_bar.h"
#include "dw/ui/recording_page.h"
#include "dw/ui/waveform_view.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "stall_meter.h"

#include <sys/resource.h>

#include <csignal>
#include <ctime>

using dw::audio::FakeBackend;
using dw::audio::FakeOptions;
using dw::ui::RecordingPage;

namespace {

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<dw::Project> project;
    std::unique_ptr<FakeBackend> backend;
    std::unique_ptr<RecordingPage> page;
    std::vector<double> onsets;

    Fixture(double seconds, FakeOptions opt = {}, double period = 1.3)
    {
        auto p = dw::Project::create(dir.path().toStdString() + "/p", {"yes", "no", "noise"});
        if (p)
            project = std::make_unique<dw::Project>(std::move(*p));
        backend = std::make_unique<FakeBackend>(
            FakeBackend::speechLike(seconds, opt.sampleRate, 0.6, period, &onsets), opt);
        page = std::make_unique<RecordingPage>(backend.get(), project.get());
        page->resize(1100, 620);
        page->setCountdownSeconds(0);
        page->setLabel("yes");
        page->setContinuous(true);
        page->setSessionSeconds(seconds);
        page->show();
    }
};

QString shotPath(const QString& name)
{
    if (qgetenv("DW_UPDATE_SCREENSHOTS") == "1") {
        QDir().mkpath(QString(DW_SOURCE_DIR) + "/docs/screenshots");
        return QString(DW_SOURCE_DIR) + "/docs/screenshots/" + name;
    }
    return QDir::temp().filePath("dw-test-" + name);
}

} // namespace

class TestRecordingPage : public QObject
{
    Q_OBJECT

private slots:
    void midSessionShowsLiveWaveformAndLevel()
    {
        FakeOptions opt;
        opt.loop = true;
        Fixture f(10.0, opt);
        QVERIFY(f.project);
        f.page->startSession();
        QCOMPARE(f.page->state(), RecordingPage::State::Recording);
        double loudest = -120.0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 2600) {
            QTest::qWait(30);
            loudest = std::max(loudest, f.page->levelMeter()->holdDb());
        }
        QCOMPARE(f.page->state(), RecordingPage::State::Recording);
        QVERIFY(f.page->recorder().seconds() > 2.0);
        QVERIFY(f.page->waveform()->pointCount() > 150);
        QVERIFY2(loudest > -20.0, qPrintable(QString("meter peak %1 dB").arg(loudest)));
        QVERIFY(f.page->statusText().startsWith("Recording"));
        // The live view scrolls: its right edge follows the audio.
        QVERIFY(f.page->waveform()->xAxis->range().upper >= 5.9);
        f.page->waveform()->replot();
        QVERIFY(f.page->grab().save(shotPath("recording.png")));
        f.page->stopSession();
        // The review (split, clip list) follows on a later event-loop pass.
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 2000);
        QVERIFY(!f.page->proposals().empty());
    }

    void splitRegionsCanBeEditedAndSaved()
    {
        FakeOptions opt;
        opt.speed = 4.0;
        Fixture f(6.0, opt);
        QVERIFY(f.project);
        f.page->startSession();
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 10000);
        const auto& ps = f.page->proposals();
        QCOMPARE(int(ps.size()), int(f.onsets.size()));
        QCOMPARE(int(f.page->waveform()->regions().size()), int(ps.size()));
        for (size_t i = 0; i < ps.size(); ++i) {
            const int64_t on = int64_t(f.onsets[i] * 16000);
            QVERIFY(ps[i].start <= on && ps[i].start + ps[i].length >= on + 7200);
        }
        // Nudge, drop, relabel.
        f.page->selectProposal(0);
        const int64_t before = ps[0].start;
        f.page->nudgeSelected(10);
        QCOMPARE(f.page->proposals()[0].start, before + 160);
        QCOMPARE(f.page->waveform()->regions()[0].start, before + 160);
        f.page->nudgeSelected(-20);
        QCOMPARE(f.page->proposals()[0].start, before - 160);
        f.page->relabelSelected("no");
        QCOMPARE(QString::fromStdString(f.page->proposals()[0].label), QString("no"));
        f.page->selectProposal(1);
        f.page->toggleDropSelected();
        QVERIFY(!f.page->proposals()[1].keep);
        f.page->waveform()->replot(); // queued replots have not run yet
        QVERIFY(f.page->grab().save(shotPath("recording-review.png")));
        // A bad label is refused with a message, the proposal keeps its label.
        f.page->selectProposal(2);
        f.page->relabelSelected("a/b");
        QCOMPARE(QString::fromStdString(f.page->proposals()[2].label), QString("yes"));
        QCOMPARE(f.page->messageBar()->level(), dw::ui::MessageBar::Level::Error);

        QSignalSpy saved(f.page.get(), &RecordingPage::clipsSaved);
        QCOMPARE(f.page->saveClips(), 3);
        QCOMPARE(saved.count(), 1);
        QCOMPARE(int(f.page->proposals().size()), 1); // only the dropped one stays
        auto reopened = dw::Project::open(f.project->root());
        QVERIFY(reopened.ok());
        QCOMPARE(int(reopened->clips("no").size()), 1);
        QCOMPARE(int(reopened->clips("yes").size()), 2);
    }

    // The meter moves as soon as the page is shown, before Record (nothing is kept); recording
    // takes the device over and monitoring comes back in review; the toggle stops it.
    void monitorShowsTheLevelBeforeRecording()
    {
        FakeOptions opt;
        opt.loop = true;
        opt.speed = 2.0;
        Fixture f(4.0, opt, 0.6);
        QVERIFY(f.project);
        QVERIFY(f.page->monitoringEnabled());
        QVERIFY(f.page->isMonitoring());
        QTRY_VERIFY_WITH_TIMEOUT(f.page->levelMeter()->holdDb() > -20.0, 3000);
        QCOMPARE(f.page->state(), RecordingPage::State::Idle);
        QVERIFY(f.page->recorder().samples().empty());
        QCOMPARE(f.page->waveform()->sampleCount(), int64_t(0));

        // Hidden page: no capture.
        f.page->hide();
        QVERIFY(!f.page->isMonitoring());
        QVERIFY(!f.backend->isCapturing());
        f.page->show();
        QVERIFY(f.page->isMonitoring());

        f.page->setSessionSeconds(2.0);
        f.page->startSession();
        QCOMPARE(f.page->state(), RecordingPage::State::Recording);
        QVERIFY(!f.page->isMonitoring());
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 10000);
        // The session starts at the session's first sample, not where monitoring was.
        QVERIFY(f.page->recorder().seconds() >= 1.99 && f.page->recorder().seconds() < 2.2);
        QVERIFY(f.page->isMonitoring());
        const size_t kept = f.page->recorder().samples().size();
        QTest::qWait(200);
        QCOMPARE(f.page->recorder().samples().size(), kept); // monitoring keeps nothing

        f.page->setMonitoring(false);
        QVERIFY(!f.page->isMonitoring());
        QVERIFY(!f.backend->isCapturing());
        QTest::qWait(100);
        QVERIFY(f.page->levelMeter()->peakDb() <= -119.0);
    }

    void monitorWithoutDeviceTurnsItselfOff()
    {
        FakeOptions opt;
        opt.busy = true;
        Fixture f(2.0, opt);
        QVERIFY(!f.page->isMonitoring());
        QVERIFY(!f.page->monitoringEnabled());
        QVERIFY2(f.page->messageBar()->text().contains("monitoring is off") &&
                     f.page->messageBar()->text().contains("busy"),
                 qPrintable(f.page->messageBar()->text()));
    }

    void monitorDeviceVanishingSaysSo()
    {
        FakeOptions opt;
        opt.failAfterSeconds = 0.3;
        opt.speed = 2.0;
        Fixture f(2.0, opt);
        QVERIFY(f.page->isMonitoring());
        QTRY_VERIFY_WITH_TIMEOUT(!f.page->isMonitoring(), 3000);
        QVERIFY(!f.page->monitoringEnabled());
        QVERIFY2(f.page->messageBar()->text().contains("monitoring stopped"),
                 qPrintable(f.page->messageBar()->text()));
        QCOMPARE(f.page->state(), RecordingPage::State::Idle);
    }

    void noInputDeviceIsAClearMessage()
    {
        FakeOptions opt;
        opt.noDevices = true;
        Fixture f(2.0, opt);
        f.page->startSession();
        QCOMPARE(f.page->state(), RecordingPage::State::Idle);
        QVERIFY(f.page->messageBar()->isVisible());
        QVERIFY2(f.page->messageBar()->text().contains("no audio input device"),
                 qPrintable(f.page->messageBar()->text()));
    }

    void deviceVanishingKeepsTheRecording()
    {
        FakeOptions opt;
        opt.speed = 2.0;
        opt.sampleRate = 48000; // and a 48 kHz stereo device, resampled
        opt.channels = 1;
        opt.failAfterSeconds = 1.0;
        Fixture f(5.0, opt, 0.8);
        f.page->startSession();
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 10000);
        QVERIFY2(f.page->messageBar()->text().contains("disappeared"),
                 qPrintable(f.page->messageBar()->text()));
        QVERIFY(f.page->messageBar()->hint().contains("kept"));
        const double kept = double(f.page->recorder().samples().size());
        QVERIFY2(std::abs(kept - 16000.0) < 200.0, qPrintable(QString::number(kept)));
        QCOMPARE(f.page->waveform()->sampleCount(), int64_t(kept));
        QVERIFY(!f.page->proposals().empty()); // the kept audio was split
    }

    void writeFailureOnSaveKeepsTheSession()
    {
        FakeOptions opt;
        opt.speed = 4.0;
        Fixture f(4.0, opt);
        f.page->startSession();
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 10000);
        const size_t proposed = f.page->proposals().size();
        QVERIFY(proposed >= 2);
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const int saved = f.page->saveClips();
        setrlimit(RLIMIT_FSIZE, &old);
        QCOMPARE(saved, 0);
        QCOMPARE(f.page->messageBar()->level(), dw::ui::MessageBar::Level::Error);
        QVERIFY2(f.page->messageBar()->text().contains("could not save"),
                 qPrintable(f.page->messageBar()->text()));
        QCOMPARE(f.page->proposals().size(), proposed); // nothing lost: save again works
        QCOMPARE(f.page->saveClips(), int(proposed));
        QVERIFY(f.page->proposals().empty());
    }

    void noProjectRefusesToSave()
    {
        FakeOptions opt;
        opt.speed = 4.0;
        Fixture f(3.0, opt);
        f.page->setProject(nullptr);
        f.page->startSession();
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 10000);
        QCOMPARE(f.page->saveClips(), 0);
        QVERIFY(f.page->messageBar()->text().contains("No project"));
        QVERIFY(!f.page->proposals().empty());
    }

    // A 60 s session drained at 40 Hz, drawn live, then split and shown. An independent 5 ms
    // timer probes the event loop: the GUI thread's CPU time between two probe ticks is the work
    // that blocked it (robust on a shared machine); the wall-clock gap is reported too.
    void sixtySecondSessionNeverBlocksTheEventLoop()
    {
        FakeOptions opt;
        opt.speed = 6.0; // 60 s of audio in 10 s: every tick drains 6x the real-time amount
        Fixture f(60.0, opt, 1.4);
        QTest::qWait(300); // the page's first paint (font loading) is not part of a session
        dw::test::StallMeter stall;
        stall.where = [&f] {
            return QString("%1 at %2 s of audio")
                .arg(f.page->state() == RecordingPage::State::Review ? "after the session"
                                                                     : "during the session")
                .arg(f.page->recorder().seconds(), 0, 'f', 1);
        };
        f.page->startSession();
        QTRY_COMPARE_WITH_TIMEOUT(f.page->state(), RecordingPage::State::Review, 30000);
        QTest::qWait(200); // the queued replot of the whole session with its regions
        stall.stop();
        QVERIFY(f.page->recorder().seconds() >= 59.9);
        QVERIFY(f.page->proposals().size() >= 40);
        qInfo("60 s session: %zu probe ticks; longest GUI-thread busy span %.1f ms (CPU, %s); "
              "wall-clock gaps: longest %.1f ms, p99 %.1f ms; %zu proposals, %d envelope points",
              stall.wallGaps.size(), stall.worstCpuMs(), qPrintable(stall.worstAt),
              stall.worstWallMs(), stall.wallPercentileMs(99), f.page->proposals().size(),
              f.page->waveform()->pointCount());
        // Target ~20 ms. Measured 8-12 ms in five runs at load average 3-4 on 2 cores, after two
        // fixes: the drain reserved exactly the new size and so copied the whole session on every
        // tick (4 ms per tick after a minute; spans of 28-38 ms), and the session's end ran the
        // final replot and the split/review in one pass (now two). Guard with some headroom for
        // a loaded CI machine.
        QVERIFY2(
            stall.worstCpuMs() < 25.0,
            qPrintable(QString("the GUI thread was busy %1 ms at once").arg(stall.worstCpuMs())));
    }
};

QTEST_MAIN(TestRecordingPage)
#include "test_recording_page.moc"
