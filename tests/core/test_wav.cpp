// SPDX-License-Identifier: GPL-3.0-or-later
// readWavPcm16 / writeWavPcm16: round trip, the chunk quirks real files have, and refusals that
// name the format and point at `dendrite import`.
#include "dw/core/atomic_file.h"
#include "dw/core/project.h"

#include <QtTest/QtTest>

#include <filesystem>

namespace fs = std::filesystem;

namespace {

void put16(std::string& s, int v)
{
    s.push_back(char(v & 0xff));
    s.push_back(char((v >> 8) & 0xff));
}
void put32(std::string& s, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        s.push_back(char((v >> (8 * i)) & 0xff));
}

// A WAV with the given fmt fields and data bytes; extra chunks go between fmt and data.
std::string makeWav(int tag, int channels, int rate, int bits, const std::string& data,
                    const std::string& extra = {}, int dataSizeOverride = -1,
                    bool extensible = false)
{
    std::string fmt;
    put16(fmt, extensible ? 0xFFFE : tag);
    put16(fmt, channels);
    put32(fmt, uint32_t(rate));
    put32(fmt, uint32_t(rate * channels * bits / 8));
    put16(fmt, channels * bits / 8);
    put16(fmt, bits);
    if (extensible) {
        put16(fmt, 22);
        put16(fmt, bits);
        put32(fmt, 0);
        put16(fmt, tag); // sub-format GUID starts with the format tag
        fmt += std::string(14, '\x01');
    }
    std::string body = "WAVEfmt ";
    put32(body, uint32_t(fmt.size()));
    body += fmt;
    body += extra;
    body += "data";
    put32(body, dataSizeOverride >= 0 ? uint32_t(dataSizeOverride) : uint32_t(data.size()));
    body += data;
    std::string s = "RIFF";
    put32(s, uint32_t(body.size()));
    return s + body;
}

std::string pcm(std::initializer_list<int> v)
{
    std::string s;
    for (int x : v)
        put16(s, x);
    return s;
}

} // namespace

class TestWav : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void readsQuirks_data();
    void readsQuirks();
    void refuses_data();
    void refuses();
    void missingFile();

private:
    QTemporaryDir m_dir;
    fs::path write(const std::string& name, const std::string& bytes)
    {
        const fs::path p = fs::path(m_dir.path().toStdString()) / name;
        if (!dw::writeFileAtomic(p, bytes).ok())
            qFatal("cannot write fixture");
        return p;
    }
};

void TestWav::roundTrip()
{
    dw::Audio a;
    a.sampleRate = 16000;
    for (int i = 0; i < 1000; ++i)
        a.samples.push_back(int16_t((i * 977) % 65536 - 32768));
    a.samples.push_back(32767);
    a.samples.push_back(-32768);
    const fs::path p = fs::path(m_dir.path().toStdString()) / "sub" / "rt.wav";
    QVERIFY(dw::writeWavPcm16(p, a).ok());
    QCOMPARE(fs::file_size(p), uintmax_t(44 + 2 * a.samples.size()));
    auto b = dw::readWavPcm16(p);
    QVERIFY2(b.ok(), b.ok() ? "" : b.error().text().c_str());
    QCOMPARE(b->sampleRate, 16000);
    QCOMPARE(b->samples, a.samples);
    // The committed test clip reads as 1 s at 16 kHz.
    auto clip = dw::readWavPcm16(fs::path(DW_TEST_DATA) / "mfcc" / "tone_noise_1s.wav");
    QVERIFY(clip.ok());
    QCOMPARE(clip->samples.size(), size_t(16000));
    QCOMPARE(clip->sampleRate, 16000);
}

void TestWav::readsQuirks_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("rate");
    QTest::addColumn<int>("count");
    const std::string d = pcm({1, -2, 300, -32768, 32767});
    auto qb = [](const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())); };
    std::string list = "LIST";
    put32(list, 3);
    list += "abc";
    list += '\0'; // odd chunk size: one pad byte
    QTest::newRow("plain") << qb(makeWav(1, 1, 16000, 16, d)) << 16000 << 5;
    QTest::newRow("odd LIST chunk before data")
        << qb(makeWav(1, 1, 16000, 16, d, list)) << 16000 << 5;
    QTest::newRow("data size past the end (streamed)")
        << qb(makeWav(1, 1, 16000, 16, d, {}, int(0x7FFFFFFF))) << 16000 << 5;
    QTest::newRow("size 0 (unfinished)") << qb(makeWav(1, 1, 16000, 16, d, {}, 0)) << 16000 << 5;
    QTest::newRow("extensible PCM") << qb(makeWav(1, 1, 16000, 16, d, {}, -1, true)) << 16000 << 5;
    QTest::newRow("odd trailing byte") << qb(makeWav(1, 1, 8000, 16, d + "x")) << 8000 << 5;
    QTest::newRow("empty data") << qb(makeWav(1, 1, 16000, 16, "")) << 16000 << 0;
}

void TestWav::readsQuirks()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, rate);
    QFETCH(int, count);
    const fs::path p = write("q.wav", bytes.toStdString());
    auto a = dw::readWavPcm16(p);
    QVERIFY2(a.ok(), a.ok() ? "" : a.error().text().c_str());
    QCOMPARE(a->sampleRate, rate);
    QCOMPARE(int(a->samples.size()), count);
    if (count == 5) {
        QCOMPARE(a->samples[2], int16_t(300));
        QCOMPARE(a->samples[3], int16_t(-32768));
        QCOMPARE(a->samples[4], int16_t(32767));
    }
}

void TestWav::refuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("mentions");
    auto qb = [](const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())); };
    const std::string d = pcm({1, 2, 3, 4});
    QTest::newRow("stereo") << qb(makeWav(1, 2, 44100, 16, d)) << "stereo 16-bit PCM at 44100 Hz";
    QTest::newRow("6 channels") << qb(makeWav(1, 6, 48000, 16, d + d + d)) << "6-channel";
    QTest::newRow("24-bit") << qb(makeWav(1, 1, 16000, 24, d)) << "mono 24-bit PCM";
    QTest::newRow("float") << qb(makeWav(3, 1, 16000, 32, d)) << "IEEE float";
    QTest::newRow("extensible float")
        << qb(makeWav(3, 1, 16000, 32, d, {}, -1, true)) << "IEEE float";
    QTest::newRow("8-bit") << qb(makeWav(1, 1, 8000, 8, d)) << "8-bit";
    QTest::newRow("not RIFF") << qb("hello world, this is not a wav") << "not a WAV file";
    QTest::newRow("no data chunk")
        << qb(makeWav(1, 1, 16000, 16, d).substr(0, 36)) << "no 'data' chunk";
    QTest::newRow("empty file") << QByteArray() << "not a WAV file";
    QTest::newRow("truncated fmt") << qb(makeWav(1, 1, 16000, 16, d).substr(0, 28)) << "truncated";
}

void TestWav::refuses()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, mentions);
    const fs::path p = write("bad.wav", bytes.toStdString());
    auto a = dw::readWavPcm16(p);
    QVERIFY(!a.ok());
    const QString text = QString::fromStdString(a.error().text());
    QVERIFY2(text.contains(mentions), qPrintable(text));
    QVERIFY2(text.contains("bad.wav"), qPrintable(text));
    if (!text.contains("truncated"))
        QVERIFY2(text.contains("dendrite import"), qPrintable(text));
    QCOMPARE(a.error().code, 3);
}

void TestWav::missingFile()
{
    auto a = dw::readWavPcm16(fs::path(m_dir.path().toStdString()) / "nope.wav");
    QVERIFY(!a.ok());
    QVERIFY(QString::fromStdString(a.error().text()).contains("nope.wav"));
}

QTEST_GUILESS_MAIN(TestWav)
#include "test_wav.moc"
