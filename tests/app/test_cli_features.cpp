// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite features`: the CSV equals the numpy golden within 1e-3; bad values and bad files
// give a clear error and the documented exit code. Few rows on purpose: each one starts the
// binary (which loads LibTorch); the full validation table is in tests/core/test_features.cpp.
#include <QtTest/QtTest>

#include "run_process.h"

#include <QFile>
#include <QProcess>

namespace {

const QString kData = QStringLiteral(DW_TEST_DATA) + "/mfcc/";

using Run = dw::test::ProcessResult;

Run dendrite(const QStringList& args)
{
    return dw::test::runDendrite(args, 30000);
}

QList<QList<double>> parseCsv(const QByteArray& text)
{
    QList<QList<double>> rows;
    for (const QByteArray& line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QList<double> row;
        for (const QByteArray& cell : line.split(',')) {
            bool ok = false;
            row.append(cell.toDouble(&ok));
            if (!ok)
                row.append(qQNaN());
        }
        rows.append(row);
    }
    return rows;
}

// A tiny 16-bit PCM WAV (0.1 s of a ramp) with the given channels and rate.
QByteArray wavBytes(int channels, int rate)
{
    const int frames = rate / 10;
    QByteArray data;
    for (int i = 0; i < frames * channels; ++i) {
        const qint16 v = qint16((i * 37) % 2000 - 1000);
        data.append(char(v & 0xff)).append(char((v >> 8) & 0xff));
    }
    auto le = [](quint32 v, int n) {
        QByteArray b;
        for (int i = 0; i < n; ++i)
            b.append(char((v >> (8 * i)) & 0xff));
        return b;
    };
    QByteArray w = "RIFF" + le(quint32(36 + data.size()), 4) + "WAVEfmt " + le(16, 4) + le(1, 2) +
                   le(quint32(channels), 2) + le(quint32(rate), 4) +
                   le(quint32(rate * channels * 2), 4) + le(quint32(channels * 2), 2) + le(16, 2) +
                   "data" + le(quint32(data.size()), 4) + data;
    return w;
}

} // namespace

class TestCliFeatures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesGolden_data();
    void matchesGolden();
    void rejects_data();
    void rejects();

private:
    QTemporaryDir m_dir;
};

void TestCliFeatures::matchesGolden_data()
{
    QTest::addColumn<QString>("wav");
    QTest::addColumn<QStringList>("sets");
    QTest::addColumn<QString>("golden");
    QTest::addColumn<int>("frames");
    QTest::addColumn<int>("coeffs");
    QTest::newRow("defaults") << "yes_1s.wav" << QStringList{} << "yes_1s__defaults.csv" << 50
                              << 13;
    QTest::newRow("micro_speech hann mfe")
        << "tone_noise_1s.wav"
        << QStringList{"kind=mfe",          "window=hann",       "num_filters=40",
                       "frame_length=0.03", "frame_stride=0.02", "fft_length=512"}
        << "tone_noise_1s__micro_speech_hann.csv" << 49 << 40;
}

void TestCliFeatures::matchesGolden()
{
    QFETCH(QString, wav);
    QFETCH(QStringList, sets);
    QFETCH(QString, golden);
    QFETCH(int, frames);
    QFETCH(int, coeffs);
    QStringList args{"features", kData + wav};
    for (const auto& s : sets)
        args << "--set" << s;
    const Run r = dendrite(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile g(kData + golden);
    QVERIFY(g.open(QIODevice::ReadOnly));
    const auto want = parseCsv(g.readAll());
    const auto got = parseCsv(r.out.toUtf8());
    QCOMPARE(got.size(), frames);
    QCOMPARE(want.size(), frames);
    double worst = 0;
    for (int f = 0; f < frames; ++f) {
        QCOMPARE(got[f].size(), coeffs);
        for (int c = 0; c < coeffs; ++c)
            worst = std::max(worst, std::abs(got[f][c] - want[f][c]));
    }
    QVERIFY2(worst <= 1e-3, qPrintable(QString("max abs error %1").arg(worst)));
}

void TestCliFeatures::rejects_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("mentions");
    const QString wav = kData + "yes_1s.wav";
    QTest::newRow("fft not power of two")
        << QStringList{"features", wav, "--set", "fft_length=300"} << 2 << "fft_length 300";
    QTest::newRow("unknown name") << QStringList{"features", wav, "--set", "nfft=512"} << 2
                                  << "unknown feature parameter 'nfft'";
    QTest::newRow("frame longer than clip")
        << QStringList{"features", wav, "--set", "frame_length=1.5"} << 2 << "frame_length 1.5";
    QTest::newRow("missing file") << QStringList{"features", kData + "nope.wav"} << 3 << "nope.wav";
    auto fixture = [this](const QString& name, int channels, int rate) {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(wavBytes(channels, rate)) < 0)
            qFatal("cannot write fixture");
        return f.fileName();
    };
    QTest::newRow("stereo") << QStringList{"features", fixture("st.wav", 2, 16000)} << 3
                            << "stereo 16-bit PCM at 16000 Hz";
    QTest::newRow("44.1 kHz") << QStringList{"features", fixture("cd.wav", 1, 44100)} << 3
                              << "44100 Hz";
}

void TestCliFeatures::rejects()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, mentions);
    const Run r = dendrite(args);
    QCOMPARE(r.code, code);
    QVERIFY(r.out.isEmpty());
    const QString err = r.err;
    QVERIFY2(err.startsWith("error: "), qPrintable(err));
    QVERIFY2(err.contains(mentions), qPrintable(err));
    QVERIFY2(err.contains("hint: "), qPrintable(err));
    if (code == 3 && !mentions.contains("nope"))
        QVERIFY2(err.contains("dendrite import"), qPrintable(err));
}

QTEST_GUILESS_MAIN(TestCliFeatures)
#include "test_cli_features.moc"
