// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite demo-data`, `import` and `info` end to end through the binary: exit codes, messages,
// and what lands in the project.
#include <QtTest/QtTest>

#include "run_process.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cmath>
#include <csignal>
#include <sys/types.h>

namespace {
using Run = dw::test::ProcessResult;

Run dendrite(const QStringList& args, int timeoutMs = 120000)
{
    return dw::test::runDendrite(args, timeoutMs);
}

// 1 s of a 300 Hz burst in the middle, 16 kHz mono PCM16.
QByteArray wav(int rate = 16000)
{
    QByteArray data;
    for (int i = 0; i < rate; ++i) {
        const double t = double(i) / rate;
        const double v = (t > 0.3 && t < 0.7) ? 9000 * std::sin(2 * M_PI * 300 * t) : 0.0;
        const qint16 s = qint16(v);
        data.append(char(s & 0xff)).append(char((s >> 8) & 0xff));
    }
    auto u32 = [](quint32 v) {
        QByteArray b(4, 0);
        for (int i = 0; i < 4; ++i)
            b[i] = char((v >> (8 * i)) & 0xff);
        return b;
    };
    auto u16 = [](quint16 v) { return QByteArray(1, char(v & 0xff)) + char(v >> 8); };
    return "RIFF" + u32(quint32(36 + data.size())) + "WAVEfmt " + u32(16) + u16(1) + u16(1) +
           u32(quint32(rate)) + u32(quint32(rate * 2)) + u16(2) + u16(16) + "data" +
           u32(quint32(data.size())) + data;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}
} // namespace

class TestCliData : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("demo no out") << QStringList{"demo-data"} << 2 << "--out DIR is missing";
        QTest::newRow("demo bad count")
            << QStringList{"demo-data", "--out", "x", "--per-class", "many"} << 2
            << "not a whole number";
        QTest::newRow("demo typo") << QStringList{"demo-data", "--out", "x", "--sead", "1"} << 2
                                   << "unknown option --sead";
        QTest::newRow("import no paths")
            << QStringList{"import", "--project", "x"} << 2 << "nothing to import";
        QTest::newRow("import bad label")
            << QStringList{"import", "--project", "x", "--label", "a/b", "f.wav"} << 2
            << "path separator";
        QTest::newRow("info no project") << QStringList{"info"} << 2 << "--project DIR";
        QTest::newRow("info not a project")
            << QStringList{"info", "--project", QDir::tempPath()} << 3 << "not a Dendrite project";
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = dendrite(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.err.contains("hint:"));
    }

    void importAndInfo()
    {
        const QString src = m_tmp.filePath("src");
        for (int i = 0; i < 4; ++i) {
            writeFile(src + "/yes/y" + QString::number(i) + ".wav", wav());
            writeFile(src + "/no/n" + QString::number(i) + ".wav", wav(8000));
        }
        writeFile(src + "/no/broken.wav", "RIFF1234WAVEnothing");
        const QString proj = m_tmp.filePath("proj");
        Run r = dendrite({"import", "--project", proj, src});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("imported 8 clip(s) from 8 of 9 file(s)"));
        QVERIFY(r.out.contains("8000 Hz mono WAV PCM 16-bit -> 16000 Hz mono PCM 16-bit"));
        QVERIFY(r.out.contains("broken.wav' is not a readable audio file"));
        QVERIFY(QFile::exists(src + "/no/broken.wav")); // never removed

        r = dendrite({"info", "--project", proj, "--json"});
        QCOMPARE(r.code, 0);
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["clips"].toInt(), 8);
        const auto c = j["counts"].toObject()["yes"].toObject();
        QCOMPARE(c["train"].toInt() + c["validation"].toInt() + c["test"].toInt(), 4);

        // Only bad input: exit code 3 and a message.
        writeFile(m_tmp.filePath("only/bad.wav"), "");
        r = dendrite({"import", "--project", m_tmp.filePath("proj2"), m_tmp.filePath("only")});
        QCOMPARE(r.code, 3);
        QVERIFY(r.err.contains("no clip was imported"));
    }

    void demoData()
    {
        if (QProcess::execute("sh", {"-c", "espeak-ng --version >/dev/null 2>&1"}) != 0)
            QSKIP("espeak-ng is not installed");
        const QString out = m_tmp.filePath("demo");
        Run r = dendrite({"demo-data", "--out", out, "--per-class", "2", "--seed", "3"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("24 clips"));
        QVERIFY(r.err.contains("synthesising clips: 24/24"));
        r = dendrite({"info", "--project", out});
        QCOMPARE(r.code, 0);
        for (const char* label : {"yes", "no", "up", "down", "left", "right", "on", "off", "stop",
                                  "go", "unknown", "noise"})
            QVERIFY2(r.out.contains(QString("\n") + label + " "), label);
        QVERIFY(r.out.contains("espeak_ng_version"));
        QVERIFY(r.out.contains("(all)"));
        // A second run into the same folder refuses instead of overwriting.
        r = dendrite({"demo-data", "--out", out, "--per-class", "2"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("already a project"));
    }

    // `dendrite plot RUN` renders the figure and prints each phase with why it ended.
    void plotPrintsWhyEachPhaseEnded()
    {
        const QString run = m_tmp.filePath("plotted-run");
        QVERIFY(QDir().mkpath(run));
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile f(run + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        write("config.json", R"({"mode": "cc", "started_at": "2026-12-02T10:00:00Z"})");
        QByteArray events;
        auto epoch = [&](int e, char phase, int k, double lr, const char* extra) {
            events +=
                QString(R"({"type":"epoch","epoch":%1,"phase":"%2","dendrites":[%3],"params":%4,)"
                        R"("val_accuracy":0.5,"test_accuracy":0.5,"train_accuracy":0.5,)"
                        R"("train_loss":1,"val_loss":1,"lr":%5,"seconds":0.1%6})"
                        "\n")
                    .arg(e)
                    .arg(QChar(phase))
                    .arg(k)
                    .arg(100 + 60 * k)
                    .arg(lr)
                    .arg(extra)
                    .toUtf8();
        };
        auto sw = [&](int e, const char* kind, int k, const char* reason) {
            events +=
                QString(R"({"type":"switch","epoch":%1,"kind":"%2","dendrites":%3,"params":%4,)"
                        R"("note":"why","reason":"%5"})"
                        "\n")
                    .arg(e)
                    .arg(kind)
                    .arg(k)
                    .arg(100 + 60 * k)
                    .arg(reason)
                    .toUtf8();
        };
        const char* cand = R"(,"candidate_scores":[0.001],"candidate_correlations":[0.02])";
        epoch(1, 'N', 0, 0.005, "");
        epoch(2, 'N', 0, 0.005, "");
        sw(2, "N->P", 0, "n_patience");
        epoch(3, 'P', 0, 0.005, cand);
        epoch(4, 'P', 0, 0.0005, cand);
        sw(4, "added", 1, "");
        sw(4, "P->N", 1, "p_patience");
        epoch(5, 'N', 1, 0.005, "");
        epoch(6, 'N', 1, 0.005, "");
        sw(6, "finished", 1, "max_tries");
        write("events.jsonl", events);
        write("status", "finished\n");
        const QString png = m_tmp.filePath("plotted.png");
        const Run r = dendrite({"plot", run, "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(QFileInfo(png).size() > 10000);
        const QStringList lines = r.out.split('\n');
        auto line = [&](const QString& pattern) {
            const QRegularExpression re(pattern);
            for (const QString& l : lines)
                if (re.match(l).hasMatch())
                    return true;
            return false;
        };
        QVERIFY2(line(QString::fromUtf8("^N  K=0 +1-2 +2 +n_patience +N->P")), qPrintable(r.out));
        QVERIFY2(line(QString::fromUtf8("^P  K=0\u21921 +3-4 +2 +p_patience +added, P->N "
                                        "+0.0005, 0.020 \\(weak\\)")),
                 qPrintable(r.out));
        QVERIFY2(line("^N  K=1 +5-6 +2 +max_tries +finished"), qPrintable(r.out));
    }

    // Ctrl-C (SIGINT, sent by PID) stops an import after the file it is on: exit 4, the clips
    // done so far are listed, nothing is orphaned, and `check` finds the project sound.
    void importStopsOnInterrupt()
    {
        const QString src = m_tmp.filePath("many");
        const int files = 600;
        for (int i = 0; i < files; ++i) {
            QFile f(src + QString("/yes/y%1.wav").arg(i));
            QVERIFY(QDir().mkpath(QFileInfo(f).absolutePath()));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(wav());
        }
        const QString project = m_tmp.filePath("interrupted");
        QProcess p;
        p.start(QStringLiteral(DW_BIN_DIR "/dendrite"), {"import", "--project", project, src});
        QVERIFY(p.waitForStarted(10000));
        // The progress line at 50 files says the import is at work.
        QByteArray err;
        QElapsedTimer t;
        t.start();
        while (!err.contains("importing: 50/") && p.state() == QProcess::Running &&
               t.elapsed() < 120000) {
            p.waitForReadyRead(100);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("importing: 50/"), err.constData());
        QVERIFY(p.state() == QProcess::Running);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 4, qPrintable(out + err));
        QVERIFY2(err.contains("import interrupted"), err.constData());
        QVERIFY2(out.contains("interrupted:"), qPrintable(out));
        const Run check = dendrite({"check", "--project", project, "--json"});
        const QJsonObject j = QJsonDocument::fromJson(check.out.toUtf8()).object();
        QVERIFY2(check.code == 0 && j["ok"].toBool(), qPrintable(check.out + check.err));
        const int clips = j["clips"].toInt();
        QVERIFY2(clips >= 50 && clips < files, qPrintable(QString::number(clips)));
        QCOMPARE(j["clips_decoded"].toInt(), clips);
        QCOMPARE(QDir(project + "/clips/yes").entryList({"*.wav"}, QDir::Files).size(), clips);
    }
};

QTEST_GUILESS_MAIN(TestCliData)
#include "test_cli_data.moc"
