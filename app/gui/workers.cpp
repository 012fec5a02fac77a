// SPDX-License-Identifier: GPL-3.0-or-later
#include "workers.h"

#include "dw/audio/demo_data.h"
#include "dw/audio/import.h"
#include "dw/core/dataset.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QProgressDialog>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace dw::gui {

void JobControl::progress(int done, int total, const QString& text)
{
    m_done.store(done, std::memory_order_relaxed);
    m_total.store(total, std::memory_order_relaxed);
    if (!text.isNull()) {
        QMutexLocker lock(&m_mutex);
        m_text = text;
    }
}

QString JobControl::text() const
{
    QMutexLocker lock(&m_mutex);
    return m_text;
}

Job::Job(const QString& title, JobFunction function, QObject* parent)
    : QObject(parent), m_title(title), m_function(std::move(function))
{
    m_poll = new QTimer(this);
    m_poll->setInterval(50);
    connect(m_poll, &QTimer::timeout, this, [this] {
        Q_EMIT progressChanged(m_control.done(), m_control.total(), m_control.text());
    });
    connect(&m_watcher, &QFutureWatcher<dw::Status>::finished, this, [this] {
        m_poll->stop();
        m_status = m_watcher.result();
        m_done = true;
        Q_EMIT progressChanged(m_control.total(), m_control.total(), m_control.text());
        Q_EMIT finished(m_status);
    });
}

Job::~Job()
{
    if (m_watcher.isRunning()) {
        m_control.requestCancel();
        m_watcher.waitForFinished();
    }
}

void Job::start()
{
    m_done = false;
    m_poll->start();
    JobControl* control = &m_control;
    JobFunction fn = m_function;
    const QString title = m_title;
    m_watcher.setFuture(QtConcurrent::run([fn, control, title]() -> dw::Status {
        try {
            return fn(*control);
        } catch (const std::exception& e) {
            // Internal failure: keep the exception text out of the message, put it in the hint.
            return dw::makeError(QObject::tr("%1 failed unexpectedly").arg(title).toStdString(),
                                 std::string("please report this; detail: ") + e.what());
        } catch (...) {
            return dw::makeError(QObject::tr("%1 failed unexpectedly").arg(title).toStdString(),
                                 "please report this");
        }
    }));
}

bool Job::isRunning() const
{
    return m_watcher.isRunning();
}

dw::Status Job::waitForFinished()
{
    if (!m_done) {
        QEventLoop loop;
        connect(this, &Job::finished, &loop, &QEventLoop::quit);
        if (!m_done)
            loop.exec();
    }
    return m_status;
}

Job* runWithProgress(QWidget* parent, const QString& title, JobFunction function,
                     std::function<void(const dw::Status&)> done)
{
    auto* job = new Job(title, std::move(function), parent);
    auto* dialog = new QProgressDialog(title, QObject::tr("Cancel"), 0, 0, parent);
    dialog->setWindowTitle(title);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    dialog->setMinimumWidth(420);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    QObject::connect(dialog, &QProgressDialog::canceled, job, [job, dialog] {
        dialog->setLabelText(QObject::tr("Cancelling\u2026"));
        job->cancel();
    });
    QObject::connect(job, &Job::progressChanged, dialog,
                     [dialog, title](int d, int t, const QString& text) {
                         dialog->setMaximum(std::max(t, 0));
                         if (t > 0)
                             dialog->setValue(std::min(d, t));
                         if (!text.isEmpty())
                             dialog->setLabelText(text);
                     });
    QObject::connect(job, &Job::finished, job, [job, dialog, done](const dw::Status& s) {
        dialog->hide();
        dialog->deleteLater();
        if (done)
            done(s);
        job->deleteLater();
    });
    job->start();
    return job;
}

dw::Status importJob(const std::filesystem::path& root,
                     const std::vector<std::filesystem::path>& paths, QString& report,
                     JobControl& control)
{
    auto project = dw::Project::open(root);
    if (!project)
        return project.error();
    control.progress(0, 0, QObject::tr("Scanning files\u2026"));
    auto r = dw::audio::importPaths(*project, paths, {}, [&control](int done, int total) {
        control.progress(done, total,
                         QObject::tr("Importing file %1 of %2\u2026").arg(done).arg(total));
    });
    if (!r)
        return r.error();
    report = QString::fromStdString(r->text());
    return {};
}

dw::Status demoDataJob(const std::filesystem::path& out, int seed,
                       const std::vector<std::string>& keywords, JobControl& control)
{
    control.progress(0, 0, QObject::tr("Synthesising keyword clips with espeak-ng\u2026"));
    dw::audio::DemoDataOptions options;
    options.out = out;
    options.seed = uint64_t(seed);
    options.keywords = keywords;
    options.cancel = control.cancelFlag();
    auto r = dw::audio::createDemoProject(options, [&control](int done, int total) {
        control.progress(done, total,
                         QObject::tr("Synthesising clip %1 of %2\u2026").arg(done).arg(total));
    });
    if (!r)
        return r.error();
    if (control.cancelled())
        return dw::makeError("demo dataset generation was cancelled after " +
                                 std::to_string(r->clips) + " clips",
                             "open the folder to use what was made, or generate again");
    return {};
}

dw::Status featureJob(const dw::Project& project, const dw::FeatureConfig& config, int threads,
                      QString& summary, JobControl& control)
{
    control.progress(0, int(project.clips().size()), QObject::tr("Computing features\u2026"));
    auto ds = dw::loadFeatureDataset(project, config, threads, [&control](int done, int total) {
        control.progress(done, total,
                         QObject::tr("Computing features: clip %1 of %2").arg(done).arg(total));
    });
    if (!ds)
        return ds.error();
    summary = QObject::tr("%1 clips \u00d7 %2 frames \u00d7 %3 coefficients (train %4, "
                          "validation %5, test %6), cached in the project")
                  .arg(ds->size())
                  .arg(ds->frames)
                  .arg(ds->coeffs)
                  .arg(ds->count(dw::Split::Train))
                  .arg(ds->count(dw::Split::Validation))
                  .arg(ds->count(dw::Split::Test));
    return {};
}

} // namespace dw::gui
