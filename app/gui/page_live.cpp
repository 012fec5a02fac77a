// SPDX-License-Identifier: GPL-3.0-or-later
// The Live test page: dw::ui::LivePage driven by LiveController (model + audio on a worker
// thread). Lists the current project's runs; when shown it takes the run selected on the Export
// page (the run the user is about to ship). Input devices are listed the first time the page is
// shown, so starting the app never touches the sound system.
#include "app_context.h"
#include "live_controller.h"
#include "page_registry.h"

#include "dw/ui/export_page.h"
#include "dw/ui/live_page.h"

#include "dw/core/live.h"
#include "dw/core/project.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEvent>
#include <QTableWidget>

#include <algorithm>

namespace dw::gui {

namespace {

class LiveShowWatcher : public QObject
{
public:
    LiveShowWatcher(ui::LivePage* page, LiveController* controller)
        : QObject(page), m_page(page), m_controller(controller)
    {
        page->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* o, QEvent* e) override
    {
        if (o == m_page && e->type() == QEvent::Show && !m_controller->isRunning()) {
            if (!m_devicesListed) {
                m_devicesListed = true;
                m_controller->refreshDevices();
            }
            if (auto* w = m_page->window())
                if (auto* exportPage = w->findChild<ui::ExportPage*>();
                    exportPage && !exportPage->runDir().isEmpty() &&
                    exportPage->runDir() != m_lastExportRun) {
                    m_lastExportRun = exportPage->runDir();
                    m_page->setRunDir(m_lastExportRun);
                }
        }
        return false;
    }

private:
    ui::LivePage* m_page;
    LiveController* m_controller;
    bool m_devicesListed = false;
    QString m_lastExportRun;
};

QWidget* createLivePage(AppContext& ctx)
{
    auto* page = new ui::LivePage;
    auto* controller = new LiveController(page, page);
    controller->setObjectName("dwLiveController");
    new LiveShowWatcher(page, controller);
    auto sync = [page, &ctx] {
        page->setProjectRoot(ctx.hasProject() ? ctx.project()->root() : std::filesystem::path{});
    };
    sync();
    QObject::connect(&ctx, &AppContext::projectChanged, page, sync);
    return page;
}

// `dendrite-workbench --screenshot`: the project's newest run listening to a stream of its
// test-split keyword clips (each after 1.5 s of its noise clips), grabbed after two detections.
void prepareLiveScreenshot(QWidget* w, AppContext& ctx)
{
    auto* page = static_cast<ui::LivePage*>(w);
    auto* controller = page->findChild<LiveController*>("dwLiveController");
    const Project* project = ctx.project();
    if (!controller || !project || page->runDir().isEmpty())
        return;
    std::vector<const Clip*> words, noise;
    for (const auto& c : project->clips()) {
        if (!isKeywordLabel(c.label) && c.label.find("noise") != std::string::npos)
            noise.push_back(&c);
        else if (c.split == Split::Test && isKeywordLabel(c.label) && words.size() < 12)
            words.push_back(&c);
    }
    if (words.empty() || noise.empty())
        return;
    Audio stream;
    size_t n = 0;
    for (const Clip* c : words) {
        for (size_t k = 0; k < 2; ++k) {
            auto a = readWavPcm16(project->clipPath(*noise[n++ % noise.size()]));
            if (a && a->sampleRate == 16000)
                stream.samples.insert(stream.samples.end(), a->samples.begin(),
                                      a->samples.begin() +
                                          long(std::min<size_t>(12000, a->samples.size())));
        }
        auto a = readWavPcm16(project->clipPath(*c));
        if (a && a->sampleRate == 16000)
            stream.samples.insert(stream.samples.end(), a->samples.begin(), a->samples.end());
    }
    const QString file = QDir::temp().filePath("dendrite-live-screenshot.wav");
    if (!writeWavPcm16(file.toStdString(), stream))
        return;
    page->setWavFile(file, false);
    controller->setWavSpeed(4.0);
    controller->start();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000 && page->detectionsTable()->rowCount() < 2 &&
           controller->isRunning())
        QApplication::processEvents(QEventLoop::AllEvents, 20);
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "live",
                                   .title = QObject::tr("Live test"),
                                   .icon = {},
                                   .order = 75,
                                   .create = dw::gui::createLivePage,
                                   .prepareScreenshot = dw::gui::prepareLiveScreenshot})
