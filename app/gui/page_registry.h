// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pages of the main window register themselves, like CLI commands: one file per page in app/gui/
// (e.g. page_record.cpp) with
//
//     DW_REGISTER_PAGE(dw::gui::PageSpec{
//         .id = "record", .title = "Record", .icon = {},  // empty: the drawn icon of the id
//         .create = [](dw::gui::AppContext& ctx) -> QWidget* { ... },
//         .prepareScreenshot = [](QWidget* page, dw::gui::AppContext& ctx) { ... }});
//
// The sidebar order is fixed by standardPageIds(); a standard page nobody registered shows a
// placeholder, other ids are appended in `order`. `create` runs on the GUI thread once per main
// window; the page listens to ctx.projectChanged()/projectModified() itself.
// `prepareScreenshot` (optional) puts the page in an interesting state before
// `dendrite-workbench --screenshot` grabs it (it may run a local event loop to wait).
// dw_gui_app is an OBJECT library so that these registrations are linked in.

#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

namespace dw::gui {

class AppContext;

struct PageSpec {
    QString id;    // stable, lower case: "dataset", "record", ... (screenshot file name)
    QString title; // sidebar text
    QString icon;  // resource path of a PNG; empty: the drawn icon of the id (dw/ui/icons.h)
    int order = 100;
    std::function<QWidget*(AppContext&)> create;
    std::function<void(QWidget*, AppContext&)> prepareScreenshot;
};

// "dataset", "record", "features", "train", "runs", "sweeps", "export".
const std::vector<QString>& standardPageIds();
QString standardPageTitle(const QString& id);

class PageRegistry
{
public:
    static bool add(PageSpec spec);
    static const std::vector<PageSpec>& all();
    static const PageSpec* find(const QString& id);
};

} // namespace dw::gui

#define DW_PAGE_CONCAT2(a, b) a##b
#define DW_PAGE_CONCAT(a, b) DW_PAGE_CONCAT2(a, b)
#define DW_REGISTER_PAGE(...)                                                                     \
    namespace {                                                                                   \
    [[maybe_unused]] const bool DW_PAGE_CONCAT(dwPageRegistered_, __LINE__) =                     \
        ::dw::gui::PageRegistry::add(__VA_ARGS__);                                                \
    }
