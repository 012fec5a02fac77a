// SPDX-License-Identifier: GPL-3.0-or-later
// The Export page: dw::ui::ExportPage wired to the current project's runs. The export itself
// runs the `dendrite export` command next to this executable (a separate process: LibTorch never
// loads into the GUI's thread, and a crash cannot take the workbench down).
#include "app_context.h"
#include "page_registry.h"

#include "dw/ui/export_page.h"

namespace dw::gui {

namespace {

QWidget* createExportPage(AppContext& ctx)
{
    auto* page = new dw::ui::ExportPage;
    auto sync = [page, &ctx] {
        page->setProjectRoot(ctx.hasProject() ? ctx.project()->root() : std::filesystem::path{});
    };
    sync();
    QObject::connect(&ctx, &AppContext::projectChanged, page, sync);
    return page;
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "export",
                                   .title = QObject::tr("Export"),
                                   .icon = {},
                                   .order = 70,
                                   .create = dw::gui::createExportPage,
                                   .prepareScreenshot = {}})
