// SPDX-License-Identifier: GPL-3.0-or-later
// The Record page inside the main window (app/gui/page_record.cpp): it is a real RecordingPage
// (not a placeholder) that follows the open project's labels, and its screenshot state is a
// session in progress fed by the fake backend with the project's own clips.
#include "ui_fixture.h"

#include "main_window.h"
#include "settings.h"

#include "dw/ui/recording_page.h"
#include "dw/ui/waveform_view.h"

#include <QComboBox>
#include <QImage>
#include <QtTest/QtTest>

using namespace dw;

class TestRecordPageWiring : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void recordPageFollowsTheProjectAndRendersMidSession()
    {
        test::ProjectFixture fx;
        QVERIFY(fx.make());
        fx.project.reset();
        QTemporaryDir tmp;
        gui::Settings settings(tmp.filePath("settings.ini"));
        gui::MainWindow window(settings);
        QVERIFY(!window.isPlaceholder("record"));
        auto* page = qobject_cast<ui::RecordingPage*>(window.page("record"));
        QVERIFY(page);
        QVERIFY(window.openProject(fx.root).ok());
        window.resize(1300, 820);
        window.show();

        const QString dir = tmp.filePath("shots");
        auto written = window.renderScreenshots(dir, "record");
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().text().c_str());
        QCOMPARE(written->size(), 1);
        // Mid-session: recording, the project's first label, audio on the waveform.
        QCOMPARE(page->state(), ui::RecordingPage::State::Recording);
        QCOMPARE(page->label(), QString("yes"));
        QVERIFY(page->recorder().seconds() > 1.0);
        QVERIFY(page->waveform()->pointCount() > 100);
        const QImage shot(written->front());
        QVERIFY(shot.width() >= 600 && shot.height() >= 400);
        page->stopSession(); // the review follows on a later event-loop pass
        QTRY_COMPARE_WITH_TIMEOUT(page->state(), ui::RecordingPage::State::Review, 2000);
        QVERIFY(!page->proposals().empty());
        // Saved clips reach the project (and the rest of the app through projectModified).
        const size_t before = window.context().project()->clips().size();
        QVERIFY(page->saveClips() > 0);
        QVERIFY(window.context().project()->clips().size() > before);
    }
};

QTEST_MAIN(TestRecordPageWiring)
#include "test_record_page_wiring.moc"
