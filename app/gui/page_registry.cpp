// SPDX-License-Identifier: GPL-3.0-or-later
#include "page_registry.h"

#include <QCoreApplication>

#include <algorithm>

namespace dw::gui {

namespace {
std::vector<PageSpec>& registry()
{
    static std::vector<PageSpec> pages;
    return pages;
}
} // namespace

const std::vector<QString>& standardPageIds()
{
    static const std::vector<QString> ids = {"dataset", "record", "features", "train",
                                             "runs",    "sweeps", "export"};
    return ids;
}

QString standardPageTitle(const QString& id)
{
    if (id == "dataset")
        return QCoreApplication::translate("dw::gui", "Dataset");
    if (id == "record")
        return QCoreApplication::translate("dw::gui", "Record");
    if (id == "features")
        return QCoreApplication::translate("dw::gui", "Features");
    if (id == "train")
        return QCoreApplication::translate("dw::gui", "Train");
    if (id == "runs")
        return QCoreApplication::translate("dw::gui", "Runs & Compare");
    if (id == "sweeps")
        return QCoreApplication::translate("dw::gui", "Sweeps");
    if (id == "export")
        return QCoreApplication::translate("dw::gui", "Export");
    return id;
}

bool PageRegistry::add(PageSpec spec)
{
    auto& r = registry();
    r.erase(std::remove_if(r.begin(), r.end(), [&](const PageSpec& p) { return p.id == spec.id; }),
            r.end());
    r.push_back(std::move(spec));
    std::stable_sort(r.begin(), r.end(),
                     [](const PageSpec& a, const PageSpec& b) { return a.order < b.order; });
    return true;
}

const std::vector<PageSpec>& PageRegistry::all() { return registry(); }

const PageSpec* PageRegistry::find(const QString& id)
{
    for (const auto& p : registry())
        if (p.id == id)
            return &p;
    return nullptr;
}

} // namespace dw::gui
