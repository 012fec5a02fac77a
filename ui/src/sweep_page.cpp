// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/sweep_page.h"

#include "dw/core/atomic_file.h"
#include "dw/ui/pareto_plot.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace dw::ui {

SweepPage::SweepPage(QWidget* parent) : QWidget(parent)
{
    setObjectName("sweepPage");
    m_binary = QDir(QCoreApplication::applicationDirPath()).filePath("dendrite");
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(16, 12, 16, 12);
    auto* title = new QLabel(tr("<b>Sweeps</b> - params vs test accuracy by model type"), this);
    outer->addWidget(title);

    auto* split = new QSplitter(Qt::Horizontal, this);
    auto* left = new QWidget(split);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(new QLabel(tr("Search space (sweep file, JSON):"), left));
    m_editor = new QPlainTextEdit(left);
    m_editor->setObjectName("sweepEditor");
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    ll->addWidget(m_editor, 1);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(new QLabel(tr("Output folder:"), left));
    m_out = new QLineEdit(left);
    m_out->setObjectName("sweepOut");
    outRow->addWidget(m_out, 1);
    auto* browse = new QPushButton(tr("..."), left);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Sweep folder"), m_out->text());
        if (!d.isEmpty())
            setOutputDir(d);
    });
    outRow->addWidget(browse);
    ll->addLayout(outRow);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("Jobs:"), left));
    m_jobs = new QSpinBox(left);
    m_jobs->setRange(1, 64);
    m_jobs->setValue(2);
    m_jobs->setToolTip(tr("Trials trained at the same time, one process (and one core) each"));
    runRow->addWidget(m_jobs);
    m_start = new QPushButton(tr("Start / resume"), left);
    m_start->setObjectName("sweepStart");
    m_stop = new QPushButton(tr("Stop"), left);
    m_stop->setObjectName("sweepStop");
    m_stop->setEnabled(false);
    runRow->addWidget(m_start);
    runRow->addWidget(m_stop);
    runRow->addStretch(1);
    ll->addLayout(runRow);
    auto* rerunRow = new QHBoxLayout;
    m_rerun = new QPushButton(tr("Re-run the frontier"), left);
    m_rerun->setObjectName("sweepRerun");
    m_rerun->setToolTip(tr("Repeat every frontier trial with new seeds, to see how much of the "
                           "frontier is luck"));
    m_seeds = new QSpinBox(left);
    m_seeds->setRange(1, 20);
    m_seeds->setValue(3);
    m_seeds->setSuffix(tr(" seeds"));
    rerunRow->addWidget(m_rerun);
    rerunRow->addWidget(m_seeds);
    rerunRow->addStretch(1);
    ll->addLayout(rerunRow);
    m_status = new QLabel(tr("No sweep folder yet."), left);
    m_status->setObjectName("sweepStatus");
    m_status->setWordWrap(true);
    ll->addWidget(m_status);
    m_message = new QLabel(left);
    m_message->setWordWrap(true);
    ll->addWidget(m_message);

    auto* right = new QSplitter(Qt::Vertical, split);
    m_plot = new ParetoPlot(right);
    m_findings = new QTableWidget(right);
    m_findings->setObjectName("sweepFindings");
    m_findings->setColumnCount(7);
    m_findings->setHorizontalHeaderLabels(
        {tr("finding"), tr("trial"), tr("type"), tr("params"), tr("val"),
         tr("test [95 % CI]"), tr("note")});
    m_findings->horizontalHeader()->setStretchLastSection(true);
    m_findings->verticalHeader()->setVisible(false);
    m_findings->setEditTriggers(QAbstractItemView::NoEditTriggers);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    outer->addWidget(split, 1);

    connect(m_plot, &ParetoPlot::runActivated, this, &SweepPage::runActivated);
    connect(m_start, &QPushButton::clicked, this, &SweepPage::start);
    connect(m_stop, &QPushButton::clicked, this, &SweepPage::stop);
    connect(m_rerun, &QPushButton::clicked, this, &SweepPage::rerunFrontier);
    connect(m_out, &QLineEdit::editingFinished, this, &SweepPage::refresh);

    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &SweepPage::refresh);
    m_timer->start();
}

SweepPage::~SweepPage()
{
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        m_proc->terminate(); // trials stop cleanly and resume later
        m_proc->waitForFinished(10000);
    }
}

void SweepPage::setDendriteBinary(const QString& path) { m_binary = path; }

void SweepPage::setProject(const QString& projectDir)
{
    m_project = projectDir;
    if (m_out->text().isEmpty() && !projectDir.isEmpty())
        setOutputDir(QDir(projectDir).filePath("sweeps/sweep"));
}

bool SweepPage::loadSweepFile(const QString& file)
{
    auto text = dw::readFile(file.toStdString());
    if (!text) {
        setMessage(QString::fromStdString(text.error().text()), true);
        return false;
    }
    m_editor->setPlainText(QString::fromStdString(*text));
    if (!m_project.isEmpty())
        setOutputDir(QDir(m_project).filePath("sweeps/" + QFileInfo(file).completeBaseName()));
    return true;
}

void SweepPage::setSweepText(const QString& json) { m_editor->setPlainText(json); }
QString SweepPage::sweepText() const { return m_editor->toPlainText(); }

void SweepPage::setOutputDir(const QString& dir)
{
    m_out->setText(dir);
    m_lastRowCount = size_t(-1);
    refresh();
}

QString SweepPage::outputDir() const { return m_out->text(); }
void SweepPage::setJobs(int jobs) { m_jobs->setValue(jobs); }
bool SweepPage::isRunning() const { return m_proc && m_proc->state() != QProcess::NotRunning; }
QString SweepPage::statusText() const { return m_status->text(); }

QString SweepPage::validateSweep() const
{
    auto spec = dw::sweep::parseSweep(m_editor->toPlainText().toStdString());
    return spec ? QString() : QString::fromStdString(spec.error().text());
}

void SweepPage::setMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? "color: #b00020;" : "color: #3a4a5a;");
}

void SweepPage::launch(const QStringList& args)
{
    if (isRunning())
        return;
    if (!QFileInfo(m_binary).isExecutable()) {
        setMessage(tr("Cannot find the dendrite program at %1.").arg(m_binary), true);
        return;
    }
    if (!m_proc) {
        m_proc = new QProcess(this);
        m_proc->setProcessChannelMode(QProcess::MergedChannels);
        connect(m_proc, &QProcess::readyRead, this, [this] {
            m_log += QString::fromUtf8(m_proc->readAll());
            const auto lines = m_log.split('\n', Qt::SkipEmptyParts);
            if (!lines.isEmpty())
                setMessage(lines.back());
            if (m_log.size() > 20000)
                m_log = m_log.right(10000);
        });
        connect(m_proc, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
            m_start->setEnabled(true);
            m_rerun->setEnabled(true);
            m_stop->setEnabled(false);
            refresh();
            if (code != 0) {
                const auto lines = m_log.split('\n', Qt::SkipEmptyParts);
                setMessage(code == 4 ? tr("Stopped. Start again to resume: finished trials are "
                                          "kept.")
                                     : (lines.isEmpty() ? tr("The sweep failed (exit %1).")
                                                              .arg(code)
                                                        : lines.back()),
                           code != 4);
            }
            Q_EMIT runningChanged(false);
            Q_EMIT finished(code);
        });
    }
    m_log.clear();
    m_proc->start(m_binary, args);
    m_start->setEnabled(false);
    m_rerun->setEnabled(false);
    m_stop->setEnabled(true);
    Q_EMIT runningChanged(true);
}

void SweepPage::start()
{
    if (const QString err = validateSweep(); !err.isEmpty()) {
        setMessage(err, true);
        return;
    }
    if (m_out->text().isEmpty()) {
        setMessage(tr("Choose an output folder for the sweep."), true);
        return;
    }
    QDir().mkpath(m_out->text());
    // The editor's text is the sweep: saved next to the results, then run (or resumed).
    const QString file = QDir(m_out->text()).filePath("sweep-edit.json");
    if (auto s = dw::writeFileAtomic(file.toStdString(), m_editor->toPlainText().toStdString());
        !s) {
        setMessage(QString::fromStdString(s.error().text()), true);
        return;
    }
    QStringList args = {"sweep", "run", file, "--out", m_out->text(), "--jobs",
                        QString::number(m_jobs->value())};
    if (!m_project.isEmpty())
        args << "--project" << m_project;
    launch(args);
}

void SweepPage::stop()
{
    if (isRunning()) {
        setMessage(tr("Stopping: running trials finish their batch and stop..."));
        m_proc->terminate();
    }
}

void SweepPage::rerunFrontier()
{
    launch({"sweep", "rerun-frontier", m_out->text(), "--seeds", QString::number(m_seeds->value()),
            "--jobs", QString::number(m_jobs->value())});
}

void SweepPage::refresh()
{
    const QString dir = m_out->text();
    if (dir.isEmpty() || !QFileInfo::exists(QDir(dir).filePath("sweep.json")))
        return;
    auto sd = dw::sweep::SweepDir::open(dir.toStdString());
    if (!sd) {
        m_status->setText(QString::fromStdString(sd.error().text()));
        return;
    }
    const auto scan = sd->scan();
    int finished = 0, failed = 0;
    for (const auto& r : scan.rows)
        if (r.index >= 0)
            (r.finished() ? finished : failed)++;
    m_status->setText(tr("%1 of %2 trials finished, %3 failed, %4 running, %5 pending%6")
                          .arg(finished)
                          .arg(scan.total)
                          .arg(failed)
                          .arg(scan.running.size())
                          .arg(scan.missing.size())
                          .arg(scan.corrupt.empty()
                                   ? QString()
                                   : tr(", %1 corrupt rows (rerun on resume)")
                                         .arg(scan.corrupt.size())));
    if (scan.rows.size() == m_lastRowCount)
        return;
    m_lastRowCount = scan.rows.size();
    m_plot->setTitle(QString::fromStdString("sweep '" + sd->spec().name + "'"));
    m_plot->setRows(scan.rows, dir);
    updateFindings(scan.rows);
}

void SweepPage::updateFindings(const std::vector<dw::sweep::TrialRow>& rows)
{
    const auto f = dw::sweep::computeFindings(rows);
    std::vector<dw::sweep::Finding> items = f.items;
    for (const auto& m : dw::sweep::modeOrder())
        if (auto it = f.perBudget.find(m); it != f.perBudget.end())
            items.insert(items.end(), it->second.begin(), it->second.end());
    m_findings->setRowCount(int(items.size()) + 1);
    QString counts;
    for (const auto& [m, n] : f.trialsPerMode)
        counts += QString("%1%2 %3").arg(counts.isEmpty() ? "" : ", ", QString::fromStdString(m))
                      .arg(n);
    auto set = [this](int r, int c, const QString& t) {
        m_findings->setItem(r, c, new QTableWidgetItem(t));
    };
    set(0, 0, tr("trials it rests on"));
    set(0, 6, counts.isEmpty() ? tr("none finished") : counts);
    for (size_t i = 0; i < items.size(); ++i) {
        const auto& x = items[i];
        const int r = int(i) + 1;
        set(r, 0, QString::fromStdString(x.what));
        set(r, 1, QString::fromStdString(x.id));
        set(r, 2, QString::fromStdString(x.mode));
        if (!x.id.empty()) {
            set(r, 3, QLocale(QLocale::English).toString(x.params));
            set(r, 4, QString::number(x.val, 'f', 3));
            set(r, 5, QString("%1 [%2, %3]")
                          .arg(x.test, 0, 'f', 3)
                          .arg(x.ci.lo, 0, 'f', 3)
                          .arg(x.ci.hi, 0, 'f', 3));
        }
        set(r, 6, QString::fromStdString(x.note));
    }
    m_findings->resizeColumnsToContents();
}

} // namespace dw::ui
