// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: pages and placeholders, opening a project (title, counts), errors in the message
// bar, the shared undo stack, screenshots of every page, window state restored, and a smoke test
// of the real executable (`dendrite-workbench --screenshot DIR PROJECT`).
#include "ui_fixture.h"

#include "main_window.h"
#include "page_registry.h"
#include "settings.h"

#include "dw/ui/dataset_page.h"
#include "dw/ui/message_bar.h"

#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QTableWidget>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace dw;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<test::ProjectFixture> m_fx;

    QString iniPath() const { return m_tmp.filePath("settings.ini"); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_fx = std::make_unique<test::ProjectFixture>();
        QVERIFY(m_fx->make());
        m_fx->project.reset(); // the window opens it from disk
    }

    void standardPagesInOrder()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        const QStringList ids = w.pageIds();
        QStringList expected;
        for (const QString& id : gui::standardPageIds())
            expected << id;
        QCOMPARE(ids.mid(0, expected.size()), expected);
        QVERIFY(!w.isPlaceholder("dataset"));
        QVERIFY(!w.isPlaceholder("features"));
        QVERIFY(qobject_cast<ui::DatasetPage*>(w.page("dataset")));
        // Pages nobody registered yet show a placeholder, not a blank.
        for (const QString& id : ids)
            QVERIFY2(w.page(id), qPrintable(id));
    }

    void addPageReplacesPlaceholder()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        const int before = w.pageIds().size();
        auto* label = new QLabel("sweeps here");
        bool prepared = false;
        w.addPage("sweeps", "Sweeps", QIcon(), label,
                  [&prepared](QWidget*, gui::AppContext&) { prepared = true; });
        QCOMPARE(w.pageIds().size(), before);
        QVERIFY(!w.isPlaceholder("sweeps"));
        QCOMPARE(w.page("sweeps"), label);
        w.addPage("extra", "Extra", QIcon(), new QLabel("x"));
        QCOMPARE(w.pageIds().size(), before + 1);
        QVERIFY(w.setCurrentPage("extra"));
        QCOMPARE(w.currentPageId(), QString("extra"));
        auto files = w.renderScreenshots(m_tmp.filePath("shots-one"), "sweeps");
        QVERIFY(files);
        QVERIFY(prepared);
        QCOMPARE(files->size(), 1);
    }

    void opensProjectAndShowsCounts()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        QVERIFY(w.openProject(m_fx->root).ok());
        QVERIFY(w.windowTitle().contains("tiny"));
        auto* page = qobject_cast<ui::DatasetPage*>(w.page("dataset"));
        QCOMPARE(page->visibleClipCount(), 14);
        auto* table = page->countsTable();
        QCOMPARE(table->rowCount(), 4); // 3 labels + total
        QCOMPARE(table->item(3, 3)->text(), QString("14"));
        QVERIFY(settings.recentProjects().front().endsWith("tiny"));
    }

    void badProjectGoesToMessageBar()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        const Status s = w.openProject(m_tmp.filePath("does-not-exist"));
        QVERIFY(!s.ok());
        QVERIFY(!w.messageBar()->isHidden());
        QCOMPARE(w.messageBar()->level(), ui::MessageBar::Level::Error);
        QCOMPARE(w.messageBar()->text(), QString::fromStdString(s.error().message));
        QVERIFY(!w.messageBar()->text().isEmpty());
        QVERIFY(!w.windowTitle().contains("does-not-exist"));
    }

    void deleteUndoThroughSharedStack()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        QVERIFY(w.openProject(m_fx->root).ok());
        auto* page = qobject_cast<ui::DatasetPage*>(w.page("dataset"));
        const QString id = page->visibleClipIds().front();
        QVERIFY(page->selectClip(id));
        QVERIFY(page->deleteCurrent());
        QCOMPARE(page->visibleClipCount(), 13);
        QVERIFY(w.context().undoStack()->canUndo());
        w.context().trigger("undo");
        QCOMPARE(page->visibleClipCount(), 14);
        QVERIFY(w.context().project()->findClip(id.toStdString()));
        // Opening another project clears the history (commands point into the old project).
        QVERIFY(w.openProject(m_fx->root).ok());
        QVERIFY(!w.context().undoStack()->canUndo());
    }

    void screenshotsOfEveryPage()
    {
        gui::Settings settings(iniPath());
        gui::MainWindow w(settings);
        QVERIFY(w.openProject(m_fx->root).ok());
        w.resize(1200, 800);
        w.show();
        auto files = w.renderScreenshots(m_tmp.filePath("shots"));
        QVERIFY2(files, files ? "" : files.error().text().c_str());
        QCOMPARE(files->size(), w.pageIds().size() + 1);
        for (const QString& f : *files) {
            QImage img(f);
            QVERIFY2(!img.isNull(), qPrintable(f));
            QVERIFY(img.width() > 300);
        }
        // The dataset screenshot has a clip selected (waveform drawn).
        auto* page = qobject_cast<ui::DatasetPage*>(w.page("dataset"));
        QVERIFY(!page->currentClipId().isEmpty());
        QVERIFY(!w.renderScreenshots(m_tmp.filePath("shots"), "no-such-page"));
    }

    void windowStateRestored()
    {
        const QString ini = m_tmp.filePath("state.ini");
        {
            gui::Settings settings(ini);
            gui::MainWindow w(settings);
            w.resize(1000, 700);
            w.show();
            QVERIFY(w.setCurrentPage("features"));
            w.close();
        }
        gui::Settings settings(ini);
        QVERIFY(!settings.bytes(gui::options::windowGeometry).isEmpty());
        QCOMPARE(settings.string(gui::options::currentPage), QString("features"));
        gui::MainWindow w(settings);
        w.restoreWindowState();
        QCOMPARE(w.currentPageId(), QString("features"));
    }

    void executableWritesScreenshots()
    {
        const QString exe = QStringLiteral(DW_BIN_DIR) + "/dendrite-workbench";
        QVERIFY2(QFileInfo(exe).isExecutable(),
                 "build the dendrite-workbench target before running this test");
        const QString out = m_tmp.filePath("exe-shots");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(exe, {"--screenshot", out, "--size", "1280x800", m_fx->root});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        for (const char* name : {"dataset.png", "features.png", "main-window.png"}) {
            QImage img(QDir(out).filePath(name));
            QVERIFY2(!img.isNull(), name);
        }
        QCOMPARE(QImage(QDir(out).filePath("main-window.png")).size(), QSize(1280, 800));

        // A missing project is a clear error and a non-zero exit, not a crash.
        QProcess bad;
        bad.setProcessEnvironment(env);
        bad.start(exe, {"--screenshot", out, m_tmp.filePath("nope")});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitStatus(), QProcess::NormalExit);
        QVERIFY(bad.exitCode() != 0);
        QVERIFY(bad.readAllStandardError().contains("error:"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
