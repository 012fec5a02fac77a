// SPDX-License-Identifier: GPL-3.0-or-later
// The C99 runtime MFCC (runtime/dw_mfcc.c, what boards run) equals core's extractor and the
// numpy goldens within 1e-3 for every golden config; its scratch contract and error codes hold.
#include "dw/core/atomic_file.h"
#include "dw/core/features.h"
#include "dw/core/project.h"

#include "dw_mfcc.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(DW_TEST_DATA) / "mfcc";

std::vector<int16_t> loadWav(const std::string& name)
{
    auto a = dw::readWavPcm16(kData / name);
    if (!a)
        qFatal("%s", a.error().text().c_str());
    return a->samples;
}

std::vector<double> readCsvFlat(const fs::path& p)
{
    std::vector<double> v;
    std::ifstream in(p);
    std::string line, cell;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        while (std::getline(ss, cell, ','))
            v.push_back(std::stod(cell));
    }
    return v;
}

// Scratch with 64 canary bytes after the end, 8-byte aligned.
struct Scratch
{
    std::vector<uint64_t> words;
    size_t bytes;
    explicit Scratch(size_t n) : words((n + 64) / 8 + 1, 0xA5A5A5A5A5A5A5A5ull), bytes(n) {}
    void* data() { return words.data(); }
    bool canaryIntact() const
    {
        const auto* p = reinterpret_cast<const unsigned char*>(words.data());
        for (size_t i = bytes; i < words.size() * 8; ++i)
            if (p[i] != 0xA5)
                return false;
        return true;
    }
};

double maxAbs(const std::vector<float>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double w = 0;
    for (size_t i = 0; i < a.size(); ++i)
        w = std::max(w, std::abs(double(a[i]) - b[i]));
    return w;
}

} // namespace

class TestRuntimeMfcc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesCoreAndGolden_data();
    void matchesCoreAndGolden();
    void scratchMacroMatchesFunction();
    void scratchTooSmallOrMisaligned();
    void rejects_data();
    void rejects();
    void initializerCompilesToSameConfig();
};

void TestRuntimeMfcc::matchesCoreAndGolden_data()
{
    QTest::addColumn<QString>("wav");
    QTest::addColumn<QString>("set");
    QTest::addColumn<QString>("csv");
    auto text = dw::readFile(kData / "goldens.json");
    QVERIFY(text.ok());
    const auto g = nlohmann::json::parse(*text);
    for (const auto& c : g["cases"])
        QTest::newRow(c["name"].get<std::string>().c_str())
            << QString::fromStdString(c["wav"].get<std::string>())
            << QString::fromStdString(c["set"].dump())
            << QString::fromStdString(c["csv"].get<std::string>());
}

void TestRuntimeMfcc::matchesCoreAndGolden()
{
    QFETCH(QString, wav);
    QFETCH(QString, set);
    QFETCH(QString, csv);
    dw::FeatureConfig cfg;
    const auto pairs = nlohmann::json::parse(set.toStdString());
    for (const auto& [k, v] : pairs.items())
        QVERIFY(cfg.set(k, v.get<std::string>()).ok());
    dw_mfcc_config rc{};
    auto conv = cfg.toRuntime(rc);
    QVERIFY2(conv.ok(), conv.ok() ? "" : conv.error().text().c_str());

    const auto pcm = loadWav(wav.toStdString());
    const int n = int(pcm.size());
    QCOMPARE(dw_mfcc_validate(&rc, n), int(DW_MFCC_OK));
    QCOMPARE(dw_mfcc_frames(&rc, n), cfg.frameCount(n));
    QCOMPARE(dw_mfcc_coeffs(&rc), cfg.coefficientCount());

    const size_t bytes = dw_mfcc_scratch_size(&rc, n);
    QVERIFY(bytes > 0);
    Scratch scratch(bytes);
    dw_mfcc m;
    QCOMPARE(dw_mfcc_init(&m, &rc, n, scratch.data(), bytes), int(DW_MFCC_OK));
    std::vector<float> got(size_t(dw_mfcc_frames(&rc, n)) * dw_mfcc_coeffs(&rc) + 1, 12345.f);
    QCOMPARE(dw_mfcc_compute(&m, pcm.data(), n, got.data()), int(DW_MFCC_OK));
    QCOMPARE(got.back(), 12345.f); // nothing written past the output
    got.pop_back();
    QVERIFY(scratch.canaryIntact());

    const std::vector<float> fl(pcm.begin(), pcm.end());
    auto core = dw::computeFeatures(fl, cfg);
    QVERIFY(core.ok());
    const double vsCore = maxAbs(got, std::vector<double>(core->data.begin(), core->data.end()));
    const double vsGolden = maxAbs(got, readCsvFlat(kData / csv.toStdString()));
    QVERIFY2(vsCore <= 1e-3, qPrintable(QString("runtime vs core: max abs %1").arg(vsCore)));
    QVERIFY2(vsGolden <= 1e-3, qPrintable(QString("runtime vs numpy: max abs %1").arg(vsGolden)));

    // Reusing the state gives the same numbers; dw_mfcc_run (init + compute) too.
    std::vector<float> again(got.size());
    QCOMPARE(dw_mfcc_compute(&m, pcm.data(), n, again.data()), int(DW_MFCC_OK));
    QCOMPARE(again, got);
    QCOMPARE(dw_mfcc_run(&rc, pcm.data(), n, again.data(), scratch.data(), bytes), int(DW_MFCC_OK));
    QCOMPARE(again, got);
    // Another length than init's is refused, not computed out of bounds.
    QCOMPARE(dw_mfcc_compute(&m, pcm.data(), n - 1, again.data()), int(DW_MFCC_E_LENGTH));
}

void TestRuntimeMfcc::scratchMacroMatchesFunction()
{
    const dw_mfcc_config def = DW_MFCC_CONFIG_DEFAULT;
    // A static buffer sized at compile time, as an exported header does.
    static uint64_t buffer[DW_MFCC_SCRATCH_BYTES(16000, 320, 320, 256, 32, 13, 101) / 8 + 1];
    QCOMPARE(size_t(DW_MFCC_SCRATCH_BYTES(16000, 320, 320, 256, 32, 13, 101)),
             dw_mfcc_scratch_size(&def, 16000));
    dw_mfcc m;
    QCOMPARE(dw_mfcc_init(&m, &def, 16000, buffer, sizeof buffer), int(DW_MFCC_OK));
    QCOMPARE(m.frames, 50);
    QCOMPARE(m.coeffs, 13);
    // micro_speech style: 480-sample frames, 320 stride, FFT 512, 40 filters.
    dw_mfcc_config ms = def;
    ms.kind = DW_MFCC_KIND_MFE;
    ms.window = DW_MFCC_WINDOW_HANN;
    ms.num_filters = 40;
    ms.frame_length = 0.03f;
    ms.fft_length = 512;
    QCOMPARE(size_t(DW_MFCC_SCRATCH_BYTES(16000, 480, 320, 512, 40, 13, 101)),
             dw_mfcc_scratch_size(&ms, 16000));
    QCOMPARE(dw_mfcc_frames(&ms, 16000), 49);
    qInfo("scratch bytes: defaults %zu, micro_speech-like %zu", sizeof buffer,
          dw_mfcc_scratch_size(&ms, 16000));
}

void TestRuntimeMfcc::scratchTooSmallOrMisaligned()
{
    const dw_mfcc_config def = DW_MFCC_CONFIG_DEFAULT;
    const size_t bytes = dw_mfcc_scratch_size(&def, 16000);
    Scratch s(bytes + 8);
    dw_mfcc m;
    QCOMPARE(dw_mfcc_init(&m, &def, 16000, s.data(), bytes - 1), int(DW_MFCC_E_SCRATCH));
    auto* odd = static_cast<unsigned char*>(s.data()) + 4;
    QCOMPARE(dw_mfcc_init(&m, &def, 16000, odd, bytes), int(DW_MFCC_E_SCRATCH));
    QCOMPARE(dw_mfcc_init(&m, &def, 16000, nullptr, bytes), int(DW_MFCC_E_ARGUMENT));
    QCOMPARE(dw_mfcc_init(nullptr, &def, 16000, s.data(), bytes), int(DW_MFCC_E_ARGUMENT));
    QVERIFY(QString(dw_mfcc_error_string(DW_MFCC_E_SCRATCH)).contains("dw_mfcc_scratch_size"));
}

void TestRuntimeMfcc::rejects_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("code");
    QTest::newRow("fft not power of two")
        << "fft_length" << 300.0 << 16000 << int(DW_MFCC_E_FFT_LENGTH);
    QTest::newRow("filters < 2") << "num_filters" << 1.0 << 16000 << int(DW_MFCC_E_NUM_FILTERS);
    QTest::newRow("too many filters")
        << "num_filters" << 128.0 << 16000 << int(DW_MFCC_E_EMPTY_FILTER);
    QTest::newRow("cepstral > filters")
        << "num_cepstral" << 40.0 << 16000 << int(DW_MFCC_E_NUM_CEPSTRAL);
    QTest::newRow("win even") << "win_size" << 100.0 << 16000 << int(DW_MFCC_E_WIN_SIZE);
    QTest::newRow("frame longer than clip")
        << "frame_length" << 0.5 << 4000 << int(DW_MFCC_E_CLIP_TOO_SHORT);
    QTest::newRow("more than 500 frames")
        << "frame_stride" << 0.001 << 16000 << int(DW_MFCC_E_TOO_MANY_FRAMES);
    QTest::newRow("high above nyquist")
        << "high_frequency" << 9000.0 << 16000 << int(DW_MFCC_E_FREQUENCY);
    QTest::newRow("negative low") << "low_frequency" << -1.0 << 16000 << int(DW_MFCC_E_FREQUENCY);
    QTest::newRow("negative pre_cof") << "pre_cof" << -0.1 << 16000 << int(DW_MFCC_E_PRE_COF);
    QTest::newRow("nan frame") << "frame_length" << double(NAN) << 16000
                               << int(DW_MFCC_E_FRAME_LENGTH);
    QTest::newRow("no samples") << "pre_cof" << 0.98 << 0 << int(DW_MFCC_E_ARGUMENT);
}

void TestRuntimeMfcc::rejects()
{
    QFETCH(QString, field);
    QFETCH(double, value);
    QFETCH(int, samples);
    QFETCH(int, code);
    dw_mfcc_config c = DW_MFCC_CONFIG_DEFAULT;
    if (field == "fft_length")
        c.fft_length = int(value);
    else if (field == "num_filters")
        c.num_filters = int(value);
    else if (field == "num_cepstral")
        c.num_cepstral = int(value);
    else if (field == "win_size")
        c.win_size = int(value);
    else if (field == "frame_length")
        c.frame_length = float(value);
    else if (field == "frame_stride")
        c.frame_stride = float(value);
    else if (field == "high_frequency")
        c.high_frequency = float(value);
    else if (field == "low_frequency")
        c.low_frequency = float(value);
    else if (field == "pre_cof")
        c.pre_cof = float(value);
    QCOMPARE(dw_mfcc_validate(&c, samples), code);
    QCOMPARE(dw_mfcc_scratch_size(&c, samples), size_t(0));
    Scratch s(1 << 16);
    dw_mfcc m;
    QCOMPARE(dw_mfcc_init(&m, &c, samples, s.data(), 1 << 16), code);
    const QString text = dw_mfcc_error_string(code);
    QVERIFY2(text.contains(field) || code == DW_MFCC_E_ARGUMENT || code == DW_MFCC_E_EMPTY_FILTER ||
                 code == DW_MFCC_E_FREQUENCY,
             qPrintable(text));
}

void TestRuntimeMfcc::initializerCompilesToSameConfig()
{
    dw::FeatureConfig cfg;
    QVERIFY(cfg.set("low_frequency", "300").ok());
    QVERIFY(cfg.set("window", "hann").ok());
    QCOMPARE(QString::fromStdString(cfg.runtimeInitializer()),
             QString("{DW_MFCC_KIND_MFCC, DW_MFCC_WINDOW_HANN, 13, 0.02f, 0.02f, 32, 256, 101, "
                     "300.0f, 0.0f, 0.98f, 16000}"));
    const dw_mfcc_config lit = {DW_MFCC_KIND_MFCC,
                                DW_MFCC_WINDOW_HANN,
                                13,
                                0.02f,
                                0.02f,
                                32,
                                256,
                                101,
                                300.0f,
                                0.0f,
                                0.98f,
                                16000};
    dw_mfcc_config conv{};
    QVERIFY(cfg.toRuntime(conv).ok());
    QCOMPARE(std::memcmp(&lit, &conv, sizeof lit), 0);
    dw::FeatureConfig def;
    QCOMPARE(QString::fromStdString(def.runtimeInitializer()),
             QString("{DW_MFCC_KIND_MFCC, DW_MFCC_WINDOW_NONE, 13, 0.02f, 0.02f, 32, 256, 101, "
                     "0.0f, 0.0f, 0.98f, 16000}"));
    // Invalid configs do not convert.
    QVERIFY(def.set("num_filters", "128").ok());
    QVERIFY(!def.toRuntime(conv).ok());
}

QTEST_GUILESS_MAIN(TestRuntimeMfcc)
#include "test_runtime_mfcc.moc"
