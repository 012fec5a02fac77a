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

#include <QEvent>

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

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "live",
                                   .title = QObject::tr("Live test"),
                                   .icon = {},
                                   .order = 75,
                                   .create = dw::gui::createLivePage,
                                   .prepareScreenshot = {}})
