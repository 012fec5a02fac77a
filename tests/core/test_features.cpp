// SPDX-License-Identifier: GPL-3.0-or-later
// MFCC / MFE against the goldens of tools/mfcc_reference.py (an independent numpy version of
// kws-pipeline.md section 2), plus FeatureConfig's rules and error messages.
#include "dw/core/atomic_file.h"
#include "dw/core/features.h"
#include "dw/core/project.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(DW_TEST_DATA) / "mfcc";

std::vector<std::vector<double>> readCsv(const fs::path& p)
{
    std::vector<std::vector<double>> rows;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        std::vector<double> row;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ','))
            row.push_back(std::stod(cell));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<float> loadSamples(const fs::path& wav)
{
    auto a = dw::readWavPcm16(wav);
    if (!a)
        qFatal("%s", a.error().text().c_str());
    return {a->samples.begin(), a->samples.end()};
}

nlohmann::json goldens()
{
    auto text = dw::readFile(kData / "goldens.json");
    if (!text)
        qFatal("%s", text.error().text().c_str());
    return nlohmann::json::parse(*text);
}

dw::FeatureConfig configFrom(const nlohmann::json& set)
{
    dw::FeatureConfig c;
    for (const auto& [k, v] : set.items()) {
        auto s = c.set(k, v.get<std::string>());
        if (!s)
            qFatal("%s", s.error().text().c_str());
    }
    return c;
}

} // namespace

class TestFeatures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void golden_data();
    void golden();
    void defaultShape();
    void setRejects_data();
    void setRejects();
    void validateRejects_data();
    void validateRejects();
    void setKeepsOldValueOnError();
    void jsonRoundTripAndHash();
    void fromJsonRejects();
    void extractorReuse();
    void silenceIsFinite();
};

void TestFeatures::golden_data()
{
    QTest::addColumn<QString>("wav");
    QTest::addColumn<QString>("set");
    QTest::addColumn<QString>("csv");
    QTest::addColumn<int>("frames");
    QTest::addColumn<int>("coeffs");
    const auto g = goldens();
    QVERIFY(g["cases"].size() >= 20);
    for (const auto& c : g["cases"]) {
        QTest::newRow(c["name"].get<std::string>().c_str())
            << QString::fromStdString(c["wav"].get<std::string>())
            << QString::fromStdString(c["set"].dump())
            << QString::fromStdString(c["csv"].get<std::string>()) << c["frames"].get<int>()
            << c["coeffs"].get<int>();
    }
}

void TestFeatures::golden()
{
    QFETCH(QString, wav);
    QFETCH(QString, set);
    QFETCH(QString, csv);
    QFETCH(int, frames);
    QFETCH(int, coeffs);
    const auto samples = loadSamples(kData / wav.toStdString());
    const dw::FeatureConfig cfg = configFrom(nlohmann::json::parse(set.toStdString()));
    QCOMPARE(cfg.frameCount(int(samples.size())), frames);
    QCOMPARE(cfg.coefficientCount(), coeffs);
    auto m = dw::computeFeatures(samples, cfg);
    QVERIFY2(m.ok(), m.ok() ? "" : m.error().text().c_str());
    QCOMPARE(m->frames, frames);
    QCOMPARE(m->coeffs, coeffs);
    const auto want = readCsv(kData / csv.toStdString());
    QCOMPARE(int(want.size()), frames);
    double worst = 0;
    int wf = 0, wc = 0;
    for (int f = 0; f < frames; ++f) {
        QCOMPARE(int(want[f].size()), coeffs);
        for (int c = 0; c < coeffs; ++c) {
            const double d = std::abs(double(m->at(f, c)) - want[f][c]);
            if (!(d <= worst)) {
                worst = d;
                wf = f;
                wc = c;
            }
        }
    }
    if (!(worst <= 1e-3)) {
        // Leave the numbers next to the test output so the difference can be inspected.
        std::ostringstream s;
        s.precision(9);
        for (int f = 0; f < frames; ++f)
            for (int c = 0; c < coeffs; ++c)
                s << m->at(f, c) << (c + 1 < coeffs ? "," : "\n");
        const std::string name = QTest::currentDataTag();
        (void)dw::writeFileAtomic(fs::current_path() / (name + ".actual"), s.str());
    }
    QVERIFY2(
        worst <= 1e-3,
        qPrintable(
            QString("max abs error %1 at frame %2 coeff %3 (> 1e-3)").arg(worst).arg(wf).arg(wc)));
}

void TestFeatures::defaultShape()
{
    dw::FeatureConfig c;
    QVERIFY(c.validate().ok());
    QCOMPARE(c.frameCount(), 50);
    QCOMPARE(c.coefficientCount(), 13);
    std::vector<float> x(16000);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = float(1000 * std::sin(0.05 * double(i)) + double((i * 7919) % 201) - 100);
    auto m = dw::computeFeatures(x, c);
    QVERIFY(m.ok());
    QCOMPARE(m->frames, 50);
    QCOMPARE(m->coeffs, 13);
    QCOMPARE(m->data.size(), size_t(650));
    QVERIFY(c.set("kind", "mfe").ok());
    QCOMPARE(c.coefficientCount(), 32);
}

void TestFeatures::setRejects_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("filters < 2") << "num_filters"
                                 << "1"
                                 << "2..512";
    QTest::newRow("fft not power of two") << "fft_length"
                                          << "300"
                                          << "power of two";
    QTest::newRow("fft too small") << "fft_length"
                                   << "8"
                                   << "16";
    QTest::newRow("fft negative") << "fft_length"
                                  << "-256"
                                  << "negative";
    QTest::newRow("win even") << "win_size"
                              << "100"
                              << "odd";
    QTest::newRow("win negative") << "win_size"
                                  << "-1"
                                  << "negative";
    QTest::newRow("frame negative") << "frame_length"
                                    << "-0.02"
                                    << "negative";
    QTest::newRow("frame zero") << "frame_length"
                                << "0"
                                << "zero";
    QTest::newRow("stride negative") << "frame_stride"
                                     << "-1"
                                     << "negative";
    QTest::newRow("cepstral zero") << "num_cepstral"
                                   << "0"
                                   << "1..";
    QTest::newRow("cepstral negative") << "num_cepstral"
                                       << "-13"
                                       << "negative";
    QTest::newRow("low negative") << "low_frequency"
                                  << "-5"
                                  << "negative";
    QTest::newRow("high above nyquist") << "high_frequency"
                                        << "9000"
                                        << "8000";
    QTest::newRow("pre_cof negative") << "pre_cof"
                                      << "-0.5"
                                      << "negative";
    QTest::newRow("pre_cof above 1") << "pre_cof"
                                     << "1.5"
                                     << "0 (no pre-emphasis) to 1";
    QTest::newRow("rate tiny") << "sample_rate"
                               << "10"
                               << "1000..";
    QTest::newRow("kind") << "kind"
                          << "plp"
                          << "mfcc or mfe";
    QTest::newRow("window") << "window"
                            << "hamming"
                            << "none or hann";
    QTest::newRow("not a number") << "fft_length"
                                  << "abc"
                                  << "not a whole number";
    QTest::newRow("int with junk") << "num_filters"
                                   << "32x"
                                   << "not a whole number";
    QTest::newRow("double junk") << "pre_cof"
                                 << "0.9.8"
                                 << "not a number";
    QTest::newRow("empty") << "frame_length"
                           << ""
                           << "not a number";
    QTest::newRow("nan") << "frame_stride"
                         << "nan"
                         << "not a number";
    QTest::newRow("unknown name") << "num_ceps"
                                  << "13"
                                  << "num_cepstral";
}

void TestFeatures::setRejects()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, mentions);
    dw::FeatureConfig c;
    auto s = c.set(name.toStdString(), value.toStdString());
    QVERIFY(!s.ok());
    const QString text = QString::fromStdString(s.error().text());
    QVERIFY2(text.contains(name), qPrintable(text));
    QVERIFY2(text.contains(mentions), qPrintable(text));
    // The bad value is quoted (an unknown name instead lists the known ones).
    QVERIFY2(value.isEmpty() || name == "num_ceps" || text.contains(value), qPrintable(text));
    QCOMPARE(s.error().code, 2);
    QVERIFY(!s.error().hint.empty());
}

void TestFeatures::validateRejects_data()
{
    QTest::addColumn<QStringList>("sets");
    QTest::addColumn<int>("samples");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("cepstral > filters") << QStringList{"num_filters=10", "num_cepstral=13"} << 16000
                                        << "num_cepstral 13 is more than num_filters 10";
    QTest::newRow("frame longer than clip")
        << QStringList{"frame_length=0.5"} << 4000 << "frame_length 0.5 s (8000 samples)";
    QTest::newRow("more than 500 frames") << QStringList{"frame_stride=0.001"} << 16000 << "500";
    QTest::newRow("empty filter row")
        << QStringList{"num_filters=128", "num_cepstral=13"} << 16000 << "num_filters 128";
    QTest::newRow("low above high") << QStringList{"low_frequency=5000", "high_frequency=4000"}
                                    << 16000 << "low_frequency 5000";
    QTest::newRow("empty clip") << QStringList{} << 0 << "0 samples";
}

void TestFeatures::validateRejects()
{
    QFETCH(QStringList, sets);
    QFETCH(int, samples);
    QFETCH(QString, mentions);
    dw::FeatureConfig c;
    for (const auto& kv : sets) {
        const auto parts = kv.split('=');
        QVERIFY(c.set(parts[0].toStdString(), parts[1].toStdString()).ok());
    }
    auto s = c.validate(samples);
    QVERIFY(!s.ok());
    const QString text = QString::fromStdString(s.error().text());
    QVERIFY2(text.contains(mentions), qPrintable(text));
    QVERIFY2(text.contains("allowed") || text.contains("raise") || text.contains("need"),
             qPrintable(text));
    // The same error, not a crash, from the extractor and computeFeatures.
    QVERIFY(!dw::MfccExtractor::create(c, samples).ok());
    std::vector<float> x(size_t(samples), 1.0f);
    QVERIFY(!dw::computeFeatures(x, c).ok());
}

void TestFeatures::setKeepsOldValueOnError()
{
    dw::FeatureConfig c;
    QVERIFY(!c.set("fft_length", "300").ok());
    QCOMPARE(c.fft_length, 256);
    QVERIFY(c.set("fft_length", "512").ok());
    QCOMPARE(c.fft_length, 512);
    QVERIFY(c.set("frame_length", "0.025").ok());
    QCOMPARE(c.frame_length, 0.025);
}

void TestFeatures::jsonRoundTripAndHash()
{
    dw::FeatureConfig a;
    QVERIFY(a.set("num_filters", "40").ok());
    QVERIFY(a.set("window", "hann").ok());
    QVERIFY(a.set("frame_stride", "0.01").ok());
    auto b = dw::FeatureConfig::fromJson(a.toJson());
    QVERIFY2(b.ok(), b.ok() ? "" : b.error().text().c_str());
    QCOMPARE(b->toJson(), a.toJson());
    QCOMPARE(b->hash(), a.hash());
    QCOMPARE(a.hash().size(), size_t(16));
    dw::FeatureConfig d;
    QVERIFY(a.hash() != d.hash());
    QCOMPARE(d.hash(), dw::FeatureConfig{}.hash());
    // Missing keys keep their defaults; an int written as 40.0 is accepted.
    auto e = dw::FeatureConfig::fromJson(R"({"num_filters": 40.0})");
    QVERIFY(e.ok());
    QCOMPARE(e->num_filters, 40);
    QCOMPARE(e->num_cepstral, 13);
}

void TestFeatures::fromJsonRejects()
{
    for (const char* bad : {"[1,2]", "{", R"({"fft_length": 300})", R"({"nope": 1})",
                            R"({"num_filters": [1]})", R"({"win_size": 10.5})"}) {
        auto r = dw::FeatureConfig::fromJson(bad);
        QVERIFY2(!r.ok(), bad);
        QCOMPARE(r.error().code, 3);
    }
}

void TestFeatures::extractorReuse()
{
    const auto x = loadSamples(kData / "yes_1s.wav");
    const auto shortClip = loadSamples(kData / "yes_short.wav");
    dw::FeatureConfig c;
    auto ex = dw::MfccExtractor::create(c);
    QVERIFY(ex.ok());
    QCOMPARE(ex->frames(), 50);
    std::vector<float> a(650), b(650);
    ex->compute(x, a);
    ex->compute(x, b);
    QCOMPARE(a, b);
    auto ref = dw::computeFeatures(x, c);
    QCOMPARE(ref->data, a);
    // Another clip length re-plans; then back again.
    std::vector<float> s(size_t(c.frameCount(int(shortClip.size()))) * 13);
    ex->compute(shortClip, s);
    QCOMPARE(ex->frames(), c.frameCount(int(shortClip.size())));
    QCOMPARE(dw::computeFeatures(shortClip, c)->data, s);
    ex->compute(x, b);
    QCOMPARE(a, b);
    // A too-small output buffer is a contract violation: zeros, no out-of-bounds write.
    std::vector<float> tiny(10, 5.0f);
    ex->compute(x, tiny);
    QCOMPARE(tiny, std::vector<float>(10, 0.0f));
    // Moving keeps it usable.
    dw::MfccExtractor moved = std::move(*ex);
    moved.compute(x, b);
    QCOMPARE(a, b);
}

void TestFeatures::silenceIsFinite()
{
    for (const char* kind : {"mfcc", "mfe"}) {
        dw::FeatureConfig c;
        QVERIFY(c.set("kind", kind).ok());
        std::vector<float> zeros(16000, 0.0f);
        auto m = dw::computeFeatures(zeros, c);
        QVERIFY(m.ok());
        for (float v : m->data)
            QVERIFY(std::isfinite(v));
    }
}

QTEST_GUILESS_MAIN(TestFeatures)
#include "test_features.moc"
