// SPDX-License-Identifier: GPL-3.0-or-later
// The Dataset page wired to the application: project, undo stack, playback, menus.
#include "app_context.h"
#include "page_registry.h"

#include "dw/ui/dataset_page.h"
#include "dw/ui/feature_dialog.h"

#include <QAbstractItemModel>
#include <QTableView>

#include <memory>

namespace dw::gui {

// Opens the feature settings dialog with a preview of `samples`; saves into the project.
void editFeatureSettings(QWidget* parent, AppContext& ctx, std::vector<int16_t> samples,
                         const QString& clipName)
{
    dw::Project* p = ctx.project();
    if (!p) {
        ctx.reportError(dw::makeError("no project is open", "open or create a project first"));
        return;
    }
    dw::ui::FeatureDialog dialog(p->featureConfig(), parent);
    dialog.setPreviewSamples(std::move(samples), clipName);
    if (dialog.exec() != QDialog::Accepted || !ctx.project())
        return;
    const dw::FeatureConfig old = ctx.project()->featureConfig();
    ctx.project()->setFeatureConfig(dialog.config());
    if (const dw::Status s = ctx.project()->save(); !s) {
        ctx.project()->setFeatureConfig(old);
        ctx.reportError(s.error());
        return;
    }
    ctx.notifyProjectModified();
    ctx.reportInfo(QObject::tr("Feature settings saved"));
}

namespace {

QWidget* createDatasetPage(AppContext& ctx)
{
    auto* page = new dw::ui::DatasetPage;
    page->setObjectName("datasetPage");
    page->setUndoStack(ctx.undoStack());
    page->setPlayer(ctx.player());
    page->setProject(ctx.project());
    QObject::connect(&ctx, &AppContext::projectChanged, page, [page, &ctx] {
        page->setPlayer(ctx.player());
        page->setProject(ctx.project());
    });
    // Edits made elsewhere (other pages, feature settings): re-read, keeping the selection.
    auto selfEdit = std::make_shared<bool>(false);
    QObject::connect(&ctx, &AppContext::projectModified, page, [page, selfEdit] {
        if (!*selfEdit)
            page->refresh();
    });
    QObject::connect(page, &dw::ui::DatasetPage::projectModified, &ctx, [&ctx, selfEdit] {
        *selfEdit = true;
        ctx.notifyProjectModified();
        *selfEdit = false;
    });
    QObject::connect(page, &dw::ui::DatasetPage::currentClipChanged, &ctx,
                     &AppContext::setCurrentClipId);
    QObject::connect(page, &dw::ui::DatasetPage::errorOccurred, &ctx, &AppContext::reportError);
    QObject::connect(page, &dw::ui::DatasetPage::infoMessage, &ctx, &AppContext::reportInfo);
    QObject::connect(page, &dw::ui::DatasetPage::importRequested, &ctx,
                     [&ctx] { ctx.trigger("import-folder"); });
    QObject::connect(page, &dw::ui::DatasetPage::generateDemoRequested, &ctx,
                     [&ctx] { ctx.trigger("generate-demo"); });
    QObject::connect(page, &dw::ui::DatasetPage::newProjectRequested, &ctx,
                     [&ctx] { ctx.trigger("new-project"); });
    QObject::connect(page, &dw::ui::DatasetPage::openProjectRequested, &ctx,
                     [&ctx] { ctx.trigger("open-project"); });
    QObject::connect(page, &dw::ui::DatasetPage::featureSettingsRequested, page, [page, &ctx] {
        editFeatureSettings(page, ctx, page->currentSamples(), page->currentClipId());
    });
    return page;
}

// Screenshot state: the first keyword clip selected, so waveform and MFCC image are filled.
void prepareDatasetScreenshot(QWidget* w, AppContext&)
{
    auto* page = static_cast<dw::ui::DatasetPage*>(w);
    if (!page->project() || !page->currentClipId().isEmpty())
        return;
    const QStringList ids = page->visibleClipIds();
    if (!ids.isEmpty())
        page->selectClip(ids.front());
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "dataset",
                                   .title = QObject::tr("Dataset"),
                                   .icon = {},
                                   .order = 10,
                                   .create = dw::gui::createDatasetPage,
                                   .prepareScreenshot = dw::gui::prepareDatasetScreenshot})
