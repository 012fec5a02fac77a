// SPDX-License-Identifier: GPL-3.0-or-later
// Closing the main window while a run trains: the window asks; "No" keeps the window and the
// run; "Yes" stops the run cleanly (status "stopped", best checkpoint kept, resumable) and the
// window closes. Driven through the real MainWindow and its Train page on a tiny tone project.
#include "main_window.h"
#include "tone_project.h"
#include "settings.h"

#include "dw/core/project.h"
#include "dw/core/run_record.h"
#include "dw/ui/knob_form.h"
#include "dw/ui/run_plots.h"
#include "dw/ui/training_page.h"

#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace dw;

class TestTrainingClose : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void closeDuringRunAsksThenStopsKeepingBest()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::filesystem::path root = tmp.filePath("tones").toStdString();
        const auto made = test::makeProject(root, 2, 24);
        QVERIFY2(made.ok(), made.ok() ? "" : made.error().text().c_str());

        gui::Settings settings(tmp.filePath("settings.ini"));
        gui::MainWindow window(settings);
        QVERIFY(window.openProject(QString::fromStdString(root.string())).ok());
        window.resize(1300, 850);
        window.show();
        QVERIFY(window.setCurrentPage("train"));
        auto* page = qobject_cast<ui::TrainingPage*>(window.page("train"));
        QVERIFY(page);
        const std::pair<const char*, const char*> knobs[] = {
            {"model", "custom"}, {"conv_layers", "1"}, {"linear_layers", "1"},
            {"width", "0.25"},   {"mode", "cc"},       {"n_patience", "50"},
            {"epochs_max", "300"}, {"batch_size", "8"}, {"threads", "1"}};
        for (const auto& [k, v] : knobs)
            QVERIFY2(page->knobForm()->setValue(k, v), k);
        QTest::mouseClick(page->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->plots()->epochCount() >= 2 || !page->isBusy(), 60000);
        QVERIFY2(page->isBusy(), qPrintable(page->messageText()));

        int asked = 0;
        bool answer = false;
        page->setConfirmHook([&](const QString&, const QString& text) {
            ++asked;
            return text.contains("best checkpoint") && answer;
        });
        // "No": the window stays open and the run goes on.
        QVERIFY(!window.close());
        QCOMPARE(asked, 1);
        QVERIFY(window.isVisible());
        QVERIFY(page->isBusy());
        const int before = page->plots()->epochCount();
        QTRY_VERIFY_WITH_TIMEOUT(page->plots()->epochCount() > before, 30000);

        // "Yes": stops (between batches), waits for the worker, then closes.
        answer = true;
        QVERIFY(window.close());
        QCOMPARE(asked, 2);
        QVERIFY(!window.isVisible());
        QVERIFY(!page->isBusy());
        const std::filesystem::path runDir = page->currentRunDir();
        QVERIFY(!runDir.empty());
        auto rec = readRun(runDir);
        QVERIFY2(rec.ok(), rec.ok() ? "" : rec.error().text().c_str());
        QCOMPARE(QString::fromStdString(rec->status), QString("stopped"));
        QVERIFY(std::filesystem::exists(runDir / "best.pt"));
        QVERIFY(std::filesystem::exists(runDir / "latest.pt"));
        QVERIFY(page->resumeButton()->isEnabled());
    }

    void closeWhenIdleDoesNotAsk()
    {
        QTemporaryDir tmp;
        gui::Settings settings(tmp.filePath("settings.ini"));
        gui::MainWindow window(settings);
        window.show();
        QVERIFY(window.setCurrentPage("train"));
        auto* page = qobject_cast<ui::TrainingPage*>(window.page("train"));
        QVERIFY(page);
        int asked = 0;
        page->setConfirmHook([&](const QString&, const QString&) { return ++asked, false; });
        QVERIFY(window.close());
        QCOMPARE(asked, 0);
    }
};

QTEST_MAIN(TestTrainingClose)
#include "test_training_close.moc"
