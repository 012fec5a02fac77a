// SPDX-License-Identifier: GPL-3.0-or-later
// dw::sweep: sweep files, deterministic trials, result rows, merge/resume, frontier, findings.
#include "dw/core/atomic_file.h"
#include "dw/core/sweep.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace dw::sweep;
namespace fs = std::filesystem;

namespace {
const char* kSmall = R"({
  "name": "t", "search": "random", "trials": 12, "seed": 7, "epochs_max": 3,
  "fixed": {"model": "custom"},
  "knobs": {
    "mode": ["traditional", "gd", "cc"],
    "conv_layers": [1, 2, 3],
    "dropout": {"min": 0.1, "max": 0.5},
    "lr": {"min": 0.001, "max": 0.05, "log": true},
    "n_patience": {"min": 5, "max": 30, "integer": true},
    "improvement_thresholds": [[0.001, 0.0001, 0], [0]]
  },
  "baseline": {"model": "ei1d", "mode": "traditional"}
})";

std::string knob(const Trial& t, const std::string& name)
{
    for (const auto& [n, v] : t.knobs)
        if (n == name)
            return v;
    return "<unset>";
}

TrialRow row(int index, const std::string& mode, long long params, double val, double test)
{
    TrialRow r;
    r.index = index;
    r.id = trialId(index);
    r.knobs["mode"] = mode;
    r.knobs["conv_layers"] = "2";
    r.params = params;
    r.val = val;
    r.test = test;
    r.testCount = 400;
    r.run = "runs/" + r.id;
    return r;
}
} // namespace

class TestSweep : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void trialsAreDeterministic()
    {
        auto a = parseSweep(kSmall);
        auto b = parseSweep(kSmall);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().text().c_str());
        QCOMPARE(a->trials, 12);
        for (int i = 0; i < a->trials; ++i) {
            auto ta = makeTrial(*a, i), tb = makeTrial(*b, i);
            QVERIFY(ta.ok() && tb.ok());
            QCOMPARE(ta->knobs, tb->knobs);
            QCOMPARE(ta->id, trialId(i));
        }
        // A different seed changes the draws.
        std::string other = kSmall;
        other.replace(other.find("\"seed\": 7"), 9, "\"seed\": 8");
        auto c = parseSweep(other);
        QVERIFY(c.ok());
        int differ = 0;
        for (int i = 0; i < 12; ++i)
            differ += makeTrial(*a, i)->knobs != makeTrial(*c, i)->knobs;
        QVERIFY(differ >= 10);
        // Golden values pin the generator across platforms and refactors.
        auto t0 = makeTrial(*a, 0);
        QCOMPARE(knob(*t0, "model"), std::string("custom"));
        QCOMPARE(knob(*t0, "epochs_max"), std::string("3"));
        QCOMPARE(knob(*t0, "mode"), std::string("traditional"));
        QVERIFY(knob(*t0, "seed") != "<unset>");
        const double d = std::stod(knob(*t0, "dropout"));
        QVERIFY(d >= 0.1 && d <= 0.5);
        const int np = std::stoi(knob(*t0, "n_patience"));
        QVERIFY(np >= 5 && np <= 30);
        const std::string th = knob(*t0, "improvement_thresholds");
        QVERIFY(th == "0.001,0.0001,0" || th == "0");
    }

    void stratifiedAndPaired()
    {
        std::string text = kSmall;
        auto spec = parseSweep(text);
        QVERIFY(spec.ok());
        std::map<std::string, int> perMode;
        for (int i = 0; i < spec->trials; ++i)
            perMode[knob(*makeTrial(*spec, i), "mode")]++;
        QCOMPARE(perMode["traditional"], 4);
        QCOMPARE(perMode["gd"], 4);
        QCOMPARE(perMode["cc"], 4);

        text.insert(text.find("\"search\""), "\"paired\": true, ");
        auto paired = parseSweep(text);
        QVERIFY(paired.ok());
        for (int g = 0; g < 4; ++g) {
            auto t0 = *makeTrial(*paired, 3 * g), t1 = *makeTrial(*paired, 3 * g + 1);
            QCOMPARE(knob(t0, "conv_layers"), knob(t1, "conv_layers"));
            QCOMPARE(knob(t0, "lr"), knob(t1, "lr"));
            QCOMPARE(knob(t0, "seed"), knob(t1, "seed"));
            QVERIFY(knob(t0, "mode") != knob(t1, "mode"));
        }
    }

    void gridCoversEveryCombination()
    {
        auto spec = parseSweep(R"({"search": "grid", "knobs": {"mode": ["traditional", "gd"],
            "conv_layers": [1, 2, 3]}})");
        QVERIFY(spec.ok());
        QCOMPARE(spec->trials, 6);
        std::set<std::pair<std::string, std::string>> seen;
        for (int i = 0; i < 6; ++i) {
            auto t = makeTrial(*spec, i);
            seen.insert({knob(*t, "mode"), knob(*t, "conv_layers")});
        }
        QCOMPARE(int(seen.size()), 6);
    }

    void indexOutOfRange()
    {
        auto spec = parseSweep(kSmall);
        QVERIFY(spec.ok());
        for (int bad : {-1, 12, 1000}) {
            auto t = makeTrial(*spec, bad);
            QVERIFY(!t.ok());
            QVERIFY(t.error().message.find("out of range") != std::string::npos);
            QVERIFY(t.error().hint.find("0..11") != std::string::npos);
        }
        QVERIFY(makeBaselineTrial(*spec).ok());
        QCOMPARE(knob(*makeBaselineTrial(*spec), "model"), std::string("ei1d"));
    }

    void badSweepFiles_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("not json") << "{\"trials\": 3," << "not valid JSON";
        QTest::newRow("unknown knob") << R"({"trials": 3, "knobs": {"lernrate": [1]}})"
                                      << "unknown knob 'lernrate'";
        QTest::newRow("unknown fixed knob")
            << R"({"trials": 3, "fixed": {"colour": "red"}, "knobs": {"lr": [1]}})"
            << "unknown knob 'colour'";
        QTest::newRow("empty list") << R"({"trials": 3, "knobs": {"dropout": []}})"
                                    << "knob 'dropout' has an empty list";
        QTest::newRow("empty inner list")
            << R"({"trials": 3, "knobs": {"improvement_thresholds": [[]]}})"
            << "improvement_thresholds";
        QTest::newRow("no trials") << R"({"knobs": {"lr": [1]}})" << "trials";
        QTest::newRow("range min>max") << R"({"trials": 3, "knobs": {"lr": {"min": 2, "max": 1}}})"
                                       << "knob 'lr': range";
        QTest::newRow("log range at 0")
            << R"({"trials": 3, "knobs": {"lr": {"min": 0, "max": 1, "log": true}}})" << "min > 0";
        QTest::newRow("grid with range")
            << R"({"search": "grid", "knobs": {"lr": {"min": 0.1, "max": 1}}})"
            << "grid search needs a list";
        QTest::newRow("grid trials mismatch")
            << R"({"search": "grid", "trials": 5, "knobs": {"lr": [1, 2]}})" << "2 combinations";
        QTest::newRow("unknown field") << R"({"trails": 3, "knobs": {"lr": [1]}})"
                                       << "unknown field 'trails'";
        QTest::newRow("bad search") << R"({"search": "bayes", "trials": 3})" << "bayes";
        QTest::newRow("fixed and varied")
            << R"({"trials": 3, "fixed": {"lr": 1}, "knobs": {"lr": [1, 2]}})"
            << "both fixed and varied";
        QTest::newRow("duplicate value") << R"({"trials": 3, "knobs": {"lr": [1, 1]}})"
                                         << "twice";
        QTest::newRow("null value") << R"({"trials": 3, "knobs": {"lr": [null]}})"
                                    << "wrong type";
        QTest::newRow("epoch cap 0") << R"({"trials": 3, "epochs_max": 0, "knobs": {"lr": [1]}})"
                                     << "epochs_max";
    }
    void badSweepFiles()
    {
        QFETCH(QString, json);
        QFETCH(QString, mustMention);
        auto spec = parseSweep(json.toStdString());
        QVERIFY(!spec.ok());
        const std::string text = spec.error().text();
        QVERIFY2(text.find(mustMention.toStdString()) != std::string::npos, text.c_str());
        QVERIFY(!spec.error().hint.empty());
    }

    void shippedSweepFilesParse_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("trials");
        QTest::newRow("paper") << "paper.json" << 800;
        QTest::newRow("small") << "small.json" << 6;
    }
    void shippedSweepFilesParse()
    {
        QFETCH(QString, file);
        QFETCH(int, trials);
        auto spec = loadSweep(fs::path(DW_SOURCE_DIR) / "resources/sweeps" / file.toStdString());
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().text().c_str());
        QCOMPARE(spec->trials, trials);
        std::map<std::string, int> perMode;
        for (int i = 0; i < trials; ++i)
            perMode[knob(*makeTrial(*spec, i), "mode")]++;
        QCOMPARE(int(perMode.size()), 3);
        QVERIFY(std::abs(perMode["traditional"] - perMode["cc"]) <= 1);
        QVERIFY(std::abs(perMode["gd"] - perMode["cc"]) <= 1);
        // The pinned form re-parses to the same trials.
        auto again = parseSweep(spec->toJson());
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().text().c_str());
        QCOMPARE(again->toJson(), spec->toJson());
        for (int i = 0; i < trials; i += 37)
            QCOMPARE(makeTrial(*again, i)->knobs, makeTrial(*spec, i)->knobs);
    }

    void mergeOutOfOrderPartialAndCorrupt()
    {
        QTemporaryDir tmp;
        auto spec = parseSweep(kSmall);
        auto dir = SweepDir::create(tmp.path().toStdString(), *spec);
        QVERIFY2(dir.ok(), dir.ok() ? "" : dir.error().text().c_str());
        // Rows arrive out of order; only some trials finished.
        for (int i : {7, 2, 11, 0, 5})
            QVERIFY(dir->writeRow(row(i, "gd", 1000 + i, 0.8, 0.79)).ok());
        // A torn write and a row with a bad value.
        QVERIFY(dw::writeFileAtomic(dir->rowPath("000003"), "{\"id\": \"000003\", \"ind").ok());
        QVERIFY(dw::writeFileAtomic(dir->rowPath("000004"),
                                    R"({"id":"000004","index":4,"params":10,"val":1.7,)"
                                    R"("test":0.5,"status":"finished"})")
                    .ok());
        // A claimed trial without a row is "running".
        QCOMPARE(*dir->claim("000009"), SweepDir::Claim::Claimed);

        auto merged = dir->merge();
        QVERIFY(merged.ok());
        QCOMPARE(int(merged->rows.size()), 5);
        QCOMPARE(merged->rows.front().index, 0);
        QCOMPARE(merged->rows.back().index, 11);
        QCOMPARE(int(merged->corrupt.size()), 2);
        QVERIFY(merged->corrupt[0].find("000003") != std::string::npos);
        QVERIFY(merged->corrupt[1].find("out of range") != std::string::npos);
        QCOMPARE(merged->running, std::vector<std::string>{"000009"});
        QCOMPARE(merged->missing, (std::vector<int>{1, 3, 4, 6, 8, 10}));

        auto csv = dw::readFile(fs::path(tmp.path().toStdString()) / "results.csv");
        QVERIFY(csv.ok());
        QVERIFY(csv->rfind("trial,conv_layers,mode,params,val,test,dendrites,seconds", 0) == 0);
        auto back = parseResultsCsv(*csv);
        QVERIFY(back.ok());
        QCOMPARE(int(back->size()), 5);
        QCOMPARE((*back)[1].id, std::string("000002"));
        QCOMPARE((*back)[1].mode(), std::string("gd"));
        QCOMPARE((*back)[1].params, 1002LL);
        QCOMPARE((*back)[1].testCount, 400);
        QVERIFY(fs::exists(fs::path(tmp.path().toStdString()) / "findings.md"));
    }

    void resumeSkipsFinishedAndRetriesCorrupt()
    {
        QTemporaryDir tmp;
        auto spec = parseSweep(kSmall);
        auto dir = SweepDir::create(tmp.path().toStdString(), *spec);
        QVERIFY(dir.ok());
        QVERIFY(dir->writeRow(row(1, "gd", 10, 0.5, 0.5)).ok());
        QCOMPARE(*dir->claim("000001"), SweepDir::Claim::Finished);
        // Corrupt row: moved aside (kept), the trial is claimable again.
        QVERIFY(dw::writeFileAtomic(dir->rowPath("000002"), "garbage").ok());
        QCOMPARE(*dir->claim("000002"), SweepDir::Claim::Claimed);
        bool kept = false;
        for (const auto& e : fs::directory_iterator(dir->dir() / "rows"))
            kept |= e.path().filename().string().rfind("000002.json.corrupt-", 0) == 0;
        QVERIFY(kept);
        // A live claim (ours) is busy for anybody else.
        QCOMPARE(*dir->claim("000002"), SweepDir::Claim::Busy);
        // A claim of a dead process on this host is taken over; its partial run moved aside.
        pid_t child = fork();
        if (child == 0)
            _exit(0);
        waitpid(child, nullptr, 0);
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        QVERIFY(dw::writeFileAtomic(dir->claimPath("000003"),
                                    std::string(host) + " " + std::to_string(child) + " 0\n")
                    .ok());
        QVERIFY(dw::writeFileAtomic(dir->runPath("000003") / "status", "running").ok());
        QCOMPARE(*dir->claim("000003"), SweepDir::Claim::Claimed);
        QVERIFY(!fs::exists(dir->runPath("000003")));
        // A claim from another host is never stolen.
        QVERIFY(dw::writeFileAtomic(dir->claimPath("000004"), "elsewhere 1 0\n").ok());
        QCOMPARE(*dir->claim("000004"), SweepDir::Claim::Busy);
        // Reopening a sweep folder with a different sweep is refused.
        std::string other = kSmall;
        other.replace(other.find("\"seed\": 7"), 9, "\"seed\": 9");
        auto wrong = SweepDir::create(tmp.path().toStdString(), *parseSweep(other));
        QVERIFY(!wrong.ok());
        QVERIFY(wrong.error().message.find("different sweep") != std::string::npos);
        QVERIFY(SweepDir::create(tmp.path().toStdString(), *spec).ok());
    }

    void twoProcessesWritingTheSameTrial()
    {
        QTemporaryDir tmp;
        auto spec = parseSweep(kSmall);
        auto dir = SweepDir::create(tmp.path().toStdString(), *spec);
        QVERIFY(dir.ok());
        // 8 processes race for every trial: each trial is claimed once and ends with exactly one
        // row; no row is lost or duplicated.
        std::vector<pid_t> kids;
        for (int k = 0; k < 8; ++k) {
            pid_t p = fork();
            if (p == 0) {
                int wrote = 0;
                for (int i = 0; i < 12; ++i) {
                    auto c = dir->claim(trialId(i));
                    if (c.ok() && *c == SweepDir::Claim::Claimed) {
                        TrialRow r = row(i, "cc", 100 + i, 0.6, 0.6);
                        r.run = std::to_string(k);
                        wrote += dir->writeRow(r).ok();
                        dir->release(trialId(i));
                    }
                }
                _exit(wrote);
            }
            kids.push_back(p);
        }
        int total = 0;
        for (pid_t p : kids) {
            int st = 0;
            waitpid(p, &st, 0);
            total += WEXITSTATUS(st);
        }
        QCOMPARE(total, 12);
        auto s = dir->scan();
        QCOMPARE(int(s.rows.size()), 12);
        QVERIFY(s.corrupt.empty());
        QVERIFY(s.missing.empty());
        // Publishing a second row for a finished trial is refused and keeps the first.
        TrialRow dup = row(0, "cc", 5, 0.9, 0.9);
        auto st = dir->writeRow(dup);
        QVERIFY(!st.ok());
        QVERIFY(st.error().message.find("already has a result row") != std::string::npos);
        QCOMPARE(dir->scan().rows.front().params, 100LL);
    }

    void frontierOnHandMadeTable()
    {
        std::vector<TrialRow> rows = {
            row(0, "traditional", 1000, 0.80, 0.81), row(1, "traditional", 2000, 0.78, 0.90),
            row(2, "traditional", 3000, 0.85, 0.84), row(3, "traditional", 3000, 0.86, 0.83),
            row(4, "gd", 800, 0.82, 0.80),           row(5, "gd", 5000, 0.90, 0.91),
            row(6, "cc", 1500, 0.88, 0.87),          row(7, "cc", 900, 0.70, 0.99),
        };
        rows[1].status = "failed: diverged"; // failed rows never enter the frontier
        TrialRow base = row(-1, "traditional", 2500, 0.84, 0.85);
        base.id = "baseline";
        rows.insert(rows.begin(), base);
        auto ids = [&](const std::vector<size_t>& f) {
            std::vector<int> out;
            for (size_t i : f)
                out.push_back(rows[i].index);
            return out;
        };
        // Chosen by validation: trial 1's high test accuracy does not buy it a place.
        QCOMPARE(ids(paretoFrontier(rows, "traditional")), (std::vector<int>{0, 3}));
        QCOMPARE(ids(paretoFrontier(rows, "gd")), (std::vector<int>{4, 5}));
        QCOMPARE(ids(paretoFrontier(rows, "cc")), (std::vector<int>{7, 6}));
        QCOMPARE(ids(paretoFrontier(rows, "")), (std::vector<int>{4, 6, 5}));

        auto f = computeFindings(rows, {1000, 2000, 5000});
        QVERIFY(f.baseline.has_value());
        QCOMPARE(f.trialsPerMode["traditional"], 3);
        QCOMPARE(f.trialsPerMode["gd"], 2);
        QCOMPARE(f.trialsPerMode["cc"], 2);
        auto find = [&](const std::string& what) {
            for (const auto& x : f.items)
                if (x.what == what)
                    return x;
            return Finding{};
        };
        QCOMPARE(find("smallest model beating the baseline").id, std::string("000006"));
        QCOMPARE(find("smallest model beating the baseline (traditional)").id,
                 std::string("000003")); // ties on params go to the higher validation
        QCOMPARE(find("most accurate model").id, std::string("000005"));
        auto near = find("closest traditional model to the most accurate");
        QCOMPARE(near.id, std::string("000003")); // 3000 is nearest 5000 in log space
        // test error 0.17 vs 0.09: 89 % more
        QVERIFY2(near.note.find("89 % more") != std::string::npos, near.note.c_str());
        QCOMPARE(f.perBudget["gd"][0].id, std::string("000004"));
        QCOMPARE(f.perBudget["cc"][0].id, std::string("000007"));
        QCOMPARE(f.perBudget["cc"][1].id, std::string("000006"));
        QCOMPARE(f.perBudget["traditional"][0].id, std::string("000000"));
        QVERIFY(f.perBudget["gd"][1].id == "000004");
        const std::string md = findingsMarkdown(f);
        QVERIFY(md.find("traditional 3;") != std::string::npos);
        QVERIFY(md.find("| cc (2 trials) |") != std::string::npos);
    }

    void bootstrapIntervals()
    {
        auto a = bootstrapAccuracyCI(0.9, 400);
        auto b = bootstrapAccuracyCI(0.9, 400);
        QCOMPARE(a.lo, b.lo);
        QCOMPARE(a.hi, b.hi);
        // Normal approximation: +-1.96*sqrt(.9*.1/400) = +-0.0294
        QVERIFY2(std::abs(a.lo - 0.8706) < 0.01 && std::abs(a.hi - 0.9294) < 0.01,
                 qPrintable(QString("%1 %2").arg(a.lo).arg(a.hi)));
        auto wide = bootstrapAccuracyCI(0.9, 40);
        QVERIFY(wide.hi - wide.lo > 2 * (a.hi - a.lo));
        auto none = bootstrapAccuracyCI(0.7, 0);
        QCOMPARE(none.lo, 0.7);
        QCOMPARE(none.hi, 0.7);
    }

    void frontierRerunIsAListSweep()
    {
        auto spec = parseSweep(kSmall);
        std::vector<TrialRow> rows = {row(0, "gd", 800, 0.82, 0.80)};
        rows[0].knobs["seed"] = "5";
        rows[0].knobs["not_a_knob"] = "x";
        auto re = frontierRerunSpec(*spec, rows, 3);
        QCOMPARE(re.trials, 3);
        auto again = parseSweep(re.toJson());
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().text().c_str());
        std::set<std::string> seeds;
        for (int i = 0; i < 3; ++i) {
            auto t = makeTrial(*again, i);
            QCOMPARE(knob(*t, "mode"), std::string("gd"));
            QCOMPARE(knob(*t, "not_a_knob"), std::string("<unset>"));
            seeds.insert(knob(*t, "seed"));
        }
        QCOMPARE(int(seeds.size()), 3);
        QVERIFY(!seeds.count("5"));
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
