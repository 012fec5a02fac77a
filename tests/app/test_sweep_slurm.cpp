// SPDX-License-Identifier: GPL-3.0-or-later
// A real single-node Slurm (munged + slurmctld + slurmd, all private to this test: own socket,
// ports, spool and state under a temp dir) runs a small job array through
// packaging/cluster/sweep.sbatch; then the rows are merged. The daemons are stopped by PID.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "run_process.h"

#include <unistd.h>

namespace {
const QString kBin = QStringLiteral(DW_BIN_DIR "/dendrite");

using Run = dw::test::ProcessResult;

Run run(const QString& program, const QStringList& args, const QProcessEnvironment& env,
        int timeoutMs = 60000)
{
    dw::test::ProcessOptions o;
    o.timeoutMs = timeoutMs;
    o.environment = env;
    return dw::test::runProcess(program, args, o);
}

bool writeText(const QString& path, const QString& text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(text.toUtf8());
    return true;
}
} // namespace

class TestSweepSlurm : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QProcessEnvironment m_env = QProcessEnvironment::systemEnvironment();
    QProcess m_munged, m_ctld, m_slurmd;
    QString m_conf;

    void stopDaemons()
    {
        // By PID (QProcess owns them): SIGTERM, then SIGKILL if one does not go.
        for (QProcess* p : {&m_slurmd, &m_ctld, &m_munged}) {
            if (p->state() == QProcess::NotRunning)
                continue;
            p->terminate();
            if (!p->waitForFinished(10000)) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        for (const char* exe : {"munged", "slurmctld", "slurmd", "sbatch", "sinfo"})
            if (QStandardPaths::findExecutable(exe, {"/usr/sbin", "/usr/bin", "/sbin"}).isEmpty())
                QSKIP(qPrintable(QString("%1 not found: apt-get install --no-install-recommends "
                                         "slurm-wlm munge")
                                     .arg(exe)));
        if (::geteuid() != 0)
            QSKIP("a private slurmd needs root (it runs jobs as the submitting user)");
        QVERIFY(QFile::exists(kBin));
        const QString t = m_tmp.path();
        for (const char* d : {"munge", "spool", "state", "log"})
            QVERIFY(QDir(t).mkpath(d));

        // munge: a private key and socket, so a system munged (if any) is not disturbed.
        const QString key = t + "/munge/munge.key";
        auto mk = run("mungekey", {"--create", "--keyfile", key}, m_env);
        if (mk.code != 0) { // older munge: 32 random bytes are a valid key
            QFile k(key), r("/dev/urandom");
            QVERIFY(k.open(QIODevice::WriteOnly) && r.open(QIODevice::ReadOnly));
            k.write(r.read(1024));
        }
        QFile::setPermissions(key, QFile::ReadOwner | QFile::WriteOwner);
        const QString sock = t + "/munge/munge.socket";
        m_munged.setProcessChannelMode(QProcess::MergedChannels);
        m_munged.start(QStandardPaths::findExecutable("munged", {"/usr/sbin", "/usr/bin"}),
                       {"--foreground", "--force", "--key-file", key, "--socket", sock,
                        "--pid-file", t + "/munge/munged.pid", "--log-file", t + "/log/munged.log",
                        "--seed-file", t + "/munge/munged.seed"});
        QVERIFY(m_munged.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(sock), 10000);

        // slurm.conf (environment.md recipe), ports derived from our PID to avoid clashes.
        auto host = run("hostname", {"-s"}, m_env);
        const QString node = host.out.trimmed();
        QVERIFY(!node.isEmpty());
        const int base = 20000 + int(::getpid() % 20000);
        m_conf = t + "/slurm.conf";
        const QString conf =
            QString("ClusterName=dwtest\nSlurmctldHost=%1\nSlurmctldPort=%2\nSlurmdPort=%3\n"
                    "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=%4\n"
                    "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                    "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
                    "SlurmUser=root\nSlurmdUser=root\nMpiDefault=none\n"
                    "StateSaveLocation=%5/state\nSlurmdSpoolDir=%5/spool\n"
                    "SlurmctldPidFile=%5/slurmctld.pid\nSlurmdPidFile=%5/slurmd.pid\n"
                    "SlurmctldLogFile=%5/log/slurmctld.log\nSlurmdLogFile=%5/log/slurmd.log\n"
                    "JobAcctGatherType=jobacct_gather/none\n"
                    "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\n"
                    "ReturnToService=2\nSchedulerType=sched/builtin\n"
                    "NodeName=%1 CPUs=%6 RealMemory=20000 State=UNKNOWN\n"
                    "PartitionName=debug Nodes=%1 Default=YES MaxTime=INFINITE State=UP\n")
                .arg(node)
                .arg(base)
                .arg(base + 1)
                .arg(sock, t)
                .arg(QThread::idealThreadCount());
        QVERIFY(writeText(m_conf, conf));
        m_env.insert("SLURM_CONF", m_conf);
        for (QProcess* p : {&m_ctld, &m_slurmd}) {
            p->setProcessEnvironment(m_env);
            p->setProcessChannelMode(QProcess::MergedChannels);
        }
        m_ctld.start(QStandardPaths::findExecutable("slurmctld", {"/usr/sbin"}),
                     {"-D", "-i", "-f", m_conf});
        QVERIFY(m_ctld.waitForStarted(5000));
        QThread::msleep(1000);
        m_slurmd.start(QStandardPaths::findExecutable("slurmd", {"/usr/sbin"}),
                       {"-D", "-f", m_conf});
        QVERIFY(m_slurmd.waitForStarted(5000));
        QString state;
        for (int i = 0; i < 60; ++i) {
            state = run("sinfo", {"-h", "-o", "%t"}, m_env, 10000).out.trimmed();
            if (state == "idle")
                break;
            QThread::msleep(500);
        }
        if (state != "idle") {
            QFile log(t + "/log/slurmctld.log");
            log.open(QIODevice::ReadOnly);
            stopDaemons();
            QFAIL(qPrintable("the node never became idle (sinfo: '" + state + "')\n" +
                             QString::fromUtf8(log.readAll().right(2000)) +
                             QString::fromUtf8(m_slurmd.readAll().right(1000))));
        }
    }

    void jobArrayThroughSbatchThenMerge()
    {
        const QString t = m_tmp.path();
        const QString project = t + "/proj";
        auto d = run(kBin, {"demo-data", "--out", project, "--seed", "2", "--per-class", "6",
                            "--jobs", "2"},
                     m_env, 240000);
        QVERIFY2(d.code == 0, qPrintable(d.out + d.err));
        const QString out = t + "/sweep";
        QProcessEnvironment env = m_env;
        env.insert("SWEEP", QString(DW_SOURCE_DIR) + "/resources/sweeps/small.json");
        env.insert("PROJECT", project);
        env.insert("OUT", out);
        env.insert("DENDRITE", kBin);
        auto sb = run("sbatch",
                      {"--wait", "--array=0-2", "--output=" + t + "/log/task-%A_%a.out",
                       QString(DW_SOURCE_DIR) + "/packaging/cluster/sweep.sbatch"},
                      env, 600000);
        QString logs;
        for (const QString& f : QDir(t + "/log").entryList({"task-*.out"})) {
            QFile lf(t + "/log/" + f);
            lf.open(QIODevice::ReadOnly);
            logs += f + ":\n" + QString::fromUtf8(lf.readAll()) + "\n";
        }
        QVERIFY2(sb.code == 0, qPrintable(sb.out + sb.err + logs));
        QVERIFY2(sb.out.contains("Submitted batch job"), qPrintable(sb.out));

        auto m = run(kBin, {"sweep", "merge", out}, m_env);
        QVERIFY2(m.code == 0, qPrintable(m.out + m.err));
        QFile csv(out + "/results.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        // header + baseline (run by the array's first task) + trials 0, 1, 2
        QCOMPARE(lines.size(), 5);
        QVERIFY(lines[1].startsWith("baseline,"));
        QVERIFY(lines[2].startsWith("000000,"));
        QVERIFY(lines[4].startsWith("000002,"));
        for (int i = 1; i < lines.size(); ++i)
            QVERIFY2(lines[i].contains(",finished,"), qPrintable(lines[i]));
        auto s = run(kBin, {"sweep", "status", out}, m_env);
        QVERIFY2(s.out.contains("finished 3") && s.out.contains("pending 3"), qPrintable(s.out));
    }

    void cleanupTestCase() { stopDaemons(); }
};

QTEST_GUILESS_MAIN(TestSweepSlurm)
#include "test_sweep_slurm.moc"
