// SPDX-License-Identifier: GPL-3.0-or-later
// A real 6-trial sweep through GNU parallel on a tiny demo project, then merge, resume, bad input.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "run_process.h"

namespace {
const QString kBin = QStringLiteral(DW_BIN_DIR "/dendrite");

using Run = dw::test::ProcessResult;

Run run(const QString& program, const QStringList& args, int timeoutMs = 240000)
{
    dw::test::ProcessOptions o;
    o.timeoutMs = timeoutMs;
    return dw::test::runProcess(program, args, o);
}

QList<QStringList> readCsv(const QString& path)
{
    QFile f(path);
    QList<QStringList> rows;
    if (!f.open(QIODevice::ReadOnly))
        return rows;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        // RFC 4180 cells: list knobs such as improvement_thresholds are quoted ("0.001,0").
        QStringList cells;
        QString cell;
        bool quoted = false;
        for (const QChar c : QString::fromUtf8(line)) {
            if (c == '"')
                quoted = !quoted;
            else if (c == ',' && !quoted) {
                cells << cell;
                cell.clear();
            } else
                cell += c;
        }
        rows << (cells << cell);
    }
    return rows;
}
} // namespace

class TestSweepParallel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_project, m_sweep, m_out;

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("parallel").isEmpty())
            QSKIP("GNU parallel is not installed (apt-get install parallel)");
        QVERIFY(QFile::exists(kBin));
        m_project = m_tmp.filePath("proj");
        auto d = run(kBin, {"demo-data", "--out", m_project, "--seed", "1", "--per-class", "6",
                            "--jobs", "2"});
        QVERIFY2(d.code == 0, qPrintable(d.out + d.err));
        m_sweep = QString(DW_SOURCE_DIR) + "/resources/sweeps/small.json";
        m_out = m_tmp.filePath("sweep");
    }

    void sixTrialsThroughParallelThenMerge()
    {
        QStringList args = {"--will-cite", "-j", "2", kBin,   "sweep",  "trial", m_sweep,
                            "--project",   m_project, "--out", m_out,  "--index", "{}",
                            ":::",         "0", "1", "2", "3", "4", "5"};
        auto p = run("parallel", args, 600000);
        QVERIFY2(p.code == 0, qPrintable(p.out + p.err));
        QCOMPARE(p.out.count("params, val"), 6);

        auto m = run(kBin, {"sweep", "merge", m_out});
        QVERIFY2(m.code == 0, qPrintable(m.out + m.err));
        const auto rows = readCsv(m_out + "/results.csv");
        QCOMPARE(rows.size(), 7); // header + 6
        const QStringList head = rows[0];
        QCOMPARE(head.first(), QString("trial"));
        for (const char* col : {"mode", "width", "lr", "max_dendrites", "params", "val", "test",
                                "dendrites", "seconds", "test_n", "status"})
            QVERIFY2(head.contains(col), col);
        const int iMode = int(head.indexOf("mode")), iParams = int(head.indexOf("params"));
        const int iTest = int(head.indexOf("test")), iStatus = int(head.indexOf("status"));
        QMap<QString, int> perMode;
        for (int i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows[i].size(), head.size());
            QCOMPARE(rows[i][0], QString("%1").arg(i - 1, 6, 10, QChar('0')));
            QCOMPARE(rows[i][iStatus], QString("finished"));
            QVERIFY(rows[i][iParams].toLongLong() > 0);
            const double t = rows[i][iTest].toDouble();
            QVERIFY(t >= 0.0 && t <= 1.0);
            perMode[rows[i][iMode]]++;
        }
        QCOMPARE(perMode.value("traditional"), 2);
        QCOMPARE(perMode.value("gd"), 2);
        QCOMPARE(perMode.value("cc"), 2);
    }

    void rerunningAFinishedTrialSkipsIt()
    {
        auto again = run(kBin, {"sweep", "trial", m_sweep, "--project", m_project, "--out",
                                m_out, "--index", "3"});
        QCOMPARE(again.code, 0);
        QVERIFY2(again.out.contains("already finished"), qPrintable(again.out));
        QCOMPARE(QDir(m_out + "/rows").entryList({"*.json"}).size(), 6);
    }

    void resumeRunsOnlyWhatIsMissing()
    {
        // `sweep run` on the same folder: the 6 trials are done, only the baseline runs.
        auto r = run(kBin, {"sweep", "run", m_sweep, "--project", m_project, "--out", m_out,
                            "--jobs", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("7 trials, 6 already finished, 1 to run"), qPrintable(r.out));
        QVERIFY(QFile::exists(m_out + "/rows/baseline.json"));
        auto s = run(kBin, {"sweep", "status", m_out});
        QCOMPARE(s.code, 0);
        QVERIFY2(s.out.contains("finished 6") && s.out.contains("baseline finished"),
                 qPrintable(s.out));
        QVERIFY(QFile::exists(m_out + "/findings.md"));
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("index out of range")
            << QStringList{"sweep", "trial", "SWEEP", "--index", "6", "--out", "OUT"} << 2
            << "out of range";
        QTest::newRow("index not a number")
            << QStringList{"sweep", "trial", "SWEEP", "--index", "six", "--out", "OUT"} << 2
            << "not a number";
        QTest::newRow("unknown subcommand") << QStringList{"sweep", "launch"} << 2
                                            << "unknown sweep subcommand";
        QTest::newRow("not a sweep folder") << QStringList{"sweep", "status", "/nonexistent"}
                                            << 3 << "not a sweep folder";
        QTest::newRow("missing file")
            << QStringList{"sweep", "trial", "/nope.json", "--index", "0", "--out", "OUT"} << 3
            << "cannot read the sweep file";
    }
    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        args.replaceInStrings("SWEEP", m_sweep);
        args.replaceInStrings("OUT", m_out);
        auto r = run(kBin, args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message) && r.err.contains("hint:"), qPrintable(r.err));
    }

    void unknownKnobAndEmptyListAreRefused()
    {
        QFile f(m_tmp.filePath("bad.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"trials": 3, "knobs": {"mode": ["gd"], "lernrate": [0.1]}})");
        f.close();
        auto r = run(kBin, {"sweep", "run", f.fileName(), "--project", m_project, "--out",
                            m_tmp.filePath("bad")});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("unknown knob 'lernrate'"), qPrintable(r.err));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"trials": 3, "knobs": {"mode": ["gd"], "dropout": []}})");
        f.close();
        r = run(kBin, {"sweep", "run", f.fileName(), "--project", m_project, "--out",
                       m_tmp.filePath("bad")});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("knob 'dropout' has an empty list"), qPrintable(r.err));
        // A value the engine refuses is caught before any trial starts.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"trials": 3, "knobs": {"mode": ["gd", "xx"]}})");
        f.close();
        r = run(kBin, {"sweep", "run", f.fileName(), "--project", m_project, "--out",
                       m_tmp.filePath("bad")});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains("mode=xx"), qPrintable(r.err));
    }

    void corruptRowIsReportedNotDropped()
    {
        QFile f(m_out + "/rows/000004.json");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"id\": \"000004\", \"index\": 4, \"par");
        f.close();
        auto m = run(kBin, {"sweep", "merge", m_out});
        QCOMPARE(m.code, 0);
        QVERIFY2(m.err.contains("corrupt row rows/000004.json"), qPrintable(m.err));
        QCOMPARE(readCsv(m_out + "/results.csv").size(), 7); // header + baseline + 5
        auto s = run(kBin, {"sweep", "status", m_out});
        QVERIFY2(s.out.contains("corrupt 1"), qPrintable(s.out));
    }

    void paretoPng()
    {
        const QString png = m_tmp.filePath("pareto.png");
        auto r = run(kBin, {"sweep", "pareto", m_out, "--out", png});
        if (r.code != 0 && r.err.contains("without the GUI"))
            QSKIP("dendrite was built without the GUI");
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QFile f(png);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray b = f.readAll();
        QVERIFY(b.size() > 5000);
        QVERIFY(b.startsWith("\x89PNG"));
        auto be32 = [&](int at) {
            return (uchar(b[at]) << 24) | (uchar(b[at + 1]) << 16) | (uchar(b[at + 2]) << 8) |
                   uchar(b[at + 3]);
        };
        QCOMPARE(be32(16), 1200); // IHDR width
        QCOMPARE(be32(20), 750);  // IHDR height
    }
};

QTEST_GUILESS_MAIN(TestSweepParallel)
#include "test_sweep_parallel.moc"
