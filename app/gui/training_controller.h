// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs dw::train / dw::resumeTraining on a worker QThread (architecture rule 4): the worker opens
// its own Project copy, loads the features (dw::loadFeatureDataset), trains, and reports through
// a TrainObserver whose callbacks post to the GUI thread. Epoch ends and switches always arrive;
// batch progress is coalesced (at most one pending post, at most every ~100 ms) so a fast engine
// cannot flood the event loop. Stop is checked between batches (the best checkpoint stays);
// pause stops after the current epoch. Engine errors and exceptions become failed(Error).
// Create and use on the GUI thread.

#include "dw/core/result.h"
#include "dw/core/train_config.h"
#include "dw/core/training.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>

class QThread;

namespace dw::ui {
class TrainingPage;
}

namespace dw::gui {

class TrainingController : public QObject
{
    Q_OBJECT
public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override; // asks a running worker to stop and waits for it

    // Starts a new run in a fresh folder <project>/runs/<yyyyMMdd-HHmmss>-<mode>[-n] (never an
    // existing one). An Error when a run is active or the project has no runs folder.
    Result<std::filesystem::path> start(const std::filesystem::path& projectRoot,
                                        const TrainConfig& config);
    // Continues a stopped run in place.
    Status resume(const std::filesystem::path& projectRoot, const std::filesystem::path& runDir);
    void requestPauseAfterEpoch() { m_pause = true; }
    void requestStop() { m_stop = true; }

    bool isRunning() const { return m_thread != nullptr; }
    const std::filesystem::path& runDir() const { return m_runDir; }
    // Runs the event loop until the worker is done or `ms` pass; true when it is done.
    bool waitForFinished(int ms);

    // A new run folder name under `runsDir` that does not exist yet.
    static std::filesystem::path newRunDir(const std::filesystem::path& runsDir,
                                           const std::string& mode);

Q_SIGNALS:
    void started(const QString& runDir, bool resumed);
    void datasetProgress(int done, int total);
    void epochFinished(const dw::EpochRecord& e);
    void switched(const dw::SwitchRecord& s);
    void batchProgress(int epoch, char phase, int batch, int batches);
    void finished(const dw::RunSummary& summary); // finished, or stopped/paused (resumable)
    void failed(const dw::Error& error);

private:
    struct BatchState;
    void launch(const std::filesystem::path& projectRoot, const TrainConfig& config,
                const std::filesystem::path& runDir, bool resume);
    void postBatch();

    QThread* m_thread = nullptr;
    std::filesystem::path m_runDir;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_pause{false};
    std::shared_ptr<BatchState> m_batch;
};

// Wires a TrainingPage to a controller: the page's requests start/stop/pause/resume runs and the
// controller's signals update the page. `projectRoot` is read from the page at start time.
void connectTrainingPage(dw::ui::TrainingPage* page, TrainingController* controller);

} // namespace dw::gui
