// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Live test page (issue 8 item 4): pick a run and a source (an input device, or a WAV file
// played at real-time pace through the fake backend), Start/Stop, live per-class probability
// bars with the threshold line, threshold and smoothing spin boxes, a scrolling list of
// detections and a status line (windows/s, stream time, false accepts per hour when the file is
// marked noise-only).
//
// The page only shows and asks: it never classifies. The app's controller runs the model and the
// audio on a worker thread and calls the show*() functions on the GUI thread; the page emits
// startRequested()/stopRequested() and the settings' changes. No torch, no portaudio.h, no
// threads. GUI thread only.

#include "dw/audio/backend.h"
#include "dw/core/live.h"
#include "dw/core/result.h"

#include <QString>
#include <QWidget>

#include <filesystem>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPBars;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace dw::ui {

struct LiveSource
{
    bool wav = false; // a WAV file through the fake backend, else an input device
    int device = -1;  // DeviceInfo::index (-1: default input)
    QString wavPath;
    bool noiseOnly = false; // the WAV holds no keyword: report false accepts per hour
};

class LivePage : public QWidget
{
    Q_OBJECT
public:
    explicit LivePage(QWidget* parent = nullptr);

    // Lists the project's runs that have a checkpoint (newest first); empty path: none.
    void setProjectRoot(const std::filesystem::path& root);
    // Selects a run folder (added to the list when it is not there).
    void setRunDir(const QString& runDir);
    QString runDir() const;
    bool int8() const;

    // Input devices (those with input channels are listed); `error` (e.g. "no audio input
    // device") is shown instead when the list could not be read or is empty.
    void setDevices(const std::vector<dw::audio::DeviceInfo>& devices, const QString& error = {});
    // Selects the WAV source with this file.
    void setWavFile(const QString& path, bool noiseOnly);
    LiveSource source() const;
    double threshold() const;
    int smoothing() const;

    // ---- from the controller (GUI thread) ----
    // A new model: its labels (bars) and a one-line description. Clears bars and detections.
    void showModel(const std::vector<std::string>& labels, const QString& description);
    void showWindow(const dw::LiveWindow& window); // bars show the smoothed probabilities
    void addDetection(const dw::Detection& detection);
    void showStatus(long long windows, double streamSeconds, double windowsPerSecond,
                    double falseAcceptsPerHour, int detections);
    void setRunning(bool running);
    void showError(const dw::Error& error); // in the status line, in red; not running any more
    void showMessage(const QString& text);  // plain status text (e.g. "loading the model...")

    // For tests and screenshots.
    QCustomPlot* barsPlot() const { return m_plot; }
    QTableWidget* detectionsTable() const { return m_detections; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* stopButton() const { return m_stop; }
    QLabel* statusLabel() const { return m_status; }
    QComboBox* sourceBox() const { return m_source; }
    QDoubleSpinBox* thresholdBox() const { return m_threshold; }
    QSpinBox* smoothingBox() const { return m_smoothing; }
    std::vector<double> barValues() const; // the bars' current heights, in label order
    int windowsShown() const { return m_windowsShown; }

Q_SIGNALS:
    void startRequested();
    void stopRequested();
    void thresholdChanged(double threshold);
    void smoothingChanged(int windows);
    void refreshDevicesRequested();

private:
    void browseWav();
    void browseRun();
    void updateSourceWidgets();
    void setThresholdLine(double threshold);
    void refreshBars(); // bars from m_values, the detected keyword highlighted

    std::filesystem::path m_projectRoot;
    QComboBox* m_run = nullptr;
    QCheckBox* m_int8 = nullptr;
    QComboBox* m_source = nullptr;
    QPushButton* m_refresh = nullptr;
    QLineEdit* m_wav = nullptr;
    QPushButton* m_browse = nullptr;
    QCheckBox* m_noiseOnly = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QSpinBox* m_smoothing = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_model = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPBars* m_keywordBars = nullptr;
    QCPBars* m_otherBars = nullptr;
    QCPBars* m_hitBars = nullptr;
    QCPItemStraightLine* m_line = nullptr;
    QCPItemText* m_lineText = nullptr;
    QTableWidget* m_detections = nullptr;
    QLabel* m_status = nullptr;
    std::vector<std::string> m_labels;
    std::vector<bool> m_isKeyword;
    std::vector<double> m_values;
    int m_lastHit = -1;
    double m_lastHitTime = -1;
    int m_windowsShown = 0;
    bool m_running = false;
    bool m_wavChosen = false; // the user picked the WAV source: keep it across device refreshes
    struct
    {
        long long windows = -1;
        double stream = 0, rate = 0, fah = 0;
        int detections = 0;
    } m_last; // the last status, re-shown when running stops
};

} // namespace dw::ui
