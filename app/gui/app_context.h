// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every page of the workbench shares: the open project, the undo stack, the settings, the
// playback device and the message bar. Pages get an AppContext& from their factory (see
// page_registry.h) and listen to projectChanged()/projectModified().
// GUI thread only. The Project is owned here and mutated only on the GUI thread; background jobs
// work on their own copy or their own Project::open (see workers.h) and the context reloads.

#include "dw/core/project.h"
#include "dw/core/project_lock.h"
#include "dw/core/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <filesystem>
#include <memory>
#include <optional>

class QAction;
class QUndoStack;

namespace dw::ui {
class ClipPlayer;
}

namespace dw::gui {

class Settings;

class AppContext : public QObject
{
    Q_OBJECT
public:
    AppContext(Settings& settings, QObject* parent = nullptr);
    ~AppContext() override;

    dw::Project* project() const { return m_project.get(); }
    bool hasProject() const { return m_project != nullptr; }
    QString projectName() const;
    QUndoStack* undoStack() const { return m_undo; }
    Settings& settings() const { return m_settings; }

    // Playback for every page; never null (a disabled player when there is no output device).
    dw::ui::ClipPlayer* player() const { return m_player.get(); }
    void setPlayer(std::unique_ptr<dw::ui::ClipPlayer> player);

    // Opens a project folder; on success it becomes current (undo history cleared, recent list
    // updated) and any open-time repairs are reported as a warning.
    dw::Status openProject(const std::filesystem::path& root);
    dw::Status createProject(const std::filesystem::path& root,
                             const std::vector<std::string>& labels);
    // Re-reads the current project from disk (after a background job changed it).
    dw::Status reloadProject();
    void closeProject();

    // The clip selected on the Dataset page (other pages preview it); empty when none.
    QString currentClipId() const { return m_currentClip; }
    void setCurrentClipId(const QString& id)
    {
        if (id == m_currentClip)
            return;
        m_currentClip = id;
        Q_EMIT currentClipChanged(id);
    }

    // Pages call this after they changed the project through its API.
    void notifyProjectModified() { Q_EMIT projectModified(); }

    // Application actions by name ("new-project", "open-project", "import-files",
    // "import-folder", "generate-demo", "feature-settings", ...), registered by the main window so
    // pages can offer the same commands as the menus. trigger() of an unknown name does nothing.
    void registerAction(const QString& name, QAction* action) { m_actions.insert(name, action); }
    QAction* action(const QString& name) const { return m_actions.value(name); }
    void trigger(const QString& name) const;

    // Shown in the main window's message bar.
    void reportError(const dw::Error& error) { Q_EMIT errorReported(error); }
    void reportWarning(const QString& what, const QString& hint = {})
    {
        Q_EMIT warningReported(what, hint);
    }
    void reportInfo(const QString& text) { Q_EMIT infoReported(text); }

Q_SIGNALS:
    void projectChanged();  // another project (or none) is current
    void projectModified(); // the current project's clips/labels/settings changed
    void currentClipChanged(const QString& id);
    void errorReported(const dw::Error& error);
    void warningReported(const QString& what, const QString& hint);
    void infoReported(const QString& text);

private:
    void adopt(dw::Project project);

    Settings& m_settings;
    std::unique_ptr<dw::Project> m_project;
    std::optional<dw::ProjectLock> m_lock; // held while m_project is open
    QUndoStack* m_undo = nullptr;
    std::unique_ptr<dw::ui::ClipPlayer> m_player;
    QHash<QString, QPointer<QAction>> m_actions;
    QString m_currentClip;
};

} // namespace dw::gui
