// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Train page: presets, the knob form (knob_form.h), Start / Pause after epoch / Stop (keeps
// best) / Resume, a progress line (epoch, phase, batch, ETA of the current phase) and the live
// RunPlots. It owns no thread: it emits requests and the app's TrainingController
// (app/gui/training_controller.h) answers through the slots below. GUI thread only.

#include "dw/core/result.h"
#include "dw/core/run_record.h"
#include "dw/core/train_config.h"
#include "dw/core/training.h"

#include <QString>
#include <QWidget>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace dw::ui {

class KnobForm;
class RunPlots;

class TrainingPage : public QWidget
{
    Q_OBJECT
public:
    enum class State
    {
        Idle,
        Loading,
        Running,
        Stopping
    };

    explicit TrainingPage(QWidget* parent = nullptr);

    // The open project (empty path: none). Its features fill the form's feature knobs; user
    // presets live in <project>/training_presets.json.
    void setProject(const std::filesystem::path& root, const FeatureConfig& features);
    const std::filesystem::path& projectRoot() const { return m_projectRoot; }

    // Presets: built-in ones first ("Edge Impulse baseline", "Small + dendrites").
    QStringList presetNames() const;
    bool applyPreset(const QString& name);
    Status savePreset(const QString& name); // current form values, atomic write
    static std::map<std::string, std::string> builtinPreset(const QString& name);

    KnobForm* knobForm() const { return m_form; }
    RunPlots* plots() const { return m_plots; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* resumeButton() const { return m_resume; }
    QProgressBar* progressBar() const { return m_progress; }
    QString statusText() const;
    QString messageText() const; // last error/info shown on the page
    bool messageIsError() const { return m_messageIsError; }
    State state() const { return m_state; }
    bool isBusy() const { return m_state != State::Idle; }
    const std::filesystem::path& currentRunDir() const { return m_runDir; }

    // Asks the user (or the hook) a yes/no question. Tests replace it.
    using ConfirmHook = std::function<bool(const QString& title, const QString& text)>;
    void setConfirmHook(ConfirmHook hook) { m_confirm = std::move(hook); }
    bool confirm(const QString& title, const QString& text) const;

    // Called before the window closes: when a run is active, asks; true = may close (the run was
    // told to stop). The app then waits for the controller to finish.
    bool maybeStopForClose();

public Q_SLOTS:
    // From the controller.
    void runStarted(const QString& runDir, bool resumed);
    void datasetProgress(int done, int total);
    void epochFinished(const dw::EpochRecord& e);
    void switched(const dw::SwitchRecord& s);
    void batchProgress(int epoch, char phase, int batch, int batches);
    void runFinished(const dw::RunSummary& summary);
    void runFailed(const dw::Error& error);
    // Shows a finished/stopped run (e.g. reopened from the history) in the plots.
    void showRun(const dw::RunRecord& run);
    void showMessage(const QString& text, bool error);

Q_SIGNALS:
    void startRequested(const dw::TrainConfig& config);
    void pauseRequested();
    void stopRequested();
    void resumeRequested(const QString& runDir);
    void runEnded(const QString& runDir); // finished, stopped or failed: history refreshes

private:
    void onStart();
    void onResume();
    void setState(State s);
    void updateStatus();
    QString presetFile() const;
    std::map<std::string, std::map<std::string, std::string>> loadUserPresets() const;
    void refreshPresetCombo();

    std::filesystem::path m_projectRoot;
    FeatureConfig m_features;
    KnobForm* m_form = nullptr;
    RunPlots* m_plots = nullptr;
    QComboBox* m_presets = nullptr;
    QPushButton* m_savePreset = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_resume = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_lastSwitch = nullptr;
    QLabel* m_message = nullptr;
    State m_state = State::Idle;
    std::filesystem::path m_runDir;
    std::filesystem::path m_resumableRun;
    TrainConfig m_runConfig;
    ConfirmHook m_confirm;
    // Progress bookkeeping for the status line and the ETA.
    int m_epoch = 0;
    char m_phase = 'N';
    int m_k = 0;
    int m_batch = 0, m_batches = 0;
    int m_phaseEpochs = 0;
    int m_sinceBest = 0;
    double m_phaseBest = -1;
    double m_epochSeconds = 0;
    bool m_pausePending = false;
    bool m_messageIsError = false;
};

} // namespace dw::ui
