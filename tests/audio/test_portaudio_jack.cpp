// SPDX-License-Identifier: GPL-3.0-or-later
// The real PortAudio backend against JACK's dummy driver (no sound card needed): the test starts
// its own jackd (a private server name, so parallel runs do not meet), waits until PortAudio sees
// the JACK device, records >= 2 s of real-time paced input into a project, then stops jackd by
// its PID. Also: with no server there is no JACK device and errors are clear, and killing the
// server mid-recording is reported while the audio recorded so far is kept.
#include "dw/audio/portaudio_backend.h"
#include "dw/audio/recorder.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

#include <chrono>
#include <thread>

using namespace dw::audio;

namespace {

std::optional<DeviceInfo> findJackInput(PortAudioBackend& b)
{
    auto devices = b.listDevices();
    if (!devices)
        return std::nullopt;
    for (const auto& d : *devices)
        if (d.hostApi.find("JACK") != std::string::npos && d.maxInputChannels > 0)
            return d;
    return std::nullopt;
}

} // namespace

class TestPortAudioJack : public QObject
{
    Q_OBJECT

    QString m_jackd;
    QString m_server;
    QProcess m_proc;

    // Starts jackd and returns its PID (0 on failure).
    qint64 startJack()
    {
        m_proc.setProgram(m_jackd);
        m_proc.setArguments({"-n", m_server, "--no-realtime", "-d", "dummy", "-r", "16000",
                             "-p", "512"});
        m_proc.setProcessChannelMode(QProcess::MergedChannels);
        m_proc.start();
        if (!m_proc.waitForStarted(5000))
            return 0;
        return m_proc.processId();
    }
    void stopJack()
    {
        if (m_proc.state() == QProcess::NotRunning)
            return;
        const qint64 pid = m_proc.processId();
        ::kill(pid_t(pid), SIGTERM); // by PID, never by name
        if (!m_proc.waitForFinished(5000)) {
            ::kill(pid_t(pid), SIGKILL);
            m_proc.waitForFinished(5000);
        }
    }

private slots:
    void initTestCase()
    {
        m_jackd = QStandardPaths::findExecutable("jackd");
        // A private server name for this run; libjack honours JACK_DEFAULT_SERVER, and no
        // client may auto-start a server behind our back.
        m_server = QString("dw-test-%1").arg(QCoreApplication::applicationPid());
        qputenv("JACK_DEFAULT_SERVER", m_server.toUtf8());
        qputenv("JACK_NO_START_SERVER", "1");
    }
    void cleanupTestCase() { stopJack(); }

    void withoutServerThereIsNoJackDevice()
    {
        auto b = PortAudioBackend::create();
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().text().c_str());
        QVERIFY(!findJackInput(**b).has_value());
        // Opening a device that does not exist is a clear error, not a crash.
        CaptureConfig c;
        c.device = 999;
        auto s = (*b)->startCapture(c);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("does not exist") != std::string::npos,
                 s.error().text().c_str());
    }

    void recordsRealTimePacedInputIntoProject()
    {
        if (m_jackd.isEmpty())
            QSKIP("jackd is not installed (apt-get install jackd2): the PortAudio backend "
                  "cannot be tested without a sound card");
        QElapsedTimer total;
        total.start();
        const qint64 pid = startJack();
        QVERIFY2(pid > 0, "jackd did not start");

        auto created = PortAudioBackend::create();
        QVERIFY(created.ok());
        PortAudioBackend& b = **created;
        std::optional<DeviceInfo> dev;
        QElapsedTimer wait;
        wait.start();
        while (!dev && wait.elapsed() < 15000) {
            QVERIFY2(m_proc.state() == QProcess::Running,
                     qPrintable("jackd exited: " + m_proc.readAll()));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            QVERIFY(b.rescan().ok());
            dev = findJackInput(b);
        }
        QVERIFY2(dev.has_value(), qPrintable("PortAudio never saw the JACK device: " +
                                             m_proc.readAll()));
        const qint64 seenAfter = wait.elapsed();
        QCOMPARE(int(dev->defaultSampleRate), 16000);

        Recorder rec(&b);
        CaptureConfig c;
        c.device = dev->index;
        auto s = rec.start(c);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().text().c_str());
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 2300) {
            auto r = rec.poll();
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        rec.stop();
        const double wall = clock.elapsed() / 1000.0;
        const double got = rec.seconds();
        qInfo("JACK device seen after %lld ms; recorded %.3f s of audio in %.3f s wall time, "
              "%llu dropped",
              seenAfter, got, wall, static_cast<unsigned long long>(rec.stats().droppedSamples));
        QVERIFY2(got >= 2.0, qPrintable(QString("only %1 s recorded").arg(got)));
        // Real-time paced: the device delivered about as much audio as time passed (one JACK
        // period of slack either way, plus scheduling).
        QVERIFY2(got > wall * 0.85 && got < wall * 1.1 + 0.1,
                 qPrintable(QString("%1 s of audio in %2 s: not real-time paced")
                                .arg(got)
                                .arg(wall)));
        QCOMPARE(rec.stats().droppedSamples, uint64_t(0));

        // Into a project: the dummy driver delivers silence, so the clips are laid out by hand.
        QTemporaryDir dir;
        auto project = dw::Project::create(dir.path().toStdString() + "/p", {"noise"});
        QVERIFY(project.ok());
        std::vector<ClipProposal> ps(2);
        ps[1].start = 16000;
        for (auto& p : ps)
            p.label = "noise";
        auto report = rec.save(*project, ps);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error->text().c_str());
        QCOMPARE(int(report.saved.size()), 2);
        auto reopened = dw::Project::open(project->root());
        QVERIFY(reopened.ok());
        QCOMPARE(int(reopened->clips("noise").size()), 2);

        // The server vanishing mid-recording is reported; what was recorded is kept.
        QVERIFY(rec.start(c).ok());
        QElapsedTimer vanish;
        vanish.start();
        while (vanish.elapsed() < 500) {
            QVERIFY(rec.poll().ok());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stopJack();
        std::optional<dw::Error> err;
        QElapsedTimer detect;
        detect.start();
        while (!err && detect.elapsed() < 6000) {
            auto r = rec.poll();
            if (!r)
                err = r.error();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        QVERIFY2(err.has_value(), "killing jackd mid-recording was not reported");
        qInfo("jackd killed: reported after %lld ms: %s", detect.elapsed(), err->text().c_str());
        QVERIFY(rec.seconds() >= 0.4);
        qInfo("JACK test total %lld ms", total.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestPortAudioJack)
#include "test_portaudio_jack.moc"
