// SPDX-License-Identifier: GPL-3.0-or-later
// Replays every committed fuzz input (fuzz/corpus/<target>/ and fuzz/regressions/<target>/)
// through the entry points the libFuzzer targets use. A reader that crashes, hangs or trips a
// sanitizer on one of these files fails here with any compiler, without clang or libFuzzer.
#include "fuzz_entries.h"

#include <QtTest/QtTest>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

class TestFuzzCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyTargetHasACorpus_data();
    void everyTargetHasACorpus();
    void replay_data();
    void replay();
};

void TestFuzzCorpus::everyTargetHasACorpus_data()
{
    QTest::addColumn<QString>("name");
    for (const auto& t : dw::fuzz::targets())
        QTest::newRow(t.name) << QString::fromUtf8(t.name);
}

void TestFuzzCorpus::everyTargetHasACorpus()
{
    QFETCH(QString, name);
    const fs::path dir = fs::path(DW_FUZZ_DIR) / "corpus" / name.toStdString();
    int files = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        files += e.is_regular_file() ? 1 : 0;
    QVERIFY2(files >= 5, qPrintable(QString("fuzz/corpus/%1 has %2 files; run the fuzzer (see "
                                            "fuzz/README.md) and commit its corpus")
                                        .arg(name)
                                        .arg(files)));
}

void TestFuzzCorpus::replay_data()
{
    QTest::addColumn<int>("target");
    QTest::addColumn<QString>("file");
    const auto& targets = dw::fuzz::targets();
    for (int i = 0; i < int(targets.size()); ++i) {
        for (const char* kind : {"corpus", "regressions"}) {
            const fs::path dir = fs::path(DW_FUZZ_DIR) / kind / targets[size_t(i)].name;
            std::error_code ec;
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(dir, ec))
                if (e.is_regular_file() && e.path().filename() != "README.md")
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                const std::string row =
                    std::string(targets[size_t(i)].name) + "/" + kind + "/" + f.filename().string();
                QTest::newRow(row.c_str()) << i << QString::fromStdString(f.string());
            }
        }
    }
}

void TestFuzzCorpus::replay()
{
    QFETCH(int, target);
    QFETCH(QString, file);
    std::ifstream in(file.toStdString(), std::ios::binary);
    QVERIFY2(in, qPrintable("cannot read " + file));
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto start = std::chrono::steady_clock::now();
    const int rc = dw::fuzz::targets()[size_t(target)].entry(
        reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    QCOMPARE(rc, 0);
    // libFuzzer's default per-input timeout is 1200 s; a parser needing a whole second for a
    // small file is a hang in waiting.
    QVERIFY2(ms < 1000.0, qPrintable(QString("%1 took %2 ms").arg(file).arg(ms)));
}

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "test_fuzz_corpus.moc"
