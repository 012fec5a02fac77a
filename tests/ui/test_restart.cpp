// SPDX-License-Identifier: GPL-3.0-or-later
// A simulated restart (issue 9): a first window opens two projects, is resized and moved to the
// Features page, and closes (closeEvent saves its state). A second window on the same settings
// file does what `dendrite-workbench` does at start (reopen the last project, restore the window
// state) and must come back with the same size, page, project and recent-projects list. Its
// screenshot, with File > Recent projects open, is docs/screenshots/restart-restored.png
// (rewritten with DW_UPDATE_SCREENSHOTS=1).
#include "ui_fixture.h"

#include "main_window.h"
#include "settings.h"

#include <QImage>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QtTest/QtTest>

using namespace dw;

class TestRestart : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    test::ProjectFixture m_a, m_b;

    // main.cpp's start-up: the last project (when reopening is on), then the window state.
    static void startUp(gui::MainWindow& w, gui::Settings& settings)
    {
        if (settings.boolean(gui::options::reopenLastProject)) {
            const QString last = settings.string(gui::options::lastProject);
            if (!last.isEmpty())
                QVERIFY(w.openProject(last).ok());
        }
        w.restoreWindowState();
    }

    static QMenu* recentMenu(gui::MainWindow& w)
    {
        for (QMenu* m : w.findChildren<QMenu*>())
            if (m->title().remove('&') == "Recent projects")
                return m;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY(m_a.make());
        QVERIFY(m_b.make());
        m_a.project.reset();
        m_b.project.reset();
    }

    void restartRestoresWindowPageAndProject()
    {
        const QString ini = m_tmp.filePath("restart.ini");
        const QSize size(1180, 760);
        {
            gui::Settings settings(ini);
            gui::MainWindow w(settings);
            w.show();
            QVERIFY(w.openProject(m_b.root).ok());
            QVERIFY(w.openProject(m_a.root).ok()); // the last one: reopened after the restart
            w.resize(size);
            QVERIFY(w.setCurrentPage("features"));
            QTest::qWait(50);
            w.close();
        }

        gui::Settings settings(ini);
        QCOMPARE(settings.recentProjects().size(), 2);
        gui::MainWindow w(settings);
        startUp(w, settings);
        w.show();
        QTest::qWait(50);
        QCOMPARE(w.size(), size);
        QCOMPARE(w.currentPageId(), QString("features"));
        QVERIFY(w.context().project());
        QCOMPARE(
            QDir(QString::fromStdString(w.context().project()->root().string())).canonicalPath(),
            QDir(m_a.root).canonicalPath());
        QVERIFY2(w.windowTitle().contains("tiny"), qPrintable(w.windowTitle()));

        // The recent-projects menu lists both, the reopened one first.
        QMenu* recent = recentMenu(w);
        QVERIFY(recent);
        Q_EMIT recent->aboutToShow();
        QStringList entries;
        for (QAction* a : recent->actions())
            if (!a->isSeparator())
                entries << a->text();
        QVERIFY2(entries.size() >= 2, qPrintable(entries.join(" | ")));
        QCOMPARE(QDir(entries[0]).canonicalPath(), QDir(m_a.root).canonicalPath());
        QCOMPARE(QDir(entries[1]).canonicalPath(), QDir(m_b.root).canonicalPath());

        // The screenshot: the restored window with File > Recent projects open over it.
        QPixmap shot = w.grab();
        QMenu* file = nullptr;
        for (QAction* a : w.menuBar()->actions())
            if (a->menu() && a->text().remove('&') == "File")
                file = a->menu();
        QVERIFY(file);
        const QRect fileItem = w.menuBar()->actionGeometry(file->menuAction());
        const QPoint fileAt = w.menuBar()->mapTo(&w, fileItem.bottomLeft());
        file->setActiveAction(recent->menuAction());
        file->adjustSize();
        const QPixmap filePix = file->grab();
        recent->adjustSize();
        const QPixmap recentPix = recent->grab();
        const QRect recentItem = file->actionGeometry(recent->menuAction());
        {
            QPainter p(&shot);
            p.drawPixmap(fileAt, filePix);
            p.drawPixmap(fileAt + QPoint(filePix.width() - 2, recentItem.top()), recentPix);
        }
        QVERIFY(shot.width() >= size.width());
        const QString out = m_tmp.filePath("restart-restored.png");
        QVERIFY(shot.save(out));
        if (qEnvironmentVariableIsSet("DW_UPDATE_SCREENSHOTS")) {
            const QString doc =
                QStringLiteral(DW_SOURCE_DIR "/docs/screenshots/restart-restored.png");
            QFile::remove(doc);
            QVERIFY(shot.save(doc));
            qInfo("wrote %s", qPrintable(doc));
        }
    }

    void missingLastProjectIsAClearMessage()
    {
        const QString ini = m_tmp.filePath("gone.ini");
        {
            gui::Settings settings(ini);
            settings.setValue(gui::options::lastProject, m_tmp.filePath("deleted-project"));
            settings.sync();
        }
        gui::Settings settings(ini);
        gui::MainWindow w(settings);
        const Status s = w.openProject(settings.string(gui::options::lastProject));
        QVERIFY(!s);
        QVERIFY2(s.error().message.find("does not exist") != std::string::npos,
                 s.error().message.c_str());
        QVERIFY(!s.error().hint.empty());
        w.restoreWindowState(); // still starts, on the default page
        QVERIFY(!w.currentPageId().isEmpty());
    }
};

QTEST_MAIN(TestRestart)
#include "test_restart.moc"
