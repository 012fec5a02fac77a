// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/run_history.h"

#include "dw/ui/plot_style.h"
#include "dw/ui/run_plots.h"

#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <numeric>

namespace dw::ui {

namespace {
enum Column { ColDate, ColRun, ColType, ColParams, ColVal, ColTest, ColDendrites, ColEpochs,
              ColDuration, ColStatus, ColCount };

QString durationText(double s)
{
    if (s <= 0)
        return "-";
    const int t = int(s + 0.5);
    if (t >= 3600)
        return QString("%1 h %2 min").arg(t / 3600).arg((t / 60) % 60);
    if (t >= 60)
        return QString("%1 min %2 s").arg(t / 60).arg(t % 60);
    return QString("%1 s").arg(t);
}

// A numeric item that sorts by value, not text.
class NumberItem : public QTableWidgetItem
{
public:
    NumberItem(const QString& text, double v) : QTableWidgetItem(text) { setData(Qt::UserRole, v); }
    bool operator<(const QTableWidgetItem& o) const override
    {
        return data(Qt::UserRole).toDouble() < o.data(Qt::UserRole).toDouble();
    }
};
} // namespace

RunHistory::RunHistory(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* buttons = new QHBoxLayout;
    m_openButton = new QPushButton(tr("Open"), this);
    m_openButton->setToolTip(tr("Show the run's plots."));
    m_compareButton = new QPushButton(tr("Compare selected"), this);
    m_compareButton->setToolTip(tr("Select two or more runs (Ctrl/Shift-click) to compare."));
    m_resumeButton = new QPushButton(tr("Resume"), this);
    m_resumeButton->setToolTip(tr("Continue a stopped run from its latest checkpoint."));
    m_reportButton = new QPushButton(tr("Report (HTML)..."), this);
    m_deleteButton = new QPushButton(tr("Delete..."), this);
    m_deleteButton->setToolTip(tr("Move the run folder to the project's trash/runs (asks first)."));
    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    for (QPushButton* b : {m_openButton, m_compareButton, m_resumeButton, m_reportButton,
                           m_deleteButton, refreshButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    layout->addWidget(m_message);
    m_table = new QTableWidget(0, ColCount, this);
    m_table->setHorizontalHeaderLabels({tr("Date"), tr("Run"), tr("Type"), tr("Params"),
                                        tr("Val"), tr("Test"), tr("Dendrites"), tr("Epochs"),
                                        tr("Duration"), tr("Status")});
    m_table->horizontalHeaderItem(ColParams)->setToolTip(
        tr("Clean parameter count (spec section 2): base network plus dendrite weights."));
    m_table->horizontalHeaderItem(ColTest)->setToolTip(
        tr("Test accuracy at the epoch with the best validation accuracy."));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSortingEnabled(true);
    layout->addWidget(m_table, 1);

    m_watcher = new QFileSystemWatcher(this);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &RunHistory::refresh);
    m_timer = new QTimer(this);
    m_timer->setInterval(3000);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
    });
    m_timer->start();

    auto firstSelected = [this]() -> QString {
        auto sel = selectedRuns();
        return sel.empty() ? QString() : QString::fromStdString(sel.front().string());
    };
    connect(m_openButton, &QPushButton::clicked, this, [this, firstSelected] {
        if (const QString d = firstSelected(); !d.isEmpty())
            Q_EMIT openRequested(d);
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this, firstSelected] {
        if (const QString d = firstSelected(); !d.isEmpty())
            Q_EMIT openRequested(d);
    });
    connect(m_compareButton, &QPushButton::clicked, this, [this] {
        QStringList dirs;
        for (const auto& d : selectedRuns())
            dirs << QString::fromStdString(d.string());
        if (dirs.isEmpty()) {
            showMessage(tr("Select the runs to compare first (Ctrl-click for several)."), true);
            return;
        }
        Q_EMIT compareRequested(dirs);
    });
    connect(m_resumeButton, &QPushButton::clicked, this, [this, firstSelected] {
        if (const QString d = firstSelected(); !d.isEmpty())
            Q_EMIT resumeRequested(d);
    });
    connect(m_reportButton, &QPushButton::clicked, this, [this, firstSelected] {
        if (const QString d = firstSelected(); !d.isEmpty())
            Q_EMIT reportRequested(d);
    });
    connect(m_deleteButton, &QPushButton::clicked, this, [this] {
        for (const auto& d : selectedRuns())
            if (auto s = deleteRun(d); !s) {
                showMessage(QString::fromStdString(s.error().text()), true);
                break;
            }
    });
    connect(refreshButton, &QPushButton::clicked, this, &RunHistory::refresh);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &RunHistory::updateButtons);
    updateButtons();
}

bool RunHistory::confirm(const QString& title, const QString& text) const
{
    if (m_confirm)
        return m_confirm(title, text);
    return QMessageBox::question(const_cast<RunHistory*>(this), title, text) == QMessageBox::Yes;
}

void RunHistory::setRunsDir(const std::filesystem::path& runsDir)
{
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    m_runsDir = runsDir;
    m_signature.clear();
    if (!runsDir.empty() && std::filesystem::is_directory(runsDir))
        m_watcher->addPath(QString::fromStdString(runsDir.string()));
    refresh();
}

void RunHistory::refresh()
{
    if (m_runsDir.empty()) {
        m_runs.clear();
        m_table->setRowCount(0);
        return;
    }
    // The folder may appear after the first run; start watching it then.
    if (m_watcher->directories().isEmpty() && std::filesystem::is_directory(m_runsDir))
        m_watcher->addPath(QString::fromStdString(m_runsDir.string()));
    std::vector<RunRecord> runs = listRuns(m_runsDir);
    // Skip the table rebuild (and the lost selection) when nothing changed.
    QString sig;
    for (const RunRecord& r : runs)
        sig += QString::fromStdString(r.name + "|" + r.status + "|") +
               QString::number(r.epochs.size()) + ";";
    if (sig == m_signature)
        return;
    m_signature = sig;
    const auto selected = selectedRuns();
    m_runs = std::move(runs);
    m_table->setSortingEnabled(false);
    m_table->setRowCount(int(m_runs.size()));
    for (int row = 0; row < int(m_runs.size()); ++row) {
        const RunRecord& r = m_runs[row];
        const std::string mode = r.summary ? r.summary->mode : r.config.mode;
        long long params = r.summary ? r.summary->params
                                     : (r.epochs.empty() ? 0 : r.epochs.back().params);
        double val = r.summary ? r.summary->val_accuracy : 0;
        double test = r.summary ? r.summary->test_accuracy : 0;
        if (!r.summary)
            for (const auto& e : r.epochs)
                if (e.val_accuracy > val) {
                    val = e.val_accuracy;
                    test = e.test_accuracy;
                }
        std::vector<int> dendrites = r.summary ? r.summary->dendrites
                                               : (r.epochs.empty() ? std::vector<int>{}
                                                                   : r.epochs.back().dendrites);
        QStringList dtext;
        for (int d : dendrites)
            dtext << QString::number(d);
        double seconds = r.summary ? r.summary->seconds : 0;
        if (!r.summary)
            for (const auto& e : r.epochs)
                seconds += e.seconds;
        const int epochs = r.summary ? r.summary->epochs : int(r.epochs.size());
        QString date = QString::fromStdString(r.startedAt);
        date.replace('T', ' ');
        if (date.size() > 19)
            date.truncate(19);
        auto* nameItem = new QTableWidgetItem(QString::fromStdString(r.name));
        nameItem->setData(Qt::UserRole, QString::fromStdString(r.dir.string()));
        auto* typeItem = new QTableWidgetItem(QString::fromStdString(mode));
        typeItem->setForeground(modelTypeColor(mode));
        QFont bold = typeItem->font();
        bold.setBold(true);
        typeItem->setFont(bold);
        m_table->setItem(row, ColDate, new QTableWidgetItem(date));
        m_table->setItem(row, ColRun, nameItem);
        m_table->setItem(row, ColType, typeItem);
        m_table->setItem(row, ColParams, new NumberItem(formatCount(params), double(params)));
        m_table->setItem(row, ColVal, new NumberItem(QString::number(val, 'f', 3), val));
        m_table->setItem(row, ColTest, new NumberItem(QString::number(test, 'f', 3), test));
        m_table->setItem(row, ColDendrites, new QTableWidgetItem(dtext.join(" / ")));
        m_table->setItem(row, ColEpochs, new NumberItem(QString::number(epochs), epochs));
        m_table->setItem(row, ColDuration, new NumberItem(durationText(seconds), seconds));
        auto* status = new QTableWidgetItem(QString::fromStdString(r.status));
        if (r.status.rfind("failed", 0) == 0)
            status->setForeground(QColor(0xc0, 0x39, 0x2b));
        m_table->setItem(row, ColStatus, status);
    }
    m_table->setSortingEnabled(true);
    m_table->resizeColumnsToContents();
    selectRuns(selected);
    updateButtons();
}

int RunHistory::rowOf(const std::filesystem::path& runDir) const
{
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (auto* item = m_table->item(row, ColRun))
            if (std::filesystem::path(item->data(Qt::UserRole).toString().toStdString()) ==
                runDir)
                return row;
    return -1;
}

std::vector<std::filesystem::path> RunHistory::selectedRuns() const
{
    std::vector<std::filesystem::path> out;
    for (QModelIndex idx : m_table->selectionModel()->selectedRows(ColRun))
        out.emplace_back(idx.data(Qt::UserRole).toString().toStdString());
    return out;
}

void RunHistory::selectRuns(const std::vector<std::filesystem::path>& dirs)
{
    m_table->clearSelection();
    for (const auto& d : dirs)
        if (int row = rowOf(d); row >= 0)
            m_table->selectionModel()->select(
                m_table->model()->index(row, 0),
                QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void RunHistory::updateButtons()
{
    const auto sel = selectedRuns();
    m_openButton->setEnabled(sel.size() == 1);
    m_resumeButton->setEnabled(sel.size() == 1);
    m_reportButton->setEnabled(sel.size() == 1);
    m_compareButton->setEnabled(!sel.empty());
    m_deleteButton->setEnabled(!sel.empty());
}

void RunHistory::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? "color: #c0392b; font-weight: bold;" : "color: #2d6a2d;");
    m_message->setVisible(!text.isEmpty());
}

QString RunHistory::messageText() const { return m_message->text(); }

Status RunHistory::deleteRun(const std::filesystem::path& runDir)
{
    const std::string name = runDir.filename().string();
    if (!m_active.empty() && runDir == m_active)
        return makeError("run '" + name + "' is training right now and cannot be deleted",
                         "stop it on the Train page first, then delete it");
    auto rec = readRun(runDir);
    QString extra;
    if (rec && rec->status == "running")
        extra = tr("\n\nIts status says it is still running (perhaps a `dendrite train` in a "
                   "terminal, or a run that crashed). Delete it only if nothing is training it.");
    if (!m_open.empty() && runDir == m_open)
        extra += tr("\n\nIt is open in a view; that view will be cleared.");
    if (!confirm(tr("Delete run"),
                 tr("Delete run '%1'? Its folder is moved to the project's trash/runs.")
                         .arg(QString::fromStdString(name)) +
                     extra))
        return {};
    const std::filesystem::path trash = m_runsDir.parent_path() / "trash" / "runs";
    std::error_code ec;
    std::filesystem::create_directories(trash, ec);
    std::filesystem::path target = trash / name;
    for (int n = 2; std::filesystem::exists(target); ++n)
        target = trash / (name + "-" + std::to_string(n));
    if (!ec)
        std::filesystem::rename(runDir, target, ec);
    if (ec)
        return makeError("could not move run '" + name + "' to the trash: " + ec.message(),
                         "check that the project folder is writable");
    if (runDir == m_open)
        m_open.clear();
    showMessage(tr("Run '%1' moved to trash/runs.").arg(QString::fromStdString(name)), false);
    Q_EMIT runDeleted(QString::fromStdString(runDir.string()));
    refresh();
    return {};
}

} // namespace dw::ui
