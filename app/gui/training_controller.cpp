// SPDX-License-Identifier: GPL-3.0-or-later
#include "training_controller.h"

#include "dw/core/dataset.h"
#include "dw/core/project.h"
#include "dw/core/run_record.h"
#include "dw/ui/training_page.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <exception>

namespace dw::gui {

// Latest batch progress, written by the worker, read by the GUI. `pending` makes sure at most
// one post is queued at a time, whatever the engine's batch rate.
struct TrainingController::BatchState {
    std::atomic<int> epoch{0}, batch{0}, batches{0};
    std::atomic<char> phase{'N'};
    std::atomic<bool> pending{false};
    std::chrono::steady_clock::time_point lastPost{};
};

TrainingController::TrainingController(QObject* parent) : QObject(parent) {}

TrainingController::~TrainingController()
{
    if (m_thread) {
        m_stop = true;
        m_thread->wait();
        delete m_thread;
    }
}

std::filesystem::path TrainingController::newRunDir(const std::filesystem::path& runsDir,
                                                    const std::string& mode)
{
    const std::string stamp =
        QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss").toStdString();
    std::filesystem::path dir = runsDir / (stamp + "-" + mode);
    for (int n = 2; std::filesystem::exists(dir); ++n)
        dir = runsDir / (stamp + "-" + mode + "-" + std::to_string(n));
    return dir;
}

Result<std::filesystem::path> TrainingController::start(const std::filesystem::path& projectRoot,
                                                        const TrainConfig& config)
{
    if (m_thread)
        return makeError("a training run is already in progress",
                         "stop it or wait for it to finish before starting another");
    std::error_code ec;
    std::filesystem::create_directories(projectRoot / "runs", ec);
    if (ec)
        return makeError("cannot create the runs folder in '" + projectRoot.string() + "'",
                         "check that the project folder is writable");
    const std::filesystem::path dir = newRunDir(projectRoot / "runs", config.mode);
    launch(projectRoot, config, dir, false);
    return dir;
}

Status TrainingController::resume(const std::filesystem::path& projectRoot,
                                  const std::filesystem::path& runDir)
{
    if (m_thread)
        return makeError("a training run is already in progress",
                         "stop it or wait for it to finish before resuming another");
    if (!std::filesystem::exists(runDir / "latest.pt"))
        return makeError("run '" + runDir.filename().string() + "' has no latest checkpoint",
                         "only runs that were stopped after at least one epoch can be resumed");
    launch(projectRoot, TrainConfig{}, runDir, true);
    return {};
}

void TrainingController::postBatch()
{
    auto state = m_batch;
    if (!state)
        return;
    state->pending = false;
    Q_EMIT batchProgress(state->epoch, state->phase, state->batch, state->batches);
}

void TrainingController::launch(const std::filesystem::path& projectRoot,
                                const TrainConfig& config, const std::filesystem::path& runDir,
                                bool resume)
{
    m_stop = false;
    m_pause = false;
    m_runDir = runDir;
    m_batch = std::make_shared<BatchState>();
    QPointer<TrainingController> self(this);
    auto batchState = m_batch;
    // Written by the worker just before it ends, read after QThread::finished.
    auto outcome = std::make_shared<Result<RunSummary>>(makeError("training did not start"));

    auto post = [self](auto fn) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, fn]() {
                if (self)
                    fn(self.data());
            },
            Qt::QueuedConnection);
    };

    m_thread = QThread::create([=, this]() {
        Result<RunSummary> result = makeError("training did not start");
        try {
            auto project = Project::open(projectRoot);
            if (!project) {
                result = project.error();
            } else {
                TrainConfig features = config;
                if (resume) {
                    // The run's own features, not the project's current ones.
                    if (auto run = readRun(runDir))
                        features = run->config;
                }
                auto lastDataPost = std::chrono::steady_clock::now();
                auto data = loadFeatureDataset(
                    *project, features.features, std::max(1, config.threads),
                    [&](int done, int total) {
                        const auto now = std::chrono::steady_clock::now();
                        if (done == total || now - lastDataPost > std::chrono::milliseconds(100)) {
                            lastDataPost = now;
                            post([done, total](TrainingController* c) {
                                Q_EMIT c->datasetProgress(done, total);
                            });
                        }
                    });
                if (!data) {
                    result = data.error();
                } else if (m_stop) {
                    result = makeError("training was stopped before it started",
                                       "press Start again when ready");
                } else {
                    post([runDir, resume](TrainingController* c) {
                        Q_EMIT c->started(QString::fromStdString(runDir.string()), resume);
                    });
                    TrainObserver obs;
                    obs.onEpoch = [post](const EpochRecord& e) {
                        post([e](TrainingController* c) { Q_EMIT c->epochFinished(e); });
                    };
                    obs.onSwitch = [post](const SwitchRecord& s) {
                        post([s](TrainingController* c) { Q_EMIT c->switched(s); });
                    };
                    obs.onBatch = [batchState, self](int epoch, char phase, int batch,
                                                     int batches) {
                        batchState->epoch = epoch;
                        batchState->phase = phase;
                        batchState->batch = batch;
                        batchState->batches = batches;
                        const auto now = std::chrono::steady_clock::now();
                        if (now - batchState->lastPost < std::chrono::milliseconds(100))
                            return;
                        if (batchState->pending.exchange(true))
                            return;
                        batchState->lastPost = now;
                        QMetaObject::invokeMethod(
                            self.data(),
                            [self]() {
                                if (self)
                                    self->postBatch();
                            },
                            Qt::QueuedConnection);
                    };
                    obs.shouldStop = [this] { return m_stop.load(); };
                    obs.shouldPauseAfterEpoch = [this] { return m_pause.load(); };
                    result = resume ? resumeTraining(*data, runDir, &obs)
                                    : train(*data, config, runDir, &obs);
                }
            }
        } catch (const std::exception& e) {
            result = makeError(std::string("training crashed: ") + e.what(),
                               "check the knobs and the project's clips, then try again");
        } catch (...) {
            result = makeError("training crashed with an unknown error",
                               "check the knobs and the project's clips, then try again");
        }
        *outcome = std::move(result);
    });
    m_thread->setObjectName("dw-training");
    // The outcome is delivered when the thread has really ended (QThread::finished, queued to
    // this object's thread): the GUI never blocks in QThread::wait() for a worker that a busy
    // machine has not scheduled yet.
    QThread* thread = m_thread;
    connect(thread, &QThread::finished, this, [this, thread, outcome] {
        thread->deleteLater();
        if (m_thread == thread)
            m_thread = nullptr;
        if (*outcome)
            Q_EMIT finished(**outcome);
        else
            Q_EMIT failed(outcome->error());
    });
    m_thread->start();
}

bool TrainingController::waitForFinished(int ms)
{
    QElapsedTimer t;
    t.start();
    while (m_thread && t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return m_thread == nullptr;
}

void connectTrainingPage(dw::ui::TrainingPage* page, TrainingController* controller)
{
    using dw::ui::TrainingPage;
    QObject::connect(page, &TrainingPage::startRequested, controller,
                     [page, controller](const TrainConfig& config) {
                         auto dir = controller->start(page->projectRoot(), config);
                         if (!dir)
                             page->runFailed(dir.error());
                     });
    QObject::connect(page, &TrainingPage::resumeRequested, controller,
                     [page, controller](const QString& runDir) {
                         if (auto s = controller->resume(page->projectRoot(),
                                                         runDir.toStdString());
                             !s)
                             page->runFailed(s.error());
                     });
    QObject::connect(page, &TrainingPage::pauseRequested, controller,
                     &TrainingController::requestPauseAfterEpoch);
    QObject::connect(page, &TrainingPage::stopRequested, controller,
                     &TrainingController::requestStop);
    QObject::connect(controller, &TrainingController::started, page, &TrainingPage::runStarted);
    QObject::connect(controller, &TrainingController::datasetProgress, page,
                     &TrainingPage::datasetProgress);
    QObject::connect(controller, &TrainingController::epochFinished, page,
                     &TrainingPage::epochFinished);
    QObject::connect(controller, &TrainingController::switched, page, &TrainingPage::switched);
    QObject::connect(controller, &TrainingController::batchProgress, page,
                     &TrainingPage::batchProgress);
    QObject::connect(controller, &TrainingController::finished, page,
                     &TrainingPage::runFinished);
    QObject::connect(controller, &TrainingController::failed, page, &TrainingPage::runFailed);
}

} // namespace dw::gui
