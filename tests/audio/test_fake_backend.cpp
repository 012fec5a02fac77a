// SPDX-License-Identifier: GPL-3.0-or-later
// The capture path with no sound card: FakeBackend -> SPSC ring -> Backend::drain (mix-down,
// resampling) -> Recorder -> splitter -> Project::addClip, end to end, plus the bad inputs:
// no device, busy device, device vanishing mid-recording, 48 kHz stereo, 0-sample clips and a
// write failure while saving.
#include "dw/audio/fake_backend.h"
#include "dw/audio/recorder.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <thread>

using namespace dw::audio;

namespace {

// Records until the fake device has pushed `frames` frames (or fails); returns the poll error.
std::optional<dw::Error> recordFrames(Recorder& rec, FakeBackend& fake, uint64_t frames,
                                      double timeoutSeconds = 20.0)
{
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(int(timeoutSeconds * 1000));
    while (std::chrono::steady_clock::now() < deadline) {
        auto r = rec.poll();
        if (!r)
            return r.error();
        if (fake.framesPushed() >= frames)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    rec.stop();
    return std::nullopt;
}

std::vector<float> toStereo(const std::vector<float>& mono)
{
    std::vector<float> out(mono.size() * 2);
    for (size_t i = 0; i < mono.size(); ++i) {
        out[2 * i] = mono[i];
        out[2 * i + 1] = 0.8f * mono[i];
    }
    return out;
}

} // namespace

class TestFakeBackend : public QObject
{
    Q_OBJECT

private slots:
    void listsOneDefaultInput()
    {
        FakeBackend fake({}, {});
        auto devices = fake.listDevices();
        QVERIFY(devices.ok());
        QCOMPARE(int(devices->size()), 1);
        QVERIFY(devices->front().isDefaultInput);
        QCOMPARE(QString::fromStdString(devices->front().hostApi), QString("Fake"));
        QCOMPARE(*fake.defaultInputDevice(), 0);
    }

    // The whole path at several device formats: utterances at known positions end up as saved
    // 1 s clips, each containing its utterance.
    void endToEndIntoSavedClips_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::newRow("16 kHz mono") << 16000 << 1;
        QTest::newRow("48 kHz stereo (resampled, mixed down)") << 48000 << 2;
        QTest::newRow("44.1 kHz mono (resampled)") << 44100 << 1;
    }
    void endToEndIntoSavedClips()
    {
        QFETCH(int, rate);
        QFETCH(int, channels);
        const double seconds = 6.0;
        std::vector<double> onsets;
        auto mono = FakeBackend::speechLike(seconds, rate, 0.6, 1.3, &onsets);
        QCOMPARE(int(onsets.size()), 4);
        FakeOptions opt;
        opt.sampleRate = rate;
        opt.channels = channels;
        opt.speed = 4.0; // real-time paced clock, 4x faster to keep the suite quick
        opt.blockFrames = rate / 100;
        FakeBackend fake(channels == 2 ? toStereo(mono) : mono, opt);

        Recorder rec(&fake);
        QVERIFY(rec.start().ok());
        QVERIFY(rec.isRecording());
        const auto err = recordFrames(rec, fake, uint64_t(seconds * rate));
        QVERIFY2(!err, err ? err->text().c_str() : "");
        QVERIFY(!rec.isRecording());
        // Resampled length within 1% of the pushed duration.
        const double expected = double(fake.framesPushed()) / rate * 16000.0;
        QVERIFY2(std::abs(double(rec.samples().size()) - expected) < expected * 0.01,
                 qPrintable(QString("got %1 samples, expected ~%2")
                                .arg(rec.samples().size())
                                .arg(expected)));
        QCOMPARE(rec.stats().droppedSamples, uint64_t(0));

        auto proposals = rec.propose(dw::SplitterConfig{}, "yes");
        QCOMPARE(int(proposals.size()), 4);
        for (size_t i = 0; i < proposals.size(); ++i) {
            const int64_t onset = int64_t(onsets[i] * 16000);
            const int64_t end = onset + int64_t(0.45 * 16000);
            QVERIFY2(proposals[i].start <= onset && proposals[i].start + 16000 >= end,
                     qPrintable(QString("clip %1 [%2, +16000) misses utterance [%3, %4)")
                                    .arg(i)
                                    .arg(proposals[i].start)
                                    .arg(onset)
                                    .arg(end)));
        }

        QTemporaryDir dir;
        auto project = dw::Project::create(dir.path().toStdString() + "/p", {"yes", "no"});
        QVERIFY2(project.ok(), project.ok() ? "" : project.error().text().c_str());
        auto report = rec.save(*project, proposals);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error->text().c_str());
        QCOMPARE(int(report.saved.size()), 4);
        // Listed at once: a fresh open sees every clip, each a 1 s 16 kHz WAV.
        auto reopened = dw::Project::open(project->root());
        QVERIFY(reopened.ok());
        QCOMPARE(int(reopened->clips("yes").size()), 4);
        for (const dw::Clip* c : reopened->clips("yes")) {
            auto audio = dw::readWavPcm16(reopened->clipPath(*c));
            QVERIFY(audio.ok());
            QCOMPARE(audio->sampleRate, 16000);
            QCOMPARE(int(audio->samples.size()), 16000);
        }
    }

    void noInputDevice()
    {
        FakeOptions opt;
        opt.noDevices = true;
        FakeBackend fake({}, opt);
        Recorder rec(&fake);
        const auto s = rec.start();
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("no audio input device") != std::string::npos,
                 s.error().text().c_str());
        QVERIFY(!s.error().hint.empty());
        QVERIFY(!rec.isRecording());
        QVERIFY(!fake.play(std::vector<int16_t>(10), 16000).ok());
    }

    void busyDevice()
    {
        FakeOptions opt;
        opt.busy = true;
        FakeBackend fake({}, opt);
        const auto s = fake.startCapture({});
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("busy") != std::string::npos, s.error().text().c_str());
    }

    void badDeviceIndex()
    {
        FakeBackend fake({}, {});
        dw::audio::CaptureConfig c;
        c.device = 7;
        const auto s = fake.startCapture(c);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("does not exist") != std::string::npos,
                 s.error().text().c_str());
    }

    // The device vanishes after exactly 1.5 s: poll() reports it, and every sample recorded
    // before it is kept (resampled from 48 kHz stereo too).
    void deviceVanishesMidRecording_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::newRow("16k mono") << 16000 << 1;
        QTest::newRow("48k stereo") << 48000 << 2;
    }
    void deviceVanishesMidRecording()
    {
        QFETCH(int, rate);
        QFETCH(int, channels);
        FakeOptions opt;
        opt.sampleRate = rate;
        opt.channels = channels;
        opt.speed = 4.0;
        opt.failAfterSeconds = 1.5;
        auto mono = FakeBackend::speechLike(4.0, rate, 0.2, 1.0);
        FakeBackend fake(channels == 2 ? toStereo(mono) : mono, opt);
        Recorder rec(&fake);
        QVERIFY(rec.start().ok());
        const auto err = recordFrames(rec, fake, uint64_t(4 * rate));
        QVERIFY2(err.has_value(), "the vanished device must be reported");
        QVERIFY2(err->message.find("disappeared") != std::string::npos, err->text().c_str());
        QVERIFY2(err->hint.find("kept") != std::string::npos, err->text().c_str());
        QVERIFY(!rec.isRecording());
        QCOMPARE(fake.framesPushed(), uint64_t(1.5 * rate));
        const double got = double(rec.samples().size());
        QVERIFY2(std::abs(got - 24000.0) < 24000.0 * 0.01,
                 qPrintable(QString("kept %1 samples, expected ~24000").arg(got)));
        // The kept audio still splits.
        QVERIFY(!rec.propose(dw::SplitterConfig{}, "yes").empty());
    }

    void failNowStopsTheSession()
    {
        FakeOptions opt;
        opt.loop = true;
        FakeBackend fake(FakeBackend::speechLike(1.0, 16000, 0.1, 0.5), opt);
        Recorder rec(&fake);
        QVERIFY(rec.start().ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        fake.failNow();
        std::optional<dw::Error> err;
        for (int i = 0; i < 100 && !err; ++i) {
            auto r = rec.poll();
            if (!r)
                err = r.error();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        QVERIFY(err.has_value());
        QVERIFY(rec.samples().size() >= 16000 / 10);
        // A new session works after the failure.
        QVERIFY(rec.start().ok());
        rec.stop();
    }

    // Proposals with 0 samples are skipped and reported; the others are saved.
    void zeroSampleClipIsSkipped()
    {
        Recorder rec;
        rec.setSamples(std::vector<int16_t>(32000, 1000));
        std::vector<ClipProposal> ps(3);
        ps[0].start = 0;
        ps[1].start = 8000;
        ps[1].length = 0;
        ps[2].start = 16000;
        for (auto& p : ps)
            p.label = "yes";
        QTemporaryDir dir;
        auto project = dw::Project::create(dir.path().toStdString() + "/p", {"yes"});
        QVERIFY(project.ok());
        auto report = rec.save(*project, ps);
        QVERIFY(report.ok());
        QCOMPARE(int(report.saved.size()), 2);
        QCOMPARE(int(report.skipped.size()), 1);
        QVERIFY(report.skipped[0].find("0 samples") != std::string::npos);
        // An empty session proposes nothing (no crash).
        Recorder empty;
        QVERIFY(empty.propose(dw::SplitterConfig{}, "yes").empty());
    }

    // A write failure (file size limit, as a full disk would) mid-save: a clear error, and the
    // clips saved before stay on disk and listed.
    void writeFailureDuringSave()
    {
        Recorder rec;
        rec.setSamples(std::vector<int16_t>(64000, 500));
        std::vector<ClipProposal> ps(2);
        ps[1].start = 16000;
        for (auto& p : ps)
            p.label = "yes";
        QTemporaryDir dir;
        auto project = dw::Project::create(dir.path().toStdString() + "/p", {"yes"});
        QVERIFY(project.ok());
        QVERIFY(rec.save(*project, ps).ok());
        QCOMPARE(int(project->clips().size()), 2);

        std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 4096; // a 1 s clip is 32 kB: every WAV write fails
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        std::vector<ClipProposal> more(2);
        more[0].start = 32000;
        more[1].start = 48000;
        for (auto& p : more)
            p.label = "yes";
        auto report = rec.save(*project, more);
        setrlimit(RLIMIT_FSIZE, &old);
        QVERIFY(!report.ok());
        QVERIFY2(report.error->message.find("could not save clip 1") != std::string::npos,
                 report.error->text().c_str());
        QVERIFY(report.saved.empty());
        QVERIFY(!report.error->hint.empty());

        auto reopened = dw::Project::open(project->root());
        QVERIFY(reopened.ok());
        QCOMPARE(int(reopened->clips("yes").size()), 2);
        for (const dw::Clip* c : reopened->clips("yes"))
            QVERIFY(dw::readWavPcm16(reopened->clipPath(*c)).ok());
    }

    void wavFileAsDevice()
    {
        QTemporaryDir dir;
        const auto path = dir.path().toStdString() + "/in.wav";
        dw::Audio a;
        for (float v : FakeBackend::speechLike(1.0, 16000, 0.2, 2.0))
            a.samples.push_back(int16_t(v * 32767));
        QVERIFY(dw::writeWavPcm16(path, a).ok());
        auto fake = FakeBackend::fromWav(path);
        QVERIFY(fake.ok());
        QCOMPARE((*fake)->options().sampleRate, 16000);
        QVERIFY(!FakeBackend::fromWav(dir.path().toStdString() + "/missing.wav").ok());
    }

    void playbackIsRecorded()
    {
        FakeBackend fake({}, {});
        std::vector<int16_t> s(1600, 3);
        QVERIFY(fake.play(s, 16000).ok());
        QVERIFY(fake.isPlaying());
        QCOMPARE(int(fake.lastPlayed().size()), 1600);
        fake.stopPlayback();
        QVERIFY(!fake.isPlaying());
    }
};

QTEST_GUILESS_MAIN(TestFakeBackend)
#include "test_fake_backend.moc"
