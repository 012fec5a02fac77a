// SPDX-License-Identifier: GPL-3.0-or-later
// Reading run folders: events with a torn last line, NaN as null, summaries, listing.
#include "dw/core/atomic_file.h"
#include "dw/core/run_record.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace dw;

class TestRunRecord : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsRunWithTornLastLine()
    {
        QTemporaryDir tmp;
        std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "r1";
        TrainConfig c;
        c.mode = "cc";
        std::string cfg = c.toJson();
        cfg.insert(1, "\"started_at\": \"2026-01-02T03:04:05Z\",");
        QVERIFY(writeFileAtomic(dir / "config.json", cfg).ok());
        EpochRecord e;
        e.epoch = 1;
        e.phase = 'P';
        e.dendrites = {1, 2};
        e.params = 1234;
        e.val_accuracy = 0.5;
        e.test_accuracy = std::nan("");
        e.candidate_scores = {0.01, 0.002};
        SwitchRecord s{1, "N->P", 1, 1234, "why", "n_patience"};
        std::string events = toJson(e) + "\n" + toJson(s) + "\n" + toJson(e).substr(0, 20);
        QVERIFY(writeFileAtomic(dir / "events.jsonl", events).ok());
        QVERIFY(writeFileAtomic(dir / "status", "running\n").ok());
        auto r = readRun(dir);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().text().c_str());
        QCOMPARE(r->name, std::string("r1"));
        QCOMPARE(r->status, std::string("running"));
        QCOMPARE(r->startedAt, std::string("2026-01-02T03:04:05Z"));
        QCOMPARE(r->config.mode, std::string("cc"));
        QCOMPARE(int(r->epochs.size()), 1);
        QCOMPARE(r->epochs[0].phase, 'P');
        QCOMPARE(r->epochs[0].dendrites, (std::vector<int>{1, 2}));
        QCOMPARE(r->epochs[0].params, 1234LL);
        QVERIFY(std::isnan(r->epochs[0].test_accuracy));
        QCOMPARE(r->epochs[0].candidate_scores, (std::vector<double>{0.01, 0.002}));
        QCOMPARE(int(r->switches.size()), 1);
        QCOMPARE(r->switches[0].kind, std::string("N->P"));
        QVERIFY(!r->summary.has_value());

        RunSummary sum;
        sum.mode = "cc";
        sum.params = 99;
        sum.val_accuracy = 0.9;
        sum.test_accuracy = 0.8;
        sum.dendrites = {1};
        sum.status = "finished";
        QVERIFY(writeFileAtomic(dir / "summary.json", toJson(sum)).ok());
        auto r2 = readRun(dir);
        QVERIFY(r2->summary.has_value());
        QCOMPARE(r2->summary->params, 99LL);
        QCOMPARE(r2->summary->test_accuracy, 0.8);
        QCOMPARE(r2->summary->dendrites, std::vector<int>{1});
    }

    void listsNewestFirstAndSkipsJunk()
    {
        QTemporaryDir tmp;
        std::filesystem::path root(tmp.path().toStdString());
        for (auto [name, when] :
             {std::pair{"a", "2026-01-01T00:00:00Z"}, std::pair{"b", "2026-03-01T00:00:00Z"}}) {
            std::string cfg = TrainConfig().toJson();
            cfg.insert(1, std::string("\"started_at\": \"") + when + "\",");
            QVERIFY(writeFileAtomic(root / name / "config.json", cfg).ok());
        }
        QVERIFY(writeFileAtomic(root / "junk" / "config.json", "{broken").ok());
        std::filesystem::create_directories(root / "empty");
        auto runs = listRuns(root);
        QCOMPARE(int(runs.size()), 2);
        QCOMPARE(runs[0].name, std::string("b"));
        QCOMPARE(runs[0].status, std::string("unknown"));
        QVERIFY(!readRun(root / "empty").ok());
        QVERIFY(!readRun(root / "junk").ok());
        // A run folder being created is not listed.
        QVERIFY(
            writeFileAtomic(root / "c.tmp-dw1234" / "config.json", TrainConfig().toJson()).ok());
        QCOMPARE(int(listRuns(root).size()), 2);
    }

    // A run folder appears with its first files in one rename (CI once killed a train between
    // mkdir and the config write: the folder read as "not a training run" from then on).
    void runFolderAppearsWhole()
    {
        QTemporaryDir tmp;
        const std::filesystem::path root(tmp.path().toStdString());
        const std::vector<std::pair<std::string, std::string>> files = {{"config.json", "{}"},
                                                                        {"status", "running\n"}};
        QVERIFY(createFolderAtomic(root / "new", files).ok());
        QCOMPARE(readFile(root / "new" / "status").value(), std::string("running\n"));
        // An empty folder (left by a mkdir) is taken over.
        std::filesystem::create_directories(root / "empty");
        QVERIFY(createFolderAtomic(root / "empty", files).ok());
        QVERIFY(std::filesystem::exists(root / "empty" / "config.json"));
        // A folder with the user's files keeps them; ours are added one by one.
        QVERIFY(writeFileAtomic(root / "full" / "notes.txt", "mine").ok());
        QVERIFY(createFolderAtomic(root / "full", files).ok());
        QCOMPARE(readFile(root / "full" / "notes.txt").value(), std::string("mine"));
        QVERIFY(std::filesystem::exists(root / "full" / "config.json"));
        // Nothing staged is left behind.
        for (const auto& e : std::filesystem::directory_iterator(root))
            QVERIFY2(e.path().filename().string().find(".tmp-dw") == std::string::npos,
                     e.path().c_str());
        // A staging folder left by a kill is removed, with its contents.
        QVERIFY(writeFileAtomic(root / "x.tmp-dwdead" / "config.json", "{}").ok());
        QCOMPARE(removeStaleTemporaries(root), 1);
        QVERIFY(!std::filesystem::exists(root / "x.tmp-dwdead"));
    }
};

QTEST_APPLESS_MAIN(TestRunRecord)
#include "test_run_record.moc"
