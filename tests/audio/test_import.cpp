// SPDX-License-Identifier: GPL-3.0-or-later
// Import: conversion (8 kHz stereo float), bad files (corrupt, empty), a 10-minute recording
// split into clips, layouts (folder per label, Speech Commands with its lists and background
// noise), an empty label folder; nothing crashes and no source file is touched.
#include "dw/audio/import.h"
#include "dw/core/dataset.h"
#include "dw/core/project.h"

#include <QtTest/QtTest>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace fs = std::filesystem;

namespace {
void put16(std::string& s, uint32_t v)
{
    s.push_back(char(v & 0xff));
    s.push_back(char((v >> 8) & 0xff));
}
void put32(std::string& s, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        s.push_back(char((v >> (8 * i)) & 0xff));
}

// A canonical WAV: tag 1 (PCM 16) or 3 (float 32), interleaved samples in [-1, 1].
void writeWav(const fs::path& p, const std::vector<float>& interleaved, int rate, int channels,
              bool asFloat)
{
    const int bits = asFloat ? 32 : 16;
    std::string data;
    for (float v : interleaved) {
        if (asFloat) {
            uint32_t u;
            std::memcpy(&u, &v, 4);
            put32(data, u);
        } else {
            put16(data, uint32_t(int16_t(std::lround(std::clamp(v, -1.0f, 0.99997f) * 32768))));
        }
    }
    std::string s = "RIFF";
    put32(s, uint32_t(36 + data.size()));
    s += "WAVEfmt ";
    put32(s, 16);
    put16(s, asFloat ? 3 : 1);
    put16(s, uint32_t(channels));
    put32(s, uint32_t(rate));
    put32(s, uint32_t(rate * channels * bits / 8));
    put16(s, uint32_t(channels * bits / 8));
    put16(s, uint32_t(bits));
    s += "data";
    put32(s, uint32_t(data.size()));
    s += data;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << s;
}

// Bursts ("words") of a harmonic tone at given times in low noise, mono 16 kHz.
std::vector<float> speechLike(double seconds, const std::vector<double>& starts, double len,
                              uint32_t seed = 3)
{
    const size_t n = size_t(seconds * 16000);
    std::vector<float> x(n);
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.0f, 0.002f);
    for (auto& v : x)
        v = nd(g);
    for (double s : starts) {
        const size_t b = size_t(s * 16000), l = size_t(len * 16000);
        for (size_t i = 0; i < l && b + i < n; ++i) {
            const double t = double(i) / 16000.0;
            x[b + i] += float(0.4 * std::sin(2 * M_PI * 220 * t) + 0.1 * std::sin(2 * M_PI * 880 * t));
        }
    }
    return x;
}

std::map<std::string, uintmax_t> snapshot(const fs::path& dir)
{
    std::map<std::string, uintmax_t> m;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            m[e.path().string()] = e.file_size();
    return m;
}

bool hasLine(const dw::audio::ImportReport& r, const std::string& what)
{
    for (const auto& l : r.lines)
        if (l.find(what) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestImport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path dir(const std::string& name) const
    {
        return fs::path(m_tmp.path().toStdString()) / name;
    }

private Q_SLOTS:
    void decodeConverts_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::addColumn<bool>("asFloat");
        QTest::addColumn<bool>("converted");
        QTest::newRow("16k mono pcm16") << 16000 << 1 << false << false;
        QTest::newRow("8k stereo float") << 8000 << 2 << true << true;
        QTest::newRow("44.1k mono pcm16") << 44100 << 1 << false << true;
        QTest::newRow("48k stereo pcm16") << 48000 << 2 << false << true;
    }
    void decodeConverts()
    {
        QFETCH(int, rate);
        QFETCH(int, channels);
        QFETCH(bool, asFloat);
        QFETCH(bool, converted);
        // 1 s of a 500 Hz tone, amplitude 0.5, the same on every channel.
        std::vector<float> x;
        for (int i = 0; i < rate; ++i)
            for (int c = 0; c < channels; ++c)
                x.push_back(float(0.5 * std::sin(2 * M_PI * 500 * i / rate)));
        const auto p = dir("decode/" + std::to_string(rate) + "_" + std::to_string(channels) +
                           (asFloat ? "f" : "i") + ".wav");
        writeWav(p, x, rate, channels, asFloat);
        auto d = dw::audio::decodeAudioFile(p);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().text().c_str());
        QCOMPARE(d->converted(), converted);
        QCOMPARE(d->originalRate, rate);
        QCOMPARE(d->originalChannels, channels);
        QVERIFY(std::abs(int(d->samples.size()) - 16000) <= 2);
        double s2 = 0;
        for (size_t i = 1000; i < 15000; ++i)
            s2 += double(d->samples[i]) * d->samples[i];
        const double r = std::sqrt(s2 / 14000.0) / 32768.0;
        QVERIFY2(std::fabs(r - 0.5 / std::sqrt(2.0)) < 0.01, std::to_string(r).c_str());
        if (converted)
            QVERIFY(d->conversionNote().find("-> 16000 Hz mono PCM 16-bit") != std::string::npos);
    }

    void badFiles()
    {
        const auto src = dir("bad/src/yes");
        fs::create_directories(src);
        std::ofstream(src / "empty0.wav"); // 0 bytes
        writeWav(src / "noframes.wav", {}, 16000, 1, false);
        {
            std::ofstream f(src / "corrupt.wav", std::ios::binary);
            f << "RIFF\x10\x00\x00\x00WAVEjunkjunkjunkjunk garbage that is not audio";
        }
        {
            std::mt19937 g(5);
            std::ofstream f(src / "random.wav", std::ios::binary);
            for (int i = 0; i < 5000; ++i)
                f.put(char(g()));
        }
        writeWav(src / "good.wav", speechLike(1.0, {0.3}, 0.4), 16000, 1, false);
        std::ofstream(src / "notes.txt") << "not audio, not picked up";
        const auto before = snapshot(dir("bad/src"));

        auto p = dw::Project::create(dir("bad/project"), {});
        QVERIFY(p.ok());
        auto r = dw::audio::importPaths(*p, {dir("bad/src")});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->filesSeen, 5);
        QCOMPARE(r->filesSkipped, 4);
        QCOMPARE(r->clipsAdded, 1);
        QVERIFY(hasLine(*r, "empty0.wav' is empty (0 bytes)"));
        QVERIFY(hasLine(*r, "noframes.wav' holds no audio"));
        QVERIFY(hasLine(*r, "corrupt.wav' is not a readable audio file"));
        QVERIFY(hasLine(*r, "random.wav' is not a readable audio file"));
        QVERIFY(r->text().find("skipped 4 file(s)") != std::string::npos);
        QCOMPARE(snapshot(dir("bad/src")), before); // nothing lost or changed
        auto q = dw::Project::open(dir("bad/project"));
        QVERIFY(q.ok());
        QCOMPARE(q->clips("yes").size(), size_t(1));
    }

    void tenMinuteRecording()
    {
        // 600 s with a "word" every 2 s: split into ~300 one-second clips, quickly.
        std::vector<double> starts;
        for (double t = 1.0; t < 599.0; t += 2.0)
            starts.push_back(t);
        const auto src = dir("long/src/go.wav");
        writeWav(src, speechLike(600.0, starts, 0.35), 16000, 1, false);
        auto p = dw::Project::create(dir("long/project"), {});
        QVERIFY(p.ok());
        const auto t0 = std::chrono::steady_clock::now();
        dw::audio::ImportOptions opt;
        opt.label = "go";
        auto r = dw::audio::importPaths(*p, {src}, opt);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        qInfo("10-minute WAV: %d clips in %.2f s", r->clipsAdded, secs);
        QCOMPARE(r->clipsAdded, int(starts.size()));
        QCOMPARE(r->filesSplit, 1);
        QCOMPARE(r->clipsPerLabel.at("go"), int(starts.size()));
        QVERIFY2(secs < 60.0, "importing a 10-minute recording must take seconds");
        // Every clip is 1 s and holds its word near the middle.
        auto q = dw::Project::open(dir("long/project"));
        QVERIFY(q.ok());
        QCOMPARE(q->clips().size(), starts.size());
        auto a = dw::readWavPcm16(q->clipPath(q->clips()[10]));
        QVERIFY(a.ok());
        QCOMPARE(a->samples.size(), size_t(16000));
        auto peak = [&](size_t b, size_t e) {
            int m = 0;
            for (size_t i = b; i < e; ++i)
                m = std::max(m, std::abs(int(a->samples[i])));
            return m;
        };
        QVERIFY(peak(7800, 8200) > 5000); // the word
        QVERIFY(peak(0, 400) < 1000);     // the noise around it
        // The splits of a long recording are by minute blocks: all three occur.
        auto c = q->counts().at("go");
        QVERIFY(c[0] > 0);
    }

    void folderPerLabelAndEmptyFolder()
    {
        const auto src = dir("layout/src");
        for (int i = 0; i < 3; ++i) {
            writeWav(src / "yes" / ("y" + std::to_string(i) + ".wav"),
                     speechLike(1.0, {0.2 + 0.1 * i}, 0.3), 16000, 1, false);
            writeWav(src / "no" / ("n" + std::to_string(i) + ".wav"),
                     speechLike(0.35, {0.05}, 0.2), 8000, 1, false); // 0.7 s at 8 kHz
        }
        fs::create_directories(src / "maybe"); // a label folder with no clips
        auto p = dw::Project::create(dir("layout/project"), {});
        QVERIFY(p.ok());
        auto r = dw::audio::importPaths(*p, {src});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->layout, std::string("folder-per-label"));
        QCOMPARE(r->clipsPerLabel.at("yes"), 3);
        QCOMPARE(r->clipsPerLabel.at("no"), 3);
        QCOMPARE(r->filesConverted, 3);
        QVERIFY(hasLine(*r, "maybe' holds no audio files"));
        QVERIFY(std::find(p->labels().begin(), p->labels().end(), "maybe") == p->labels().end());
        for (const auto& c : p->clips())
            QCOMPARE(c.samples, 16000); // short clips padded

        // One class only: the dataset refuses with a clear message.
        auto one = dw::Project::create(dir("layout/one"), {});
        QVERIFY(one.ok());
        QVERIFY(dw::audio::importPaths(*one, {src / "yes"}).ok());
        auto ds = dw::loadFeatureDataset(*one, dw::FeatureConfig{}, 1);
        QVERIFY(!ds.ok());
        QVERIFY(ds.error().message.find("at least two classes") != std::string::npos);
    }

    void speechCommandsLayout()
    {
        const auto sc = dir("sc/speech_commands");
        const char* speakers[] = {"0a7c2a8d", "0b09edd3", "0c40e715", "0d53e045"};
        for (const char* word : {"yes", "no", "cat", "bed"})
            for (const char* s : speakers)
                writeWav(sc / word / (std::string(s) + "_nohash_0.wav"),
                         speechLike(1.0, {0.3}, 0.3), 16000, 1, false);
        writeWav(sc / "_background_noise_" / "white_noise.wav", speechLike(5.5, {}, 0.0), 16000,
                 1, false);
        std::ofstream(sc / "validation_list.txt") << "yes/0a7c2a8d_nohash_0.wav\n"
                                                     "cat/0a7c2a8d_nohash_0.wav\n";
        std::ofstream(sc / "testing_list.txt") << "no/0b09edd3_nohash_0.wav\r\n";
        auto p = dw::Project::create(dir("sc/project"), {});
        QVERIFY(p.ok());
        dw::audio::ImportOptions opt;
        opt.keywords = {"yes", "no"};
        auto r = dw::audio::importPaths(*p, {sc}, opt);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->layout, std::string("speech-commands"));
        QCOMPARE(r->clipsPerLabel.at("yes"), 4);
        QCOMPARE(r->clipsPerLabel.at("no"), 4);
        QCOMPARE(r->clipsPerLabel.at("unknown"), 8); // cat + bed
        QCOMPARE(r->clipsPerLabel.at("noise"), 6);   // 5.5 s -> 5 windows + a padded half
        auto splitOf = [&](const std::string& label, const std::string& speaker) {
            for (const auto& c : p->clips())
                if (c.label == label && c.source.find(speaker) != std::string::npos &&
                    c.source.find("/" + (label == "unknown" ? std::string("cat") : label) + "/") !=
                        std::string::npos)
                    return c.split;
            return dw::Split::Train;
        };
        QCOMPARE(splitOf("yes", "0a7c2a8d"), dw::Split::Validation);
        QCOMPARE(splitOf("no", "0b09edd3"), dw::Split::Test);
        QCOMPARE(splitOf("unknown", "0a7c2a8d"), dw::Split::Validation);
        QCOMPARE(splitOf("yes", "0c40e715"), dw::Split::Train);
    }

    void nothingToImport()
    {
        auto p = dw::Project::create(dir("none/project"), {});
        QVERIFY(p.ok());
        auto r = dw::audio::importPaths(*p, {dir("none/missing.wav")});
        QVERIFY(r.ok());
        QCOMPARE(r->clipsAdded, 0);
        QVERIFY(hasLine(*r, "does not exist"));
        QVERIFY(!dw::audio::importPaths(*p, {}).ok());
    }
};

QTEST_GUILESS_MAIN(TestImport)
#include "test_import.moc"
