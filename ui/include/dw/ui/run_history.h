// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every run folder of the project (<project>/runs, dw::listRuns): date, run, type, params, val,
// test, dendrites, epochs, duration, status. Refreshes when the folder changes (file watcher) and
// every few seconds while visible, so runs started from the CLI appear. Open shows a run's
// plots, Compare sends the selection to the compare view, Delete asks first and moves the folder
// to <project>/trash/runs (never the run that is training). GUI thread only.

#include "dw/core/result.h"
#include "dw/core/run_record.h"

#include <QStringList>
#include <QWidget>

#include <filesystem>
#include <functional>
#include <vector>

class QFileSystemWatcher;
class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace dw::ui {

class RunHistory : public QWidget
{
    Q_OBJECT
public:
    explicit RunHistory(QWidget* parent = nullptr);

    // <project>/runs (need not exist yet); empty: no project.
    void setRunsDir(const std::filesystem::path& runsDir);
    const std::vector<RunRecord>& runs() const { return m_runs; }
    int rowOf(const std::filesystem::path& runDir) const;

    // The run being trained by this app (never deletable) and the run shown in a view.
    void setActiveRun(const std::filesystem::path& runDir) { m_active = runDir; }
    void setOpenRun(const std::filesystem::path& runDir) { m_open = runDir; }

    using ConfirmHook = std::function<bool(const QString& title, const QString& text)>;
    void setConfirmHook(ConfirmHook hook) { m_confirm = std::move(hook); }

    // Deletes (moves to trash) after asking; an Error says why it refused.
    Status deleteRun(const std::filesystem::path& runDir);
    std::vector<std::filesystem::path> selectedRuns() const;
    void selectRuns(const std::vector<std::filesystem::path>& dirs);
    QTableWidget* table() const { return m_table; }
    QString messageText() const;

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void openRequested(const QString& runDir);
    void compareRequested(const QStringList& runDirs);
    void resumeRequested(const QString& runDir);
    void reportRequested(const QString& runDir);
    void runDeleted(const QString& runDir);

private:
    void showMessage(const QString& text, bool error);
    bool confirm(const QString& title, const QString& text) const;
    void updateButtons();

    std::filesystem::path m_runsDir;
    std::filesystem::path m_active, m_open;
    std::vector<RunRecord> m_runs;
    QTableWidget* m_table = nullptr;
    QLabel* m_message = nullptr;
    QPushButton* m_openButton = nullptr;
    QPushButton* m_compareButton = nullptr;
    QPushButton* m_resumeButton = nullptr;
    QPushButton* m_reportButton = nullptr;
    QPushButton* m_deleteButton = nullptr;
    QFileSystemWatcher* m_watcher = nullptr;
    QTimer* m_timer = nullptr;
    QString m_signature;
    ConfirmHook m_confirm;
};

} // namespace dw::ui
