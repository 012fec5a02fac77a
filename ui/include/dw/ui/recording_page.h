// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The recording page: pick a device, watch the input level, record one clip after a countdown or
// a continuous session (say the word again and again for N seconds), see the waveform scroll,
// then review the 1 s clips the splitter proposes: nudge (drag or arrow buttons), drop, relabel,
// and save them into the project (each clip written atomically and listed at once).
//
// Input monitoring (as in Audacity): while the page is shown and "Monitor" is on, the input is
// captured and only measured (nothing is kept) so the level meter moves before Record is
// pressed; recording takes the device over and monitoring resumes after the session.
//
// No threads: a 30-60 Hz QTimer drains the backend's ring (dw::audio::Recorder::poll). The page
// does not own the Backend or the Project (the app does). Device errors appear in the page's
// message bar and the audio recorded before them stays on the waveform, ready to split and save.
// GUI thread only.

#include "dw/audio/recorder.h"

#include <QElapsedTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTimer;
class QToolButton;

namespace dw {
class Project;
}
namespace dw::audio {
class Backend;
}

namespace dw::ui {

class LevelMeter;
class MessageBar;
class WaveformView;

class RecordingPage : public QWidget
{
    Q_OBJECT
public:
    enum class State { Idle, Countdown, Recording, Review };

    RecordingPage(dw::audio::Backend* backend, dw::Project* project, QWidget* parent = nullptr);
    ~RecordingPage() override;

    void setProject(dw::Project* project); // nullptr: no project (saving disabled)
    void setBackend(dw::audio::Backend* backend);

    // ---- actions (also used by tests and the screenshot tool) ----
    void refreshDevices();
    void startSession();  // countdown (if any), then record
    void stopSession();   // stops recording and proposes clips
    void resplit();       // proposes clips again with the current split settings
    void nudgeSelected(int milliseconds);
    void toggleDropSelected();
    void relabelSelected(const QString& label);
    void selectProposal(int index);
    // Saves the kept proposals; saved ones leave the review list. Returns how many were saved.
    int saveClips();
    void discardSession();

    // ---- settings ----
    void setLabel(const QString& label);
    QString label() const;
    void setContinuous(bool on);
    void setSessionSeconds(double s);
    void setClipSeconds(double s);
    void setCountdownSeconds(int s);
    void setThresholdDb(double db);
    void setDrainIntervalMs(int ms);
    // Monitor toggle (default on). Capture for the meter runs only while the page is visible,
    // the toggle is on and no session is recording; a device error turns the toggle off and says
    // why in the message bar.
    void setMonitoring(bool on);
    bool monitoringEnabled() const;
    bool isMonitoring() const { return m_monitoring; } // capture for the meter is running now

    // ---- state ----
    State state() const { return m_state; }
    const dw::audio::Recorder& recorder() const { return m_recorder; }
    const std::vector<dw::audio::ClipProposal>& proposals() const { return m_proposals; }
    int selectedProposal() const { return m_selected; }
    WaveformView* waveform() const { return m_wave; }
    LevelMeter* levelMeter() const { return m_meter; }
    MessageBar* messageBar() const { return m_messages; }
    QString statusText() const;

Q_SIGNALS:
    void clipsSaved(int count); // the project changed (clips added)
    void stateChanged(dw::ui::RecordingPage::State state);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void buildUi();
    void fillDevices();
    void startMonitor();
    void stopMonitor();
    void pollMonitor();
    void updateMonitor(); // starts or stops monitoring to match visibility, toggle and state
    void onTick();
    void beginRecording();
    void finishRecording(const std::optional<dw::Error>& deviceError);
    void setState(State s);
    void updateControls();
    void updateRegions();
    void updateProposalList();
    void updateStatus();
    void reloadLabels();
    dw::SplitterConfig splitterConfig() const;

    dw::audio::Backend* m_backend = nullptr;
    dw::Project* m_project = nullptr;
    dw::audio::Recorder m_recorder;
    std::vector<dw::audio::ClipProposal> m_proposals;
    int m_selected = -1;
    State m_state = State::Idle;
    size_t m_shown = 0; // samples already on the waveform
    bool m_monitoring = false;
    bool m_finishPending = false; // the session stopped; its review starts on a later pass
    std::vector<int16_t> m_monitorBuffer; // drained and measured, never kept
    QElapsedTimer m_phaseClock;

    QTimer* m_timer = nullptr;
    QComboBox* m_device = nullptr;
    QToolButton* m_refresh = nullptr;
    LevelMeter* m_meter = nullptr;
    QToolButton* m_monitor = nullptr;
    QComboBox* m_label = nullptr;
    QRadioButton* m_single = nullptr;
    QRadioButton* m_continuous = nullptr;
    QDoubleSpinBox* m_sessionSeconds = nullptr;
    QDoubleSpinBox* m_clipSeconds = nullptr;
    QSpinBox* m_countdown = nullptr;
    QPushButton* m_record = nullptr;
    QLabel* m_status = nullptr;
    WaveformView* m_wave = nullptr;
    MessageBar* m_messages = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QSpinBox* m_padding = nullptr;
    QSpinBox* m_shift = nullptr;
    QPushButton* m_resplit = nullptr;
    QListWidget* m_list = nullptr;
    QToolButton* m_left = nullptr;
    QToolButton* m_right = nullptr;
    QPushButton* m_drop = nullptr;
    QComboBox* m_regionLabel = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_discard = nullptr;
};

} // namespace dw::ui
