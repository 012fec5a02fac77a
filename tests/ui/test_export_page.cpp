// SPDX-License-Identifier: GPL-3.0-or-later
// The Export page drives `dendrite export ... --json` and shows its board report. A stand-in
// script plays the command: it records its arguments, prints progress and a JSON result (or
// fails), so the page's process handling is tested without training a model.
#include "dw/ui/export_page.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

class TestExportPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportShowsBoardReport();
    void failedExportSaysSo();
    void missingCliIsReported();
    void asksBeforeReplacingUserFiles();

private:
    QString writeScript(const QString& name, const QString& body);
    QTemporaryDir m_tmp;
};

void TestExportPage::initTestCase()
{
    QVERIFY(m_tmp.isValid());
}

QString TestExportPage::writeScript(const QString& name, const QString& body)
{
    const QString path = m_tmp.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(("#!/bin/sh\n" + body).toUtf8());
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

void TestExportPage::exportShowsBoardReport()
{
    const QString args = m_tmp.filePath("args.txt");
    const QString cli = writeScript(
        "ok.sh", "echo \"$@\" > '" + args +
                     "'\necho 'calibrating int8 on the training split' >&2\n"
                     "cat <<'J'\n{\"torch_test_accuracy\": 0.9, \"exported_test_accuracy\": 0.875,"
                     " \"test_clips\": 40, \"max_probability_difference\": 0.01, \"board\": "
                     "{\"params\": 3859, \"macs\": 12345, \"weight_bytes\": 5000, "
                     "\"flash_bytes\": 20480, \"ram_bytes\": 10240, \"scratch_bytes\": 800, "
                     "\"feature_bytes\": 9000, \"stack_bytes_estimate\": 1536, "
                     "\"arm_measured\": true, \"arm_text\": 20000, \"arm_data\": 480, "
                     "\"arm_bss\": 8000, \"arm_note\": \"measured\"}}\nJ\n");
    QVERIFY(!cli.isEmpty());
    dw::ui::ExportPage page;
    page.setCliPath(cli);
    page.setRunDir("/tmp/project/runs/r1");
    page.setFormat("c-int8");
    page.setOutputDir(m_tmp.filePath("out"));
    page.show();
    QSignalSpy done(&page, &dw::ui::ExportPage::exportFinished);
    auto* exportButton = page.findChild<QPushButton*>();
    QVERIFY(exportButton);
    page.startExport();
    QVERIFY(page.isRunning());
    QVERIFY(done.wait(10000));
    QCOMPARE(done.first().at(0).toBool(), true);
    QVERIFY(!page.isRunning());
    QFile a(args);
    QVERIFY(a.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(a.readAll()).trimmed(),
             "export /tmp/project/runs/r1 --format c-int8 --out " + m_tmp.filePath("out") +
                 " --json");
    const QString report = page.reportText();
    QVERIFY2(report.contains("90.0 %") && report.contains("87.5 %"), qPrintable(report));
    QVERIFY2(report.contains("20.0 kB") && report.contains("10.0 kB"), qPrintable(report));
    QVERIFY2(report.contains("text 20000"), qPrintable(report));
    QVERIFY(!report.contains("(est.)"));
}

void TestExportPage::failedExportSaysSo()
{
    const QString cli = writeScript(
        "fail.sh", "echo \"error: run 'r2' has no checkpoint (best.pt): nothing to export\" >&2\n"
                   "exit 3\n");
    dw::ui::ExportPage page;
    page.setCliPath(cli);
    page.setRunDir("/tmp/project/runs/r2");
    page.setOutputDir(m_tmp.filePath("out2"));
    QSignalSpy done(&page, &dw::ui::ExportPage::exportFinished);
    page.startExport();
    QVERIFY(done.wait(10000));
    QCOMPARE(done.first().at(0).toBool(), false);
    bool sawStatus = false;
    for (auto* l : page.findChildren<QLabel*>())
        sawStatus |= l->text().contains("exit code 3");
    QVERIFY(sawStatus);
    auto* log = page.findChild<QPlainTextEdit*>();
    QVERIFY(log && log->toPlainText().contains("best.pt"));
}

void TestExportPage::missingCliIsReported()
{
    dw::ui::ExportPage page;
    page.setCliPath(m_tmp.filePath("no-such-dendrite"));
    page.setRunDir("/tmp/project/runs/r3");
    page.setOutputDir(m_tmp.filePath("out3"));
    page.startExport();
    QVERIFY(!page.isRunning());
    bool said = false;
    for (auto* l : page.findChildren<QLabel*>())
        said |= l->text().contains("Cannot find the dendrite command");
    QVERIFY(said);
}

// A folder with the user's own main.c (issue 18): the page asks; "No" starts nothing, "Yes"
// passes --force.
void TestExportPage::asksBeforeReplacingUserFiles()
{
    const QString args = m_tmp.filePath("args4.txt");
    const QString cli = writeScript("ok4.sh", "echo \"$@\" > '" + args + "'\necho '{}'\n");
    const QString out = m_tmp.filePath("firmware");
    QVERIFY(QDir().mkpath(out));
    {
        QFile mine(out + "/main.c");
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("int main(void) { return 42; }\n");
    }
    dw::ui::ExportPage page;
    page.setCliPath(cli);
    page.setRunDir("/tmp/project/runs/r4");
    page.setFormat("c");
    page.setOutputDir(out);
    QString asked;
    auto answer = [&asked](QMessageBox::StandardButton button) {
        QTimer::singleShot(100, [&asked, button] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = box->text();
            box->button(button)->click();
        });
    };
    answer(QMessageBox::No);
    page.startExport();
    QVERIFY2(asked.contains("main.c"), qPrintable(asked));
    QVERIFY(!page.isRunning());
    QVERIFY(!QFile::exists(args));
    bool said = false;
    for (auto* l : page.findChildren<QLabel*>())
        said |= l->text().contains("Not exported");
    QVERIFY(said);

    asked.clear();
    answer(QMessageBox::Yes);
    QSignalSpy done(&page, &dw::ui::ExportPage::exportFinished);
    page.startExport();
    QVERIFY(asked.contains("main.c"));
    QVERIFY(done.wait(10000));
    QFile a(args);
    QVERIFY(a.open(QIODevice::ReadOnly));
    QVERIFY2(QString::fromUtf8(a.readAll()).contains("--force"), "Yes did not pass --force");
}

QTEST_MAIN(TestExportPage)
#include "test_export_page.moc"
