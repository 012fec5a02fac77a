// SPDX-License-Identifier: GPL-3.0-or-later
// The Sweeps page: dw::ui::SweepPage wired to the current project; it starts with the paper's
// sweep file and a sweep folder inside the project. Clicking a point opens the run's folder.
#include "app_context.h"
#include "page_registry.h"

#include "dw/ui/sweep_page.h"

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QUrl>

namespace dw::gui {

namespace {

QString paperSweepFile()
{
    // Installed (<prefix>/share/dendrite/sweeps), or the source tree when run from <src>/build*/bin.
    const QDir bin(QCoreApplication::applicationDirPath());
    for (const QString& p : {bin.filePath("../share/dendrite/sweeps/paper.json"),
                             bin.filePath("../../resources/sweeps/paper.json")})
        if (QFileInfo::exists(p))
            return p;
    return {};
}

QWidget* createSweepsPage(AppContext& ctx)
{
    auto* page = new dw::ui::SweepPage;
    auto sync = [page, &ctx] {
        if (ctx.hasProject())
            page->setProject(QString::fromStdString(ctx.project()->root().string()));
    };
    sync();
    if (const QString f = paperSweepFile(); !f.isEmpty())
        page->loadSweepFile(f);
    QObject::connect(&ctx, &AppContext::projectChanged, page, sync);
    QObject::connect(page, &dw::ui::SweepPage::runActivated, page, [](const QString& run) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(run));
    });
    return page;
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "sweeps",
                                   .title = QObject::tr("Sweeps"),
                                   .icon = {},
                                   .order = 60,
                                   .create = dw::gui::createSweepsPage,
                                   .prepareScreenshot = {}})
