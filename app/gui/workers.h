// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Background jobs of the GUI (QtConcurrent): demo-data generation, import, whole-dataset feature
// computation. A job is a function run on a pool thread; it reports progress through JobControl
// (lock-free counters the GUI polls at 20 Hz, so a chatty job cannot flood the event loop) and
// checks JobControl::cancelled() between items. Its result is a dw::Status; exceptions thrown by
// the job are caught and become an Error. The job functions below never touch the GUI's Project:
// they open their own copy from disk and the GUI reloads afterwards.

#include "dw/core/project.h"
#include "dw/core/result.h"

#include <QFutureWatcher>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <filesystem>
#include <functional>
#include <vector>

class QProgressDialog;
class QTimer;
class QWidget;

namespace dw::gui {

class JobControl
{
public:
    // Any thread. total <= 0 means "unknown" (busy indicator).
    void progress(int done, int total, const QString& text = {});
    bool cancelled() const { return m_cancel.load(std::memory_order_relaxed); }

    void requestCancel() { m_cancel = true; }
    const std::atomic<bool>* cancelFlag() const { return &m_cancel; }
    int done() const { return m_done.load(std::memory_order_relaxed); }
    int total() const { return m_total.load(std::memory_order_relaxed); }
    QString text() const;

private:
    std::atomic<int> m_done{0};
    std::atomic<int> m_total{0};
    std::atomic<bool> m_cancel{false};
    mutable QMutex m_mutex;
    QString m_text;
};

using JobFunction = std::function<dw::Status(JobControl&)>;

class Job : public QObject
{
    Q_OBJECT
public:
    Job(const QString& title, JobFunction function, QObject* parent = nullptr);
    ~Job() override; // waits for the function to return (after asking it to cancel)

    void start();
    void cancel() { m_control.requestCancel(); }
    bool isRunning() const;
    // Blocks (running the event loop) until the job is done; for tests and --screenshot.
    dw::Status waitForFinished();
    const dw::Status& status() const { return m_status; }
    QString title() const { return m_title; }

Q_SIGNALS:
    void progressChanged(int done, int total, const QString& text);
    void finished(const dw::Status& status);

private:
    QString m_title;
    JobFunction m_function;
    JobControl m_control;
    QFutureWatcher<dw::Status> m_watcher;
    QTimer* m_poll = nullptr;
    dw::Status m_status;
    bool m_done = false;
};

// Starts `job` with a window-modal progress dialog (Cancel button) over `parent`; `done` runs on
// the GUI thread when it ends. The Job deletes itself afterwards. Returns the job.
Job* runWithProgress(QWidget* parent, const QString& title, JobFunction function,
                     std::function<void(const dw::Status&)> done);

// ---- the jobs ----

// Imports `paths` into the project at `root` (opened separately; the GUI reloads it afterwards).
// `report` receives the import report text.
dw::Status importJob(const std::filesystem::path& root,
                     const std::vector<std::filesystem::path>& paths, QString& report,
                     JobControl& control);

// Generates the demo keyword project into `out` with `seed` (dw::audio::createDemoProject:
// espeak-ng, deterministic for a seed): the 12-class demo, or `keywords` + unknown + noise.
// Cancelling keeps the clips done so far.
dw::Status demoDataJob(const std::filesystem::path& out, int seed,
                       const std::vector<std::string>& keywords, JobControl& control);

// Computes (and caches in the project) the features of every clip; `summary` says how many per
// split and the tensor shape.
dw::Status featureJob(const dw::Project& project, const dw::FeatureConfig& config, int threads,
                      QString& summary, JobControl& control);

} // namespace dw::gui
