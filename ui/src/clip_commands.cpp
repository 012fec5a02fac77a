// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/clip_commands.h"

#include <QCoreApplication>

#include <algorithm>

namespace dw::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Runs `apply` on redo and `revert` on undo; the first redo is skipped because the factory
// already applied the edit (and reported its failure synchronously).
class ClipCommand : public QUndoCommand
{
public:
    ClipCommand(ClipEditTarget target, const QString& text, std::function<dw::Status()> apply,
                std::function<dw::Status()> revert)
        : QUndoCommand(text), m_target(std::move(target)), m_apply(std::move(apply)),
          m_revert(std::move(revert))
    {
    }

    void redo() override
    {
        if (m_first) {
            m_first = false;
            return;
        }
        run(m_apply);
    }
    void undo() override { run(m_revert); }

private:
    void run(const std::function<dw::Status()>& step)
    {
        const dw::Status s = step();
        if (!s && m_target.failed)
            m_target.failed(s.error());
        if (m_target.changed)
            m_target.changed();
    }

    ClipEditTarget m_target;
    std::function<dw::Status()> m_apply;
    std::function<dw::Status()> m_revert;
    bool m_first = true;
};

dw::Error noProject()
{
    return dw::makeError("no project is open", "open or create a project first");
}

CommandResult finish(const ClipEditTarget& t, dw::Status first, const QString& text,
                     std::function<dw::Status()> apply, std::function<dw::Status()> revert)
{
    if (!first)
        return first.error();
    if (t.changed)
        t.changed();
    return std::unique_ptr<QUndoCommand>(
        new ClipCommand(t, text, std::move(apply), std::move(revert)));
}

dw::Error clipNotFound(const std::string& clipId)
{
    return dw::makeError("clip '" + clipId + "' is not in the project",
                         "refresh the list; it may have been deleted");
}

// What relabel and move-to-split share: read the clip's current value, refuse a change to the
// same value (reason `sameText`, hint "choose another <noun>"), apply `set(value)` now, and
// undo by setting the old value back. `Field` reads the value from a Clip; `set` is a Project
// member function.
template <typename T, typename Field, typename Setter>
CommandResult changeClipField(const ClipEditTarget& t, const std::string& clipId, const T& value,
                              Field field, Setter set, const std::string& sameText,
                              const char* noun, const QString& commandText)
{
    if (!t.project)
        return noProject();
    const dw::Clip* c = t.project->findClip(clipId);
    if (!c)
        return clipNotFound(clipId);
    const T old = field(*c);
    if (old == value)
        return dw::makeError("clip '" + clipId + "' " + sameText,
                             std::string("choose another ") + noun);
    dw::Project* p = t.project;
    return finish(t, (p->*set)(clipId, value), commandText,
                  [p, clipId, value, set] { return (p->*set)(clipId, value); },
                  [p, clipId, old, set] { return (p->*set)(clipId, old); });
}

} // namespace

CommandResult relabelClip(const ClipEditTarget& t, const std::string& clipId,
                          const std::string& label)
{
    return changeClipField(
        t, clipId, label, [](const dw::Clip& c) { return c.label; }, &dw::Project::relabel,
        "already has label '" + label + "'", "label",
        QCoreApplication::translate("dw::ui", "Relabel %1 to %2").arg(qs(clipId), qs(label)));
}

CommandResult moveClipToSplit(const ClipEditTarget& t, const std::string& clipId,
                              dw::Split split)
{
    return changeClipField(
        t, clipId, split, [](const dw::Clip& c) { return c.split; }, &dw::Project::setSplit,
        std::string("is already in the ") + dw::splitName(split) + " split", "split",
        QCoreApplication::translate("dw::ui", "Move %1 to %2")
            .arg(qs(clipId), QString::fromLatin1(dw::splitName(split))));
}

CommandResult trashClip(const ClipEditTarget& t, const std::string& clipId)
{
    if (!t.project)
        return noProject();
    if (!t.project->findClip(clipId))
        return clipNotFound(clipId);
    dw::Project* p = t.project;
    return finish(t, p->trashClip(clipId),
                  QCoreApplication::translate("dw::ui", "Delete %1").arg(qs(clipId)),
                  [p, clipId] { return p->trashClip(clipId); },
                  [p, clipId] { return p->restoreClip(clipId); });
}

CommandResult replaceClipAudio(const ClipEditTarget& t, const std::string& clipId,
                               std::span<const int16_t> samples, const std::string& what)
{
    if (!t.project)
        return noProject();
    const dw::Clip* c = t.project->findClip(clipId);
    if (!c)
        return clipNotFound(clipId);
    if (samples.empty())
        return dw::makeError("the edited clip would have no samples",
                             "select a longer range and try again");
    const dw::Clip old = *c;
    dw::Project* p = t.project;
    auto added = p->addClip(old.label, samples, what + " of " + old.id, old.id, old.id);
    if (!added)
        return added.error();
    const std::string newId = added->id;
    dw::Status s;
    if (added->split != old.split)
        s = p->setSplit(newId, old.split);
    if (s)
        s = p->trashClip(clipId);
    if (!s) {
        // Leave the project as it was: drop the new clip again.
        (void)p->trashClip(newId);
        return s.error();
    }
    return finish(
        t, dw::Status::success(),
        QCoreApplication::translate("dw::ui", "Crop %1").arg(qs(clipId)),
        [p, clipId, newId]() -> dw::Status {
            if (auto r = p->restoreClip(newId); !r)
                return r;
            return p->trashClip(clipId);
        },
        [p, clipId, newId]() -> dw::Status {
            if (auto r = p->trashClip(newId); !r)
                return r;
            return p->restoreClip(clipId);
        });
}

std::vector<int16_t> cropToWindow(std::span<const int16_t> samples, int begin, int end,
                                  int window)
{
    const int n = int(samples.size());
    begin = std::clamp(begin, 0, n);
    end = std::clamp(end, 0, n);
    if (end < begin)
        std::swap(begin, end);
    if (n <= window) {
        if (end <= begin)
            return {samples.begin(), samples.end()};
        std::vector<int16_t> out(size_t(n), 0);
        std::copy(samples.begin() + begin, samples.begin() + end, out.begin() + begin);
        return out;
    }
    int centre = 0;
    if (end > begin) {
        centre = (begin + end) / 2;
    } else {
        // Loudest `window` samples (sliding sum of |x|).
        long long sum = 0, best = -1;
        int bestStart = 0;
        for (int i = 0; i < n; ++i) {
            sum += std::abs(int(samples[size_t(i)]));
            if (i >= window)
                sum -= std::abs(int(samples[size_t(i - window)]));
            if (i >= window - 1 && sum > best) {
                best = sum;
                bestStart = i - window + 1;
            }
        }
        centre = bestStart + window / 2;
    }
    const int start = std::clamp(centre - window / 2, 0, n - window);
    return {samples.begin() + start, samples.begin() + start + window};
}

} // namespace dw::ui
