// SPDX-License-Identifier: GPL-3.0-or-later
// `dendrite check --project DIR [--repair] [--json]`: one damaged project per row. Safe damage
// (an orphan clip, a stale temporary, a listed clip whose file is gone) is reported with exit 3,
// repaired with --repair (exit 0) and gone on the next check; damage that cannot be repaired
// safely (a truncated clip, an unreadable run, a broken project.json) stays exit 3 with a message
// that names the file and says what to do.
#include "wav_bytes.h"
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include "run_process.h"

namespace {

const QString kBin = QStringLiteral(DW_BIN_DIR "/dendrite");

using Run = dw::test::ProcessResult;

Run dendrite(const QStringList& args)
{
    return dw::test::runDendrite(args);
}

QByteArray wav(int samples)
{
    QByteArray pcm(samples * 2, '\0');
    for (int i = 0; i < samples; ++i) {
        const qint16 v =
            qint16((i % 40 < 20 ? 1 : -1) * ((i > samples / 3 && i < samples / 2) ? 8000 : 30));
        pcm[2 * i] = char(v & 0xff);
        pcm[2 * i + 1] = char((v >> 8) & 0xff);
    }
    return dw::test::wavFileBytes(pcm);
}

bool put(const QString& path, const QByteArray& bytes)
{
    return dw::test::writeFileBytes(path, bytes);
}

} // namespace

class TestCliCheck : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_template;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kBin), "build the dendrite target first");
        for (int i = 0; i < 4; ++i) {
            QVERIFY(put(m_tmp.filePath(QString("src/yes/y%1.wav").arg(i)), wav(16000)));
            QVERIFY(put(m_tmp.filePath(QString("src/no/n%1.wav").arg(i)), wav(16000)));
        }
        m_template = m_tmp.filePath("template");
        auto r = dendrite({"import", "--project", m_template, m_tmp.filePath("src")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = dendrite({"check", "--project", m_template});
        QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
    }

    void damage_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<bool>("repairable");
        QTest::addColumn<QString>("message");
        QTest::newRow("orphan clip") << "orphan" << true << "was not listed";
        QTest::newRow("stale temporary") << "temporary" << true << "stale temporary";
        QTest::newRow("listed clip missing") << "missing" << true << "is missing";
        QTest::newRow("truncated clip") << "truncated" << false << "yes/";
        QTest::newRow("unreadable run") << "run" << false << "unreadable";
        // A run whose config and log read fine but whose checkpoint cannot be loaded.
        QTest::newRow("empty best.pt") << "ckpt-empty" << false << "is empty";
        QTest::newRow("truncated best.pt") << "ckpt-cut" << false << "ends early";
        QTest::newRow("random best.pt") << "ckpt-random" << false << "not a LibTorch archive";
        QTest::newRow("best.pt with one byte overwritten")
            << "ckpt-flip" << false << "do not match their checksum";
        QTest::newRow("broken project.json") << "manifest" << false << "project.json";
        // Manifest values out of range are named (issue 18, case 7).
        QTest::newRow("split 150 %") << "split" << true << "split.validation_percent is 150";
        QTest::newRow("version 1e20") << "version" << false << "version is 1e+20";
        QTest::newRow("counter overflow") << "serial" << true << "next_serial is";
        QTest::newRow("clip path outside") << "outside" << true << "points outside the project";
        QTest::newRow("negative samples") << "samples" << true << "samples was out of range";
    }

    void damage()
    {
        QFETCH(QString, damage);
        QFETCH(bool, repairable);
        QFETCH(QString, message);
        const QString dir = m_tmp.filePath("p-" + damage);
        QVERIFY(QDir(dir).removeRecursively() || !QDir(dir).exists());
        QVERIFY(QProcess::execute("cp", {"-r", m_template, dir}) == 0);
        const QStringList yes = QDir(dir + "/clips/yes").entryList({"*.wav"}, QDir::Files);
        QVERIFY(!yes.isEmpty());
        if (damage == "orphan") {
            QVERIFY(put(dir + "/clips/yes/copied_by_hand.wav", wav(16000)));
        } else if (damage == "temporary") {
            QVERIFY(put(dir + "/clips/yes/" + yes[0] + ".tmp-dw1234", wav(4000).left(3000)));
        } else if (damage == "missing") {
            QVERIFY(QFile::remove(dir + "/clips/yes/" + yes[0]));
        } else if (damage == "truncated") {
            QFile f(dir + "/clips/yes/" + yes[0]);
            QVERIFY(f.resize(1000));
        } else if (damage == "run") {
            QVERIFY(put(dir + "/runs/broken/config.json", "{\"model\": 12"));
        } else if (damage.startsWith("ckpt-")) {
            // A checkpoint shaped as LibTorch writes it (a zip of stored entries: the pickle and
            // the tensors' bytes), made by Python's zipfile, then cut or replaced as named.
            const QString whole = m_tmp.filePath("whole-" + damage + ".pt");
            QCOMPARE(
                QProcess::execute(
                    "python3", {"-c",
                                "import sys, zipfile\n"
                                "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:\n"
                                "    z.writestr('archive/data.pkl', b'\\x80\\x02}q\\x00.')\n"
                                "    z.writestr('archive/data/0', bytes(range(256)) * 16)\n"
                                "    z.writestr('archive/version', b'3\\n')\n",
                                whole}),
                0);
            QFile wf(whole);
            QVERIFY(wf.open(QIODevice::ReadOnly));
            const QByteArray zip = wf.readAll();
            QVERIFY(put(dir + "/runs/r1/config.json", "{\"mode\": \"cc\"}"));
            QVERIFY(put(dir + "/runs/r1/events.jsonl", ""));
            QByteArray bad = damage == "ckpt-empty" ? QByteArray()
                             : damage == "ckpt-cut" ? zip.left(zip.size() - 30)
                                                    : QByteArray(300, '\x5a');
            if (damage == "ckpt-flip") { // one byte of a tensor overwritten
                bad = zip;
                const qsizetype at = zip.indexOf(QByteArray("\x10\x11\x12\x13", 4), 100);
                QVERIFY(at > 0);
                bad[at] = '\x7f';
            }
            QVERIFY(put(dir + "/runs/r1/best.pt", bad));
            QVERIFY(put(dir + "/runs/r1/latest.pt", zip)); // a whole one passes
        } else if (damage == "manifest") {
            QFile f(dir + "/project.json");
            QVERIFY(f.resize(f.size() / 2));
        } else if (damage == "split" || damage == "version" || damage == "serial" ||
                   damage == "outside" || damage == "samples") {
            QFile f(dir + "/project.json");
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            if (damage == "split") {
                QJsonObject split = j["split"].toObject();
                split["validation_percent"] = 150;
                j["split"] = split;
            } else if (damage == "version") {
                j["version"] = 1e20;
            } else if (damage == "serial") {
                j["next_serial"] = 99999999999999.0;
            } else {
                QJsonArray clips = j["clips"].toArray();
                QJsonObject c = clips[0].toObject();
                if (damage == "outside")
                    c["path"] = "../elsewhere/x.wav";
                else
                    c["samples"] = -5;
                clips[0] = c;
                j["clips"] = clips;
            }
            QVERIFY(put(dir + "/project.json", QJsonDocument(j).toJson()));
        }

        auto r = dendrite({"check", "--project", dir});
        QCOMPARE(r.code, 3);
        QVERIFY2((r.out + r.err).contains(message), qPrintable(r.out + r.err));
        QVERIFY2(r.err.contains("error:") && r.err.contains("hint:"), qPrintable(r.err));

        r = dendrite({"check", "--project", dir, "--repair", "--json"});
        if (!repairable) {
            QCOMPARE(r.code, 3);
            QVERIFY2(r.err.contains("hint:"), qPrintable(r.err));
            return;
        }
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(j["ok"].toBool(), qPrintable(r.out));
        // (The plain check above changed nothing, a stale temporary included: only --repair,
        // holding the project lock, removes it.)
        QVERIFY(!j["repaired"].toArray().isEmpty());
        // The repair was saved: the next check finds nothing.
        r = dendrite({"check", "--project", dir});
        QVERIFY2(r.code == 0 && r.out.contains("project is sound"), qPrintable(r.out + r.err));
    }

    void badCommandLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("no project") << QStringList{"check"} << 2 << "--project";
        QTest::newRow("unknown option")
            << QStringList{"check", "--project", "x", "--fix"} << 2 << "fix";
        QTest::newRow("not a folder")
            << QStringList{"check", "--project", "/nonexistent/p"} << 3 << "does not exist";
    }

    void badCommandLine()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        auto r = dendrite(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message) && r.err.contains("hint:"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliCheck)
#include "test_cli_check.moc"
