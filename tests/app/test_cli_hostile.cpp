// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile input (issue 18), one row per case, through the built `dendrite`: each row asserts the
// message the user sees and that nothing was lost (clips, the user's files, the project still
// opening for every later command).
//   reader beside writer  info/check beside a live lock holder delete nothing; check says in use;
//                         a real import beside looping info/check finishes with all its clips
//   label not UTF-8       import --label $'x\xffy' is refused, the project stays usable
//   file names not UTF-8  a file and a label folder with such names: the file is imported under
//                         a plain id, the folder skipped with a line, nothing aborts
//   FIFO as x.wav         features and import refuse a FIFO at once (they used to hang)
//   folder as x.wav       features says it is a folder, not "not a WAV file"
//   export over user file the user's main.c in --out is kept unless --force; a previous export
//                         is replaced; the exported folder never holds a half export
//   full disk (import)    the disk fills after 3 of 6 clips, or after all clips but before
//                         project.json: the import is undone (no clip file left to be adopted),
//                         project.json byte for byte as before, the next import works
//   repair one value      check --repair with one bad feature value fixes that value only; the
//                         user's MFE / 20-filter settings stay
// Processes the test starts are stopped through their own handles (by PID), never by name.
// DW_TEST_DENDRITE=path runs the rows against another build (e.g. main's, to see them fail).
#include "wav_bytes.h"
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QSysInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include "run_process.h"

namespace {

QString binary()
{
    const QString over = qEnvironmentVariable("DW_TEST_DENDRITE");
    return over.isEmpty() ? QStringLiteral(DW_BIN_DIR "/dendrite") : over;
}

using Run = dw::test::ProcessResult;

Run dendrite(const QStringList& args, int timeoutMs = 120000)
{
    dw::test::ProcessOptions o;
    o.timeoutMs = timeoutMs;
    return dw::test::runProcess(binary(), args, o);
}

// A shell line with `dendrite` as "$0" (for arguments and file names that are not UTF-8, which
// QProcess cannot pass: printf makes the bytes).
Run shell(const QString& script, const QStringList& args = {}, int timeoutMs = 120000)
{
    dw::test::ProcessOptions o;
    o.timeoutMs = timeoutMs;
    return dw::test::runProcess(QStringLiteral("/bin/sh"),
                                QStringList{"-c", script, binary()} + args, o);
}

QByteArray wav(int samples, int seed = 0)
{
    QByteArray pcm(samples * 2, '\0');
    for (int i = 0; i < samples; ++i) {
        const bool loud = i > samples / 3 && i < samples / 2;
        const qint16 v = qint16((i % (30 + seed % 20) < 15 ? 1 : -1) * (loud ? 8000 : 30));
        pcm[2 * i] = char(v & 0xff);
        pcm[2 * i + 1] = char((v >> 8) & 0xff);
    }
    return dw::test::wavFileBytes(pcm);
}

bool put(const QString& path, const QByteArray& bytes)
{
    return dw::test::writeFileBytes(path, bytes);
}

QByteArray slurp(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Clip count of a project through `dendrite info --json`; -1 when info fails.
int clipCount(const QString& project)
{
    const Run r = dendrite({"info", "--project", project, "--json"});
    if (r.code != 0)
        return -1;
    return QJsonDocument::fromJson(r.out.toUtf8()).object()["clips"].toInt(-1);
}

QStringList filesUnder(const QString& dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

} // namespace

class TestCliHostile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_seed;     // 2 labels x 6 clips
    QString m_template; // a sound project of them
    QString m_run;      // a trained run (made by the export row)

    QString freshProject(const QString& name)
    {
        const QString dir = m_tmp.filePath(name);
        QDir(dir).removeRecursively();
        if (QProcess::execute("cp", {"-r", m_template, dir}) != 0)
            return {};
        return dir;
    }

    void readerBesideWriter();
    void labelNotUtf8();
    void fileNamesNotUtf8();
    void fifoAsWav();
    void folderAsWav();
    void exportOverUserFile();
    void importOnFullDisk(bool manifestOnly);
    void repairOneFeatureValue();

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binary()), "build the dendrite target first");
        m_seed = m_tmp.filePath("seed");
        for (int i = 0; i < 6; ++i) {
            QVERIFY(put(QString("%1/yes/y%2.wav").arg(m_seed).arg(i), wav(16000, i)));
            QVERIFY(put(QString("%1/no/n%2.wav").arg(m_seed).arg(i), wav(16000, 7 + i)));
        }
        m_template = m_tmp.filePath("template");
        auto r = dendrite({"import", "--project", m_template, m_seed});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(clipCount(m_template), 12);
    }

    void hostile_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("1 reader beside a writer (info/check during an import)") << "lock";
        QTest::newRow("2a label not UTF-8") << "label";
        QTest::newRow("2b file and folder names not UTF-8") << "names";
        QTest::newRow("3a FIFO named x.wav") << "fifo";
        QTest::newRow("3b folder named x.wav") << "folder";
        QTest::newRow("4 export over a user's file") << "export";
        QTest::newRow("5a disk full after 3 of 6 clips of an import") << "disk-clips";
        QTest::newRow("5b disk full at the import's project.json") << "disk-manifest";
        QTest::newRow("5c check --repair with one bad feature value") << "repair-one";
    }

    void hostile()
    {
        QFETCH(QString, kind);
        if (kind == "lock")
            readerBesideWriter();
        else if (kind == "label")
            labelNotUtf8();
        else if (kind == "names")
            fileNamesNotUtf8();
        else if (kind == "fifo")
            fifoAsWav();
        else if (kind == "folder")
            folderAsWav();
        else if (kind == "export")
            exportOverUserFile();
        else if (kind == "disk-clips")
            importOnFullDisk(false);
        else if (kind == "disk-manifest")
            importOnFullDisk(true);
        else if (kind == "repair-one")
            repairOneFeatureValue();
    }
};

void TestCliHostile::readerBesideWriter()
{
    const QString p = freshProject("p-lock");
    QVERIFY(!p.isEmpty());
    // A writer at work, held by a helper process: its lock, its temporary and a clip it has
    // written but not listed yet (exactly what an import leaves mid-way).
    QProcess holder;
    holder.start("sleep", {"120"});
    QVERIFY(holder.waitForStarted());
    const qint64 pid = holder.processId();
    const QString lockText = QString("%1 %2\n").arg(QSysInfo::machineHostName()).arg(pid);
    QVERIFY(put(p + "/.dendrite.lock", lockText.toUtf8()));
    const QString temp = QString("%1/clips/yes/go_k53.wav.tmp-dw-%2-1f").arg(p).arg(pid);
    QVERIFY(put(temp, wav(4000).left(3000)));
    QVERIFY(put(p + "/clips/yes/imported_now.wav", wav(16000)));
    const QByteArray manifest = slurp(p + "/project.json");

    Run r = dendrite({"info", "--project", p});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(QString("in use by PID %1 (import running?)").arg(pid)),
             qPrintable(r.err));
    r = dendrite({"check", "--project", p});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QString("is in use by PID %1 (import running?)").arg(pid)),
             qPrintable(r.err));
    QVERIFY2(r.err.contains("hint:") && !r.out.contains("problem:"), qPrintable(r.out + r.err));
    r = dendrite({"check", "--project", p, "--repair"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(QString("process %1").arg(pid)), qPrintable(r.err));
    // Nothing the writer owns was touched.
    QVERIFY2(QFile::exists(temp), "a reader deleted the writer's temporary");
    QVERIFY(QFile::exists(p + "/clips/yes/imported_now.wav"));
    QCOMPARE(slurp(p + "/project.json"), manifest);
    QCOMPARE(slurp(p + "/.dendrite.lock"), lockText.toUtf8());

    // The writer is gone: the next writer cleans up (the stale lock taken over).
    holder.kill(); // our own child, by its handle
    holder.waitForFinished();
    r = dendrite({"check", "--project", p, "--repair"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(!QFile::exists(temp));
    QCOMPARE(clipCount(p), 13);

    // The real thing: a long import with info and check in a loop beside it.
    const QString src = m_tmp.filePath("long-src");
    for (int i = 0; i < 800; ++i)
        QVERIFY(put(QString("%1/go/g%2.wav").arg(src).arg(i, 3, 10, QChar('0')), wav(16000, i)));
    QProcess import;
    import.setProcessChannelMode(QProcess::MergedChannels);
    import.start(binary(), {"import", "--project", p, src});
    QVERIFY(import.waitForStarted());
    int readers = 0, inUse = 0;
    QElapsedTimer t;
    t.start();
    while (import.state() != QProcess::NotRunning && t.elapsed() < 120000) {
        r = dendrite({"info", "--project", p});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        r = dendrite({"check", "--project", p});
        if (r.code != 0) {
            // Either in use (the import holds the lock) or, between two steps, nothing wrong.
            QVERIFY2(r.err.contains("in use by PID"), qPrintable(r.out + r.err));
            ++inUse;
        }
        ++readers;
        import.waitForFinished(50);
    }
    if (import.state() != QProcess::NotRunning) {
        import.kill(); // by its handle
        import.waitForFinished();
        QFAIL("the import did not finish in 2 minutes");
    }
    const QString log = QString::fromUtf8(import.readAll());
    QVERIFY2(import.exitStatus() == QProcess::NormalExit && import.exitCode() == 0,
             qPrintable("the import beside the readers failed: " + log));
    qInfo("%d info+check pairs beside the import, %d saw it in use", readers, inUse);
    QVERIFY(readers > 0);
    QCOMPARE(clipCount(p), 13 + 800);
    r = dendrite({"check", "--project", p});
    QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
}

void TestCliHostile::labelNotUtf8()
{
    const QString p = freshProject("p-label");
    QVERIFY(!p.isEmpty());
    const QString a = m_tmp.filePath("a.wav");
    QVERIFY(put(a, wav(16000)));
    Run r =
        shell(R"sh(exec "$0" import --project "$1" --label "$(printf 'x\377y')" "$2")sh", {p, a});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("label 'x\\xFFy' is not valid UTF-8"), qPrintable(r.err));
    QVERIFY2(r.err.contains("hint:"), qPrintable(r.err));
    QVERIFY2(!r.err.contains("internal error"), qPrintable(r.err));
    // Nothing was lost and every later command still works.
    QCOMPARE(clipCount(p), 12);
    r = dendrite({"check", "--project", p});
    QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
    r = dendrite({"import", "--project", p, "--label", "yes", a});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 13);
}

void TestCliHostile::fileNamesNotUtf8()
{
    const QString p = freshProject("p-names");
    QVERIFY(!p.isEmpty());
    const QString src = m_tmp.filePath("names-src");
    QVERIFY(put(src + "/yes/fine.wav", wav(16000, 1)));
    QVERIFY(put(src + "/yes/bad.wav", wav(16000, 2)));
    QVERIFY(put(src + "/no/also_fine.wav", wav(16000, 3)));
    QVERIFY(put(src + "/badlabel/n.wav", wav(16000, 4)));
    // Rename to names whose bytes are not UTF-8 (Latin-1 from an old disk).
    Run r = shell(R"sh(cd "$1" && mv yes/bad.wav "yes/$(printf 'caf\351_\377').wav" &&
                       mv badlabel "$(printf 'n\351in')")sh",
                  {src});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = dendrite({"import", "--project", p, src});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(!r.err.contains("internal error"), qPrintable(r.err));
    // The folder is skipped with a line that names it, escaped; the odd file is imported.
    QVERIFY2(r.out.contains("n\\xE9in") && r.out.contains("is not valid UTF-8"), qPrintable(r.out));
    QVERIFY2(r.out.contains("caf\\xE9_\\xFF.wav"), qPrintable(r.out));
    QVERIFY2(r.out.contains("imported 3 clip(s)"), qPrintable(r.out));
    QCOMPARE(clipCount(p), 15);
    r = dendrite({"check", "--project", p, "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    // project.json is valid UTF-8 and keeps the original name, escaped reversibly.
    const QByteArray manifest = slurp(p + "/project.json");
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(manifest, &err);
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    bool kept = false;
    for (const auto& c : doc.object()["clips"].toArray()) {
        const auto o = c.toObject();
        if (o["source"].toString().endsWith("caf\\xE9_\\xFF.wav")) {
            kept = o["source_escaped"].toBool();
            QVERIFY(o["id"].toString().startsWith("yes_caf"));
        }
    }
    QVERIFY2(kept, manifest.constData());
    // And the next import still works.
    r = dendrite({"import", "--project", p, "--label", "no", src + "/no/also_fine.wav"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 16);
    // (QTemporaryDir cannot name these files to remove them.)
    QCOMPARE(QProcess::execute("rm", {"-rf", src}), 0);
}

void TestCliHostile::fifoAsWav()
{
    const QString p = freshProject("p-fifo");
    QVERIFY(!p.isEmpty());
    const QString fifo = m_tmp.filePath("x.wav");
    QFile::remove(fifo);
    QCOMPARE(QProcess::execute("mkfifo", {fifo}), 0);
    // Short limits: before the fix both waited for a writer forever.
    Run r = dendrite({"features", fifo}, 20000);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("'" + fifo + "' is not a regular file (a FIFO)"), qPrintable(r.err));
    QVERIFY2(r.err.contains("give a WAV file"), qPrintable(r.err));
    r = dendrite({"import", "--project", p, "--label", "yes", fifo}, 20000);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.out.contains("is not a regular file (a FIFO)"), qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 12);
    // A FIFO beside good files in a folder never stops the folder's import.
    const QString src = m_tmp.filePath("fifo-src");
    QVERIFY(put(src + "/yes/good.wav", wav(16000)));
    QCOMPARE(QProcess::execute("mkfifo", {src + "/yes/pipe.wav"}), 0);
    r = dendrite({"import", "--project", p, src}, 20000);
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 13);
}

void TestCliHostile::folderAsWav()
{
    const QString dir = m_tmp.filePath("folder/x.wav");
    QVERIFY(QDir().mkpath(dir));
    Run r = dendrite({"features", dir});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("'" + dir + "' is not a regular file (a folder)"), qPrintable(r.err));
    QVERIFY2(!r.err.contains("not a WAV file"), qPrintable(r.err));
}

void TestCliHostile::exportOverUserFile()
{
    // A small trained run (one epoch is enough for an export); 2 x 30 clips, so the split
    // has validation and test clips.
    const QString src = m_tmp.filePath("export-src");
    for (int i = 0; i < 30; ++i) {
        QVERIFY(put(QString("%1/yes/y%2.wav").arg(src).arg(i), wav(16000, i)));
        QVERIFY(put(QString("%1/no/n%2.wav").arg(src).arg(i), wav(16000, 40 + i)));
    }
    const QString p = m_tmp.filePath("p-export");
    Run r = dendrite({"import", "--project", p, src});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    m_run = p + "/runs/one";
    r = dendrite({"train", "--project", p, "--out", m_run, "--mode", "traditional", "--set",
                  "epochs_max=1", "--quiet"},
                 600000);
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));

    // The user's folder with their own main.c: refused, nothing changed.
    const QString out = m_tmp.filePath("firmware");
    QVERIFY(put(out + "/main.c", "int main(void) { return 42; } /* mine */\n"));
    QVERIFY(put(out + "/notes.txt", "my notes\n"));
    const QStringList before = filesUnder(out);
    r = dendrite({"export", m_run, "--format", "c", "--out", out, "--no-arm"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("already holds 1 file(s) that the export would replace but no "
                            "export wrote") &&
                 r.err.contains(": main.c"),
             qPrintable(r.err));
    QVERIFY2(r.err.contains("--force"), qPrintable(r.err));
    QCOMPARE(slurp(out + "/main.c"), QByteArray("int main(void) { return 42; } /* mine */\n"));
    QCOMPARE(filesUnder(out), before);
    QCOMPARE(QDir(m_tmp.path()).entryList({"firmware.tmp-dw*"}, QDir::AllEntries | QDir::Hidden),
             QStringList());

    // A fresh folder, then the same folder again: a previous export is replaced.
    const QString fresh = m_tmp.filePath("export-c");
    r = dendrite({"export", m_run, "--format", "c", "--out", fresh, "--no-arm"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(QFile::exists(fresh + "/model.h") && QFile::exists(fresh + "/export.json"));
    r = dendrite({"export", m_run, "--format", "c", "--out", fresh, "--no-arm"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    // A full disk (a file size limit) mid-export leaves no half export: a new folder is not
    // created, a previous export is as it was, no staging folder is left behind.
    const QByteArray previous = slurp(fresh + "/export.json");
    const QStringList previousFiles = filesUnder(fresh);
    const QString full =
        R"sh(trap '' XFSZ; ulimit -f 16; exec "$0" export "$1" --format c --out "$2" --no-arm)sh";
    for (const QString& target : {m_tmp.filePath("never"), fresh}) {
        r = shell(full, {m_run, target});
        QVERIFY2(r.code != 0, qPrintable("export with a full disk exited 0: " + r.out + r.err));
        QVERIFY2(r.err.contains("cannot write the export into '" + target + "'") &&
                     r.err.contains("the folder was not changed"),
                 qPrintable(r.err));
    }
    QVERIFY(!QFileInfo::exists(m_tmp.filePath("never")));
    QCOMPARE(filesUnder(fresh), previousFiles);
    QCOMPARE(slurp(fresh + "/export.json"), previous);
    QCOMPARE(QDir(m_tmp.path()).entryList({"*.tmp-dw*"}, QDir::AllEntries | QDir::Hidden),
             QStringList());

    // A file of the export the user changed since is theirs now.
    QVERIFY(put(fresh + "/main.c", "/* edited by hand */\n"));
    r = dendrite({"export", m_run, "--format", "c", "--out", fresh, "--no-arm"});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(": main.c"), qPrintable(r.err));
    QCOMPARE(slurp(fresh + "/main.c"), QByteArray("/* edited by hand */\n"));

    // --force replaces the colliding file and keeps the user's other files.
    r = dendrite({"export", m_run, "--format", "c", "--out", out, "--no-arm", "--force"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(slurp(out + "/notes.txt"), QByteArray("my notes\n"));
    QVERIFY(QFile::exists(out + "/model.h"));

    // live --wav on a FIFO (it needs a model, so it is checked here).
    const QString fifo = m_tmp.filePath("live.wav");
    QFile::remove(fifo);
    QCOMPARE(QProcess::execute("mkfifo", {fifo}), 0);
    r = dendrite({"live", m_run, "--wav", fifo}, 30000);
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("is not a regular file (a FIFO)"), qPrintable(r.err));
}

void TestCliHostile::importOnFullDisk(bool manifestOnly)
{
    const QString p = freshProject(manifestOnly ? "p-full-manifest" : "p-full-clips");
    QVERIFY(!p.isEmpty());
    const QString src = m_tmp.filePath("full-src");
    for (int i = 0; i < 6; ++i)
        QVERIFY(put(QString("%1/maybe/m%2.wav").arg(src).arg(i), wav(16000, 20 + i)));
    const QByteArray manifest = slurp(p + "/project.json");
    const QStringList files = filesUnder(p);
    // A clip is a 16,000-sample WAV (32,044 bytes): room for 3 clips and a half, or for all 6
    // clips but not the manifest after them.
    const qint64 room = manifestOnly ? 6 * 32044 + 100 : 3 * 32044 + 16000;
    dw::test::ProcessOptions o;
    o.environment.insert("LD_PRELOAD", DW_DISK_FULL_LIB);
    o.environment.insert("DW_TEST_DISK_BYTES", QString::number(room));
    Run r = dw::test::runProcess(binary(), {"import", "--project", p, src}, o);
    QVERIFY2(r.code != 0, qPrintable("an import on a full disk exited 0: " + r.out + r.err));
    QVERIFY2(r.err.contains("No space left on device"), qPrintable(r.err));
    QVERIFY2(r.err.contains("the import was undone"), qPrintable(r.err));
    QVERIFY2(r.err.contains("free some disk space"), qPrintable(r.err));
    if (!manifestOnly)
        QVERIFY2(r.err.contains("3 clip file(s) it had written were removed"), qPrintable(r.err));
    // As it was: the manifest byte for byte, no clip file or temporary left for a later command
    // to adopt, and the project opens with its 12 clips.
    QCOMPARE(slurp(p + "/project.json"), manifest);
    QCOMPARE(filesUnder(p), files);
    QCOMPARE(clipCount(p), 12);
    r = dendrite({"check", "--project", p});
    QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
    // With the space back, the same import works.
    r = dendrite({"import", "--project", p, src});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 18);
}

void TestCliHostile::repairOneFeatureValue()
{
    const QString p = freshProject("p-repair-one");
    QVERIFY(!p.isEmpty());
    // The user's setup: MFE with 20 filters and a 25 ms stride; then one value goes bad.
    QJsonObject root = QJsonDocument::fromJson(slurp(p + "/project.json")).object();
    QJsonObject features = root["features"].toObject();
    features["kind"] = "mfe";
    features["num_filters"] = 20;
    features["frame_stride"] = 0.025;
    features["fft_length"] = -7;
    root["features"] = features;
    QVERIFY(put(p + "/project.json", QJsonDocument(root).toJson()));
    Run r = dendrite({"check", "--project", p});
    QVERIFY2(r.code != 0, qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("fft_length"), qPrintable(r.out + r.err));
    r = dendrite({"check", "--project", p, "--repair"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const QJsonObject after =
        QJsonDocument::fromJson(slurp(p + "/project.json")).object()["features"].toObject();
    QCOMPARE(after["kind"].toString(), QString("mfe"));
    QCOMPARE(after["num_filters"].toInt(), 20);
    QCOMPARE(after["frame_stride"].toDouble(), 0.025);
    QCOMPARE(after["fft_length"].toInt(), 256); // only the bad one is back at its default
    r = dendrite({"check", "--project", p});
    QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
    QCOMPARE(clipCount(p), 12);
}

QTEST_GUILESS_MAIN(TestCliHostile)
#include "test_cli_hostile.moc"
