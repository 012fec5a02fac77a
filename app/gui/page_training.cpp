// SPDX-License-Identifier: GPL-3.0-or-later
// The Train page and the Runs & Compare page, wired to the application: the open project, the
// training worker (training_controller.h), playback for confusion-matrix clips, and closing the
// window during a run (asks, then stops keeping the best checkpoint).
#include "app_context.h"
#include "page_registry.h"
#include "training_controller.h"

#include "dw/core/dataset.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"
#include "dw/ui/clip_player.h"
#include "dw/ui/compare_view.h"
#include "dw/ui/run_history.h"
#include "dw/ui/run_plots.h"
#include "dw/ui/training_page.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace dw::gui {

namespace {

// Shared by the two pages of one main window: the controller and cross-page links.
class TrainingWorkspace : public QObject
{
public:
    explicit TrainingWorkspace(AppContext& ctx) : QObject(&ctx), m_ctx(ctx)
    {
        setObjectName("dwTrainingWorkspace");
        qApp->installEventFilter(this);
    }
    static TrainingWorkspace* of(AppContext& ctx)
    {
        if (auto* w = ctx.findChild<QObject*>("dwTrainingWorkspace",
                                              Qt::FindDirectChildrenOnly))
            return static_cast<TrainingWorkspace*>(w);
        return new TrainingWorkspace(ctx);
    }

    TrainingController controller;
    QPointer<dw::ui::TrainingPage> trainPage;
    QPointer<dw::ui::RunHistory> history;
    QPointer<QWidget> runsPage;

protected:
    bool eventFilter(QObject* obj, QEvent* ev) override
    {
        if (ev->type() != QEvent::Close || !trainPage || !controller.isRunning() ||
            obj != trainPage->window() || !obj->isWidgetType())
            return false;
        if (!trainPage->maybeStopForClose()) {
            ev->ignore();
            return true;
        }
        controller.requestStop();
        controller.waitForFinished(120000);
        return false;
    }

private:
    AppContext& m_ctx;
};

Result<dw::ui::ConfusionData> confusionFor(AppContext& ctx, const RunRecord& run)
{
    Project* p = ctx.project();
    if (!p)
        return makeError("no project is open", "open the project the run belongs to");
    auto data = loadFeatureDataset(*p, run.config.features, 0);
    if (!data)
        return data.error();
    auto pred = predictBatch(run.dir, *data, Split::Test);
    if (!pred)
        return pred.error();
    dw::ui::ConfusionData cd;
    cd.labels = data->labels;
    for (size_t i = 0; i < data->size(); ++i)
        if (data->split[i] == Split::Test) {
            cd.truth.push_back(data->y[i]);
            cd.clipIds.push_back(data->clipIds[i]);
        }
    cd.predicted = *pred;
    if (cd.truth.empty())
        return makeError("the project has no test clips",
                         "add clips (the split is assigned automatically) and train again");
    if (cd.predicted.size() != cd.truth.size())
        return makeError("the run's predictions do not match the project's test clips",
                         "the project changed since this run; train a new run");
    return cd;
}

void playClip(AppContext& ctx, const std::string& clipId)
{
    Project* p = ctx.project();
    const Clip* clip = p ? p->findClip(clipId) : nullptr;
    if (!clip) {
        ctx.reportWarning(QObject::tr("Clip '%1' is not in the project any more.")
                              .arg(QString::fromStdString(clipId)));
        return;
    }
    auto audio = readWavPcm16(p->clipPath(*clip));
    if (!audio) {
        ctx.reportError(audio.error());
        return;
    }
    if (!ctx.player()->canPlay()) {
        ctx.reportWarning(QObject::tr("Cannot play '%1'").arg(QString::fromStdString(clipId)),
                          ctx.player()->unavailableReason());
        return;
    }
    if (auto s = ctx.player()->play(std::move(audio->samples), audio->sampleRate); !s)
        ctx.reportError(s.error());
}

QWidget* createTrainPage(AppContext& ctx)
{
    auto* ws = TrainingWorkspace::of(ctx);
    auto* page = new dw::ui::TrainingPage;
    page->setObjectName("trainingPage");
    ws->trainPage = page;
    connectTrainingPage(page, &ws->controller);
    auto update = [page, &ctx] {
        if (ctx.project())
            page->setProject(ctx.project()->root(), ctx.project()->featureConfig());
        else
            page->setProject({}, FeatureConfig{});
    };
    update();
    QObject::connect(&ctx, &AppContext::projectChanged, page, update);
    QObject::connect(&ctx, &AppContext::projectModified, page, update);
    QObject::connect(&ws->controller, &TrainingController::started, page,
                     [ws](const QString& dir) {
                         if (ws->history) {
                             ws->history->setActiveRun(dir.toStdString());
                             ws->history->refresh();
                         }
                     });
    QObject::connect(page, &dw::ui::TrainingPage::runEnded, page, [ws] {
        if (ws->history) {
            ws->history->setActiveRun({});
            ws->history->refresh();
        }
    });
    return page;
}

QWidget* createRunsPage(AppContext& ctx)
{
    auto* ws = TrainingWorkspace::of(ctx);
    auto* page = new QWidget;
    page->setObjectName("runsPage");
    ws->runsPage = page;
    auto* layout = new QVBoxLayout(page);
    auto* split = new QSplitter(Qt::Vertical, page);
    auto* history = new dw::ui::RunHistory(split);
    history->setObjectName("runHistory");
    ws->history = history;
    auto* tabs = new QTabWidget(split);
    auto* plotsTab = new QWidget(tabs);
    auto* pl = new QVBoxLayout(plotsTab);
    auto* plots = new dw::ui::RunPlots(plotsTab);
    auto* exportRow = new QHBoxLayout;
    auto* savePng = new QPushButton(QObject::tr("Save PNG..."), plotsTab);
    auto* savePdf = new QPushButton(QObject::tr("Save PDF..."), plotsTab);
    exportRow->addWidget(savePng);
    exportRow->addWidget(savePdf);
    exportRow->addStretch(1);
    pl->addLayout(exportRow);
    pl->addWidget(plots, 1);
    tabs->addTab(plotsTab, QObject::tr("Run plots"));
    auto* compare = new dw::ui::CompareView(tabs);
    tabs->addTab(compare, QObject::tr("Compare"));
    split->addWidget(history);
    split->addWidget(tabs);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);

    compare->setConfusionProvider(
        [&ctx](const RunRecord& run) { return confusionFor(ctx, run); });
    compare->confusionView()->setPlayCallback(
        [&ctx](const std::string& id) { playClip(ctx, id); });
    QObject::connect(compare, &dw::ui::CompareView::message, page,
                     [&ctx](const QString& text, bool error) {
                         if (error)
                             ctx.reportWarning(text);
                         else
                             ctx.reportInfo(text);
                     });

    auto update = [history, &ctx] {
        history->setRunsDir(ctx.project() ? ctx.project()->runsDir() : std::filesystem::path());
    };
    update();
    QObject::connect(&ctx, &AppContext::projectChanged, page, update);

    QObject::connect(history, &dw::ui::RunHistory::openRequested, page,
                     [history, plots, tabs, plotsTab, &ctx](const QString& dir) {
                         auto run = readRun(dir.toStdString());
                         if (!run) {
                             ctx.reportError(run.error());
                             return;
                         }
                         plots->setRun(*run);
                         history->setOpenRun(dir.toStdString());
                         tabs->setCurrentWidget(plotsTab);
                     });
    QObject::connect(history, &dw::ui::RunHistory::compareRequested, page,
                     [compare, tabs, &ctx](const QStringList& dirs) {
                         std::vector<RunRecord> runs;
                         for (const QString& d : dirs)
                             if (auto r = readRun(d.toStdString()))
                                 runs.push_back(*r);
                             else
                                 ctx.reportError(r.error());
                         compare->setRuns(std::move(runs));
                         tabs->setCurrentWidget(compare);
                     });
    QObject::connect(history, &dw::ui::RunHistory::runDeleted, page,
                     [plots](const QString&) { plots->clear(); });
    QObject::connect(history, &dw::ui::RunHistory::resumeRequested, page,
                     [ws, &ctx](const QString& dir) {
                         auto run = readRun(dir.toStdString());
                         if (!run) {
                             ctx.reportError(run.error());
                             return;
                         }
                         if (!ws->trainPage)
                             return;
                         if (ws->trainPage->isBusy()) {
                             ctx.reportWarning(QObject::tr("A run is already training"),
                                               QObject::tr("stop it on the Train page first"));
                             return;
                         }
                         ws->trainPage->showRun(*run);
                         ws->trainPage->resumeButton()->click();
                     });
    QObject::connect(history, &dw::ui::RunHistory::reportRequested, page,
                     [page, &ctx](const QString& dir) {
                         auto run = readRun(dir.toStdString());
                         if (!run) {
                             ctx.reportError(run.error());
                             return;
                         }
                         const QString file = QFileDialog::getSaveFileName(
                             page, QObject::tr("Save run report"),
                             QString::fromStdString(run->name) + "-report.html",
                             QObject::tr("HTML (*.html)"));
                         if (file.isEmpty())
                             return;
                         auto cm = confusionFor(ctx, *run);
                         if (auto s = dw::ui::writeRunReport(*run, cm ? &*cm : nullptr,
                                                             file.toStdString());
                             !s)
                             ctx.reportError(s.error());
                         else
                             ctx.reportInfo(QObject::tr("Report saved: %1").arg(file));
                     });
    auto saveAs = [page, plots, &ctx](const QString& ext) {
        const QString file = QFileDialog::getSaveFileName(page, QObject::tr("Save figure"),
                                                          "run." + ext, "*." + ext);
        if (file.isEmpty())
            return;
        if (auto s = plots->save(file.toStdString()); !s)
            ctx.reportError(s.error());
    };
    QObject::connect(savePng, &QPushButton::clicked, page, [saveAs] { saveAs("png"); });
    QObject::connect(savePdf, &QPushButton::clicked, page, [saveAs] { saveAs("pdf"); });
    return page;
}

} // namespace

} // namespace dw::gui

DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "train",
                                   .title = QObject::tr("Train"),
                                   .icon = {},
                                   .order = 40,
                                   .create = dw::gui::createTrainPage,
                                   .prepareScreenshot = {}})
DW_REGISTER_PAGE(dw::gui::PageSpec{.id = "runs",
                                   .title = QObject::tr("Runs & Compare"),
                                   .icon = {},
                                   .order = 50,
                                   .create = dw::gui::createRunsPage,
                                   .prepareScreenshot = {}})
