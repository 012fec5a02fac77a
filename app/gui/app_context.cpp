// SPDX-License-Identifier: GPL-3.0-or-later
#include "app_context.h"

#include "settings.h"

#include "dw/ui/clip_player.h"

#include <QAction>
#include <QUndoStack>

namespace dw::gui {

namespace {
// Used until the app installs a real player (and in tests): says why nothing plays.
class NoPlayer : public dw::ui::ClipPlayer
{
public:
    bool canPlay() const override { return false; }
    QString unavailableReason() const override
    {
        return QObject::tr("no audio output is configured");
    }
    dw::Status play(std::vector<int16_t>, int) override
    {
        return dw::makeError("no audio output is configured", "connect an output device");
    }
    void stop() override {}
    bool isPlaying() const override { return false; }
};
} // namespace

AppContext::AppContext(Settings& settings, QObject* parent)
    : QObject(parent), m_settings(settings), m_undo(new QUndoStack(this)),
      m_player(std::make_unique<NoPlayer>())
{
    m_undo->setUndoLimit(200);
}

AppContext::~AppContext()
{
    // Commands hold raw Project pointers: drop them before the project.
    m_undo->clear();
}

void AppContext::trigger(const QString& name) const
{
    if (QAction* a = m_actions.value(name); a && a->isEnabled())
        a->trigger();
}

void AppContext::setPlayer(std::unique_ptr<dw::ui::ClipPlayer> player)
{
    m_player = player ? std::move(player) : std::make_unique<NoPlayer>();
}

QString AppContext::projectName() const
{
    if (!m_project)
        return {};
    return QString::fromStdString(m_project->root().filename().string());
}

void AppContext::adopt(dw::Project project)
{
    m_undo->clear();
    m_currentClip.clear();
    m_project = std::make_unique<dw::Project>(std::move(project));
    m_settings.addRecentProject(QString::fromStdString(m_project->root().string()));
    Q_EMIT projectChanged();
    const auto& report = m_project->openReport();
    if (!report.empty()) {
        QString lines;
        for (const auto& l : report)
            lines += QString::fromStdString(l) + "\n";
        reportWarning(tr("The project was repaired when it was opened (%n change(s))", nullptr,
                         int(report.size())),
                      lines.trimmed());
    }
}

dw::Status AppContext::openProject(const std::filesystem::path& root)
{
    // One writer per project (dw/core/project_lock.h). Reopening the project this window already
    // holds keeps its lock.
    std::error_code ec;
    std::optional<dw::ProjectLock> lock;
    if (!(m_lock && m_project && std::filesystem::equivalent(m_project->root(), root, ec))) {
        auto l = dw::ProjectLock::acquire(root);
        if (!l)
            return l.error();
        lock.emplace(std::move(*l));
    }
    // The writer's open (stale temporaries removed) only with the lock in hand.
    auto p = dw::Project::open(root, lock ? &*lock : m_lock ? &*m_lock : nullptr);
    if (!p)
        return p.error(); // a lock taken above is released here
    if (lock)
        m_lock = std::move(lock);
    adopt(std::move(*p));
    return {};
}

dw::Status AppContext::createProject(const std::filesystem::path& root,
                                     const std::vector<std::string>& labels)
{
    auto p = dw::Project::create(root, labels);
    if (!p)
        return p.error();
    auto lock = dw::ProjectLock::acquire(root);
    if (!lock)
        return lock.error();
    m_lock = std::move(*lock);
    p->setFeatureConfig(m_settings.featureDefaults());
    if (auto s = p->save(); !s)
        return s;
    adopt(std::move(*p));
    return {};
}

dw::Status AppContext::reloadProject()
{
    if (!m_project)
        return dw::makeError("no project is open", "open or create a project first");
    auto p = dw::Project::open(m_project->root(), m_lock ? &*m_lock : nullptr);
    if (!p)
        return p.error();
    m_undo->clear();
    *m_project = std::move(*p);
    Q_EMIT projectChanged();
    return {};
}

void AppContext::closeProject()
{
    m_undo->clear();
    m_currentClip.clear();
    m_project.reset();
    m_lock.reset();
    Q_EMIT projectChanged();
}

} // namespace dw::gui
