// SPDX-License-Identifier: GPL-3.0-or-later
// Fault test that really kills (issue 9): starts `dendrite import`, `dendrite record --fake` and
// `dendrite train` (or `train --resume`) on one project, sends SIGKILL (by PID) at a random moment,
// the moment a job has started working (its first output) plus a random delay, then reopens the
// project the way `dendrite check --repair` does (in this process, so 50 kills stay quick; every
// 10th time through the real `dendrite check --json` too): it must open, every listed clip must
// decode with the length the manifest gives, no clip listed before the kill may be lost, no
// temporary file may be left or listed, every run folder must be readable, and the repairs must
// stick. At the end the killed run is resumed to completion. A simulated full disk (ulimit -f)
// must leave the project as it was with a clear message.
//   DW_KILL_COUNT (kills, default 50), DW_KILL_SEED (default: time; printed for replay).
#include "../support/wav_bytes.h"
#include "dw/core/atomic_file.h"
#include "dw/core/project.h"
#include "dw/core/project_lock.h"
#include "dw/core/run_record.h"

#include <QtCore/QDirIterator>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <csignal>
#include <sys/types.h>

namespace {

const QString kBin = QStringLiteral(DW_BIN_DIR "/dendrite");

// A 16 kHz mono PCM16 WAV: `words` tone bursts of 0.35 s over faint noise, one per second.
QByteArray makeWav(double seconds, int words, double freq, quint32 seed)
{
    const int n = int(seconds * 16000);
    QByteArray pcm(n * 2, '\0');
    QRandomGenerator rng(seed);
    for (int i = 0; i < n; ++i) {
        const double t = i / 16000.0;
        const double inSecond = std::fmod(t, 1.0);
        const int word = int(t);
        double v = (rng.generateDouble() - 0.5) * 60.0; // noise floor
        if (word < words && inSecond > 0.3 && inSecond < 0.65)
            v += 9000.0 * std::sin(2 * M_PI * freq * t) * std::sin(M_PI * (inSecond - 0.3) / 0.35);
        const qint16 s = qint16(std::lround(std::clamp(v, -32767.0, 32767.0)));
        pcm[2 * i] = char(s & 0xff);
        pcm[2 * i + 1] = char((s >> 8) & 0xff);
    }
    return dw::test::wavFileBytes(pcm);
}

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    return dw::test::writeFileBytes(path, bytes);
}

struct Outcome
{
    int exitCode = -1;
    bool killed = false;
    QString out, err;
    qint64 ms = 0;
    qint64 firstOutputMs = 0;
    qint64 workMs() const { return std::max<qint64>(1, ms - firstOutputMs); }
};

// Runs the CLI. With killAfterMs >= 0, sends SIGKILL to its PID that many ms after its first
// output (fromStart: after its start) if it is still running; before the first output the
// process is only loading its libraries and a kill would test nothing.
Outcome runCli(const QStringList& args, int killAfterMs = -1, bool fromStart = false,
               int timeoutMs = 120000, const QString& program = kBin)
{
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    if (killAfterMs >= 0)
        p.setProcessChannelMode(QProcess::MergedChannels);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("OMP_NUM_THREADS", "1");
    p.setProcessEnvironment(env);
    QElapsedTimer t;
    t.start();
    p.start();
    Outcome o;
    if (!p.waitForStarted(10000)) {
        o.err = "could not start " + program;
        return o;
    }
    if (killAfterMs >= 0) {
        bool armed = fromStart;
        if (!fromStart && p.waitForReadyRead(timeoutMs)) {
            o.firstOutputMs = t.elapsed();
            armed = true;
        }
        if (armed && !p.waitForFinished(killAfterMs)) {
            ::kill(pid_t(p.processId()), SIGKILL);
            o.killed = true;
        }
    }
    p.waitForFinished(timeoutMs);
    o.ms = t.elapsed();
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = killAfterMs >= 0 ? o.out : QString::fromUtf8(p.readAllStandardError());
    return o;
}

QStringList temporaries(const QString& dir)
{
    QStringList found;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        if (f.contains(".tmp-dw"))
            found << f;
    }
    return found;
}

// Kill windows are capped: a kill late in a long job tests nothing an early one does not.
constexpr qint64 kMaxWindowMs = 2500;

const QStringList kTrainArgs = {"--mode", "gd",           "--set", "epochs_max=120",
                                "--set",  "n_patience=4", "--set", "p_patience=4",
                                "--set",  "max_tries=50", "--set", "max_dendrites=3",
                                "--set",  "batch_size=8"};

} // namespace

class TestKill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void randomKills_data();
    void randomKills();
    void killedRunResumesToTheEnd();
    void fullDiskLeavesProjectAsItWas();

private:
    // Reopens the project as `dendrite check --repair` does, verifies it, and returns the ids
    // of the clips it lists. viaCli: also through the real `dendrite check --json`.
    QSet<QString> verify(const QString& context, bool viaCli);
    void writeBatch(const QString& dir, int files, quint32 seed);

    QTemporaryDir m_tmp;
    QString m_project, m_fake, m_run;
    QSet<QString> m_clips;
    int m_batch = 0;
    qint64 m_loadMs = 500, m_importMs = 1000, m_trainMs = 1000, m_recordMs = 500;
    int m_kills = 0, m_finished = 0, m_cliChecks = 0, m_iteration = 0;
    quint32 m_seed = 0;
    QRandomGenerator m_rng;
    QElapsedTimer m_total;
    QMap<QString, int> m_killsByKind;
};

void TestKill::writeBatch(const QString& dir, int files, quint32 seed)
{
    for (int k = 0; k < files; ++k)
        QVERIFY(writeBytes(
            QString("%1/%2/b%3_%4.wav").arg(dir, k % 2 ? "no" : "yes").arg(m_batch).arg(k),
            makeWav(1.0, 1, 500 + 37 * k + m_batch, seed + quint32(k))));
    ++m_batch;
}

void TestKill::initTestCase()
{
    QVERIFY2(QFile::exists(kBin), "build the dendrite target first");
    QVERIFY(m_tmp.isValid());
    m_project = m_tmp.filePath("project");
    m_run = m_project + "/runs/killed";
    // 24 clips per label so every split has examples of both labels.
    for (int i = 0; i < 24; ++i) {
        QVERIFY(writeBytes(m_tmp.filePath(QString("seed/yes/yes%1.wav").arg(i)),
                           makeWav(1.0, 1, 600 + 7 * i, quint32(i))));
        QVERIFY(writeBytes(m_tmp.filePath(QString("seed/no/no%1.wav").arg(i)),
                           makeWav(1.0, 1, 1500 + 11 * i, quint32(100 + i))));
    }
    auto o = runCli({"import", "--project", m_project, m_tmp.filePath("seed")});
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    m_fake = m_tmp.filePath("fake.wav");
    QVERIFY(writeBytes(m_fake, makeWav(6.0, 6, 900, 7)));
    m_clips = verify("after the first import", true);
    QCOMPARE(m_clips.size(), 48);

    // Calibrate the kill windows on uninterrupted runs of each job (the clock of record and
    // train starts at their first output; import prints only at the end, so its clock starts
    // at launch and its window opens after the library load time measured on record).
    o = runCli({"record", "--project", m_project, "--label", "yes", "--seconds", "6", "--fake",
                m_fake, "--speed", "20"},
               600000);
    QVERIFY2(o.exitCode == 0 && o.out.contains("saved"), qPrintable(o.out));
    m_loadMs = o.firstOutputMs;
    m_recordMs = std::min<qint64>(o.workMs(), kMaxWindowMs);
    const QString calib = m_tmp.filePath("calib");
    writeBatch(calib, 20, 500);
    o = runCli({"import", "--project", m_project, calib});
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    m_importMs = std::clamp<qint64>(o.ms - m_loadMs, 1, kMaxWindowMs);
    o = runCli(
        QStringList{"train", "--project", m_project, "--out", m_project + "/runs/calibration"} +
            kTrainArgs,
        600000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.out));
    m_trainMs = std::min<qint64>(o.workMs(), kMaxWindowMs);
    m_clips = verify("after the calibration runs", false);
    qInfo("uninterrupted: library load %lld ms, then import of 20 files %lld ms, record of 6 s "
          "at 20x %lld ms, train %lld ms",
          m_loadMs, m_importMs, m_recordMs, m_trainMs);
}

QSet<QString> TestKill::verify(const QString& context, bool viaCli)
{
    QSet<QString> ids;
    {
        // Repairs (stale temporaries removed) need the lock; the killed job's lock is stale.
        auto lock = dw::ProjectLock::acquire(m_project.toStdString());
        if (!lock) {
            QTest::qFail(qPrintable(context + ": cannot take the project lock: " +
                                    QString::fromStdString(lock.error().text())),
                         __FILE__, __LINE__);
            return {};
        }
        auto p = dw::Project::open(m_project.toStdString(), &*lock);
        if (!p) {
            QTest::qFail(qPrintable(context + ": project does not open: " +
                                    QString::fromStdString(p.error().text())),
                         __FILE__, __LINE__);
            return {};
        }
        if (!p->openReport().empty()) {
            auto s = p->save();
            if (!s) {
                QTest::qFail(qPrintable(context + ": cannot save the repairs"), __FILE__, __LINE__);
                return {};
            }
        }
        for (const dw::Clip& c : p->clips()) {
            const QString id = QString::fromStdString(c.id);
            ids.insert(id);
            if (QString::fromStdString(c.path).contains(".tmp-dw")) {
                QTest::qFail(qPrintable(context + ": temporary listed: " + id), __FILE__, __LINE__);
                return {};
            }
            auto a = dw::readWavPcm16(p->clipPath(c));
            if (!a || a->sampleRate != 16000 || int(a->samples.size()) != c.samples) {
                QTest::qFail(qPrintable(context + ": clip " + id + " is corrupt: " +
                                        (a ? QString("%1 samples, manifest %2")
                                                 .arg(a->samples.size())
                                                 .arg(c.samples)
                                           : QString::fromStdString(a.error().text()))),
                             __FILE__, __LINE__);
                return {};
            }
        }
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(p->runsDir(), ec)) {
            if (!e.is_directory())
                continue;
            dw::removeStaleTemporaries(e.path());
            auto r = dw::readRun(e.path());
            if (!r) {
                QTest::qFail(qPrintable(context + ": run unreadable: " +
                                        QString::fromStdString(r.error().text())),
                             __FILE__, __LINE__);
                return {};
            }
        }
    }
    const QStringList left = temporaries(m_project);
    if (!left.isEmpty()) {
        QTest::qFail(qPrintable(context + ": temporaries left: " + left.join(", ")), __FILE__,
                     __LINE__);
        return {};
    }
    auto again = dw::Project::open(m_project.toStdString());
    if (!again || !again->openReport().empty() || int(again->clips().size()) != ids.size()) {
        QTest::qFail(qPrintable(context + ": the repairs did not stick"), __FILE__, __LINE__);
        return {};
    }
    if (viaCli) {
        ++m_cliChecks;
        auto o = runCli({"check", "--project", m_project, "--json"});
        const auto j = QJsonDocument::fromJson(o.out.toUtf8()).object();
        if (o.exitCode != 0 || !j["ok"].toBool() || j["clips"].toInt() != ids.size() ||
            j["clips_decoded"].toInt() != ids.size() || !j["repaired"].toArray().isEmpty()) {
            QTest::qFail(qPrintable(context + ": dendrite check: " + o.out + o.err), __FILE__,
                         __LINE__);
            return {};
        }
        for (const auto& r : j["runs"].toArray())
            if (!r.toObject()["readable"].toBool()) {
                QTest::qFail(qPrintable(context + ": dendrite check: unreadable run"), __FILE__,
                             __LINE__);
                return {};
            }
    }
    return ids;
}

// Rows of 5 kills each (each row has the Qt Test per-function time limit to itself); the
// project, the run and the random sequence carry over from row to row.
void TestKill::randomKills_data()
{
    const int kills = qEnvironmentVariableIntValue("DW_KILL_COUNT") > 0
                          ? qEnvironmentVariableIntValue("DW_KILL_COUNT")
                          : 50;
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("last");
    for (int first = 0; first < kills; first += 5) {
        const int count = std::min(5, kills - first);
        QTest::newRow(qPrintable(QString("kills %1-%2").arg(first + 1).arg(first + count)))
            << first << count << (first + count >= kills);
    }
}

void TestKill::randomKills()
{
    QFETCH(int, first);
    QFETCH(int, count);
    QFETCH(bool, last);
    if (first == 0) {
        m_seed = qEnvironmentVariableIsSet("DW_KILL_SEED")
                     ? quint32(qEnvironmentVariableIntValue("DW_KILL_SEED"))
                     : quint32(QDateTime::currentMSecsSinceEpoch() & 0x7fffffff);
        qInfo("kill seed %u (replay with DW_KILL_SEED=%u)", m_seed, m_seed);
        m_rng.seed(m_seed);
        m_total.start();
    }
    // Each row counts its own kills: a failed row does not fail the ones after it.
    const int target = m_kills + count;
    QRandomGenerator& rng = m_rng;
    // Until this row's kills have happened (a job that finishes before its kill moment counts
    // as an iteration, not a kill). The windows come from uninterrupted runs; a job that
    // finishes before its kill moment shrinks its kind's window to 90 % of the time it took, so
    // on a machine that got faster (or a loaded one that got idle) the kills land in the work
    // again. The bound only catches jobs too quick to kill at all.
    for (int tries = 0; m_kills < target; ++tries, ++m_iteration) {
        QVERIFY2(tries < 8 * count, "the jobs keep finishing before the kill moment");
        const int i = m_iteration;
        const int kind = int(rng.bounded(10)); // 0-3 import, 4-5 record, 6-9 train
        QString what;
        Outcome o;
        if (kind < 4) {
            what = "import";
            const QString src = m_tmp.filePath(QString("batch%1").arg(m_batch));
            writeBatch(src, 20, quint32(i * 100));
            // From launch: somewhere in the work after the library load.
            const int at = int(m_loadMs * 8 / 10 + rng.bounded(quint32(m_importMs * 12 / 10 + 1)));
            o = runCli({"import", "--project", m_project, src}, at, true);
        } else if (kind < 6) {
            what = "record";
            o = runCli({"record", "--project", m_project, "--label", "yes", "--seconds", "6",
                        "--fake", m_fake, "--speed", "20"},
                       int(rng.bounded(quint32(m_recordMs * 11 / 10 + 1))));
        } else {
            const bool resume =
                QFile::exists(m_run + "/latest.pt") && !QFile::exists(m_run + "/summary.json");
            if (!resume)
                QDir(m_run).removeRecursively();
            what = resume ? "train --resume" : "train";
            const QStringList args =
                resume ? QStringList{"train", "--resume", m_run}
                       : QStringList{"train", "--project", m_project, "--out", m_run} + kTrainArgs;
            o = runCli(args, int(rng.bounded(quint32(m_trainMs * 11 / 10 + 1))));
        }
        if (o.killed) {
            ++m_kills;
            ++m_killsByKind[what];
        } else {
            ++m_finished;
            QVERIFY2(o.exitCode == 0, qPrintable(what + " failed without a kill: " + o.err));
            if (kind < 4) {
                // Import's clock starts at launch: the load share shrinks first.
                m_loadMs = std::max<qint64>(1, std::min(m_loadMs, o.ms * 8 / 10));
                m_importMs =
                    std::max<qint64>(1, std::min(m_importMs, (o.ms - m_loadMs * 8 / 10) * 9 / 10));
            } else if (kind < 6) {
                m_recordMs = std::max<qint64>(1, std::min(m_recordMs, o.workMs() * 9 / 10));
            } else {
                m_trainMs = std::max<qint64>(1, std::min(m_trainMs, o.workMs() * 9 / 10));
            }
        }
        const QString context =
            QString("iteration %1 (%2, %3)").arg(i).arg(what, o.killed ? "killed" : "finished");
        const QSet<QString> now = verify(context, i % 10 == 9);
        if (QTest::currentTestFailed())
            return;
        for (const QString& id : std::as_const(m_clips))
            QVERIFY2(now.contains(id), qPrintable(context + ": clip '" + id + "' was lost"));
        m_clips = now;
    }
    QCOMPARE(m_kills, target);
    if (!last)
        return;
    const int iterations = m_iteration;
    QStringList kinds;
    for (auto it = m_killsByKind.cbegin(); it != m_killsByKind.cend(); ++it)
        kinds << QString("%1 %2").arg(it.value()).arg(it.key());
    qInfo("%d iterations in %.1f s: %d killed (%s), %d finished before the kill; %lld clips, "
          "none lost or corrupt; %d runs checked readable; %d `dendrite check` runs agreed",
          iterations, m_total.elapsed() / 1000.0, m_kills, qPrintable(kinds.join(", ")), m_finished,
          qlonglong(m_clips.size()),
          int(QDir(m_project + "/runs").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size()),
          m_cliChecks);
}

void TestKill::killedRunResumesToTheEnd()
{
    if (!QFile::exists(m_run + "/latest.pt") || QFile::exists(m_run + "/summary.json")) {
        // The last run was killed before its first checkpoint, or it finished: make one that
        // is killed mid-way.
        QDir(m_run).removeRecursively();
        auto o = runCli(QStringList{"train", "--project", m_project, "--out", m_run} + kTrainArgs,
                        int(m_trainMs / 2));
        QVERIFY(o.killed);
    }
    QVERIFY2(QFile::exists(m_run + "/latest.pt"), "no checkpoint to resume from");
    QVERIFY(!QFile::exists(m_run + "/summary.json"));
    auto o = runCli({"train", "--resume", m_run, "--quiet"}, -1, false, 300000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
    QVERIFY(QFile::exists(m_run + "/summary.json"));
    auto r = dw::readRun(m_run.toStdString());
    QVERIFY(r);
    QVERIFY(r->summary.has_value());
    QVERIFY(!r->epochs.empty());
    verify("after the resume", true);
}

void TestKill::fullDiskLeavesProjectAsItWas()
{
    const QString src = m_tmp.filePath("fulldisk");
    writeBatch(src, 4, 900);
    QFile manifest(m_project + "/project.json");
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QByteArray before = manifest.readAll();
    manifest.close();
    // A file size limit of 8 KiB (dash counts 512-byte blocks): every clip write fails with
    // EFBIG as on a full disk. SIGXFSZ is ignored so the write returns the error instead of
    // killing the process.
    auto o = runCli({"-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\"", kBin, "import",
                     "--project", m_project, src},
                    -1, false, 60000, "/bin/sh");
    QVERIFY2(o.exitCode != 0, qPrintable("import with a full disk exited 0: " + o.out + o.err));
    QVERIFY2(o.err.contains("error:") && o.err.contains("hint:"), qPrintable(o.err));
    QVERIFY2(o.err.contains("disk space") || o.err.contains("too large"), qPrintable(o.err));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    QCOMPARE(manifest.readAll(), before);
    manifest.close();
    QCOMPARE(verify("after the full disk", true), m_clips);
    qInfo("full disk: %s", qPrintable(o.err.trimmed().replace('\n', " | ")));
}

// Each kill starts a process that loads LibTorch; on a loaded machine a row of kills can outlast
// Qt Test's default 300 s per-function watchdog, so the default here is 900 s per row (ctest's
// TIMEOUT still bounds the whole test).
int main(int argc, char** argv)
{
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "900000");
    QCoreApplication app(argc, argv);
    TestKill test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_kill.moc"
