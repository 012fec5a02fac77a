// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Sweeps page (issue 7): edit a sweep file, launch it on this machine with a jobs count,
// watch trials land in the live Pareto scatter, stop and resume, read the findings table, and
// repeat the frontier over several seeds. The work runs in `dendrite sweep run` child processes
// (QProcess), so no torch and no threads in the GUI; the page polls the sweep folder once a
// second. GUI thread only.

#include "dw/core/sweep.h"

#include <QProcess>
#include <QString>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace dw::ui {

class ParetoPlot;

class SweepPage : public QWidget
{
    Q_OBJECT
public:
    explicit SweepPage(QWidget* parent = nullptr);
    ~SweepPage() override;

    // The `dendrite` binary that runs the trials (default: next to this executable).
    void setDendriteBinary(const QString& path);
    void setProject(const QString& projectDir);
    // Loads a sweep file into the editor; the output folder defaults to <project>/sweeps/<name>.
    bool loadSweepFile(const QString& file);
    void setSweepText(const QString& json);
    QString sweepText() const;
    void setOutputDir(const QString& dir);
    QString outputDir() const;
    void setJobs(int jobs);

    // Validates the editor's JSON (the error is shown on the page and returned).
    QString validateSweep() const;
    bool isRunning() const;

    ParetoPlot* paretoPlot() const { return m_plot; }
    QTableWidget* findingsTable() const { return m_findings; }
    QString statusText() const;

public Q_SLOTS:
    void start();          // runs (or resumes) the sweep in the output folder
    void stop();           // SIGTERM to `dendrite sweep run`: trials stop cleanly, resumable
    void rerunFrontier();  // `dendrite sweep rerun-frontier DIR --seeds N --jobs J`
    void refresh();        // rescans the output folder now

Q_SIGNALS:
    void runActivated(const QString& runFolder); // a point was clicked
    void runningChanged(bool running);
    void finished(int exitCode);

private:
    void launch(const QStringList& args);
    void updateFindings(const std::vector<dw::sweep::TrialRow>& rows);
    void setMessage(const QString& text, bool error = false);

    QString m_binary;
    QString m_project;
    QPlainTextEdit* m_editor = nullptr;
    QLineEdit* m_out = nullptr;
    QSpinBox* m_jobs = nullptr;
    QSpinBox* m_seeds = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_rerun = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_message = nullptr;
    ParetoPlot* m_plot = nullptr;
    QTableWidget* m_findings = nullptr;
    QProcess* m_proc = nullptr;
    QTimer* m_timer = nullptr;
    QString m_log;
    size_t m_lastRowCount = size_t(-1);
};

} // namespace dw::ui
