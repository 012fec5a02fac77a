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

} // namespace

CommandResult relabelClip(const ClipEditTarget& t, const std::string& clipId,
                          const std::string& label)
{
    if (!t.project)
        return noProject();
    const dw::Clip* c = t.project->findClip(clipId);
    if (!c)
        return dw::makeError("clip '" + clipId + "' is not in the project",
                             "refresh the list; it may have been deleted");
    const std::string old = c->label;
    if (old == label)
        return dw::makeError("clip '" + clipId + "' already has label '" + label + "'",
                             "choose another label");
    dw::Project* p = t.project;
    return finish(t, p->relabel(clipId, label),
                  QCoreApplication::translate("dw::ui", "Relabel %1 to %2")
                      .arg(qs(clipId), qs(label)),
                  [p, clipId, label] { return p->relabel(clipId, label); },
                  [p, clipId, old] { return p->relabel(clipId, old); });
}

CommandResult moveClipToSplit(const ClipEditTarget& t, const std::string& clipId,
                              dw::Split split)
{
    if (!t.project)
        return noProject();
    const dw::Clip* c = t.project->findClip(clipId);
    if (!c)
        return dw::makeError("clip '" + clipId + "' is not in the project",
                             "refresh the list; it may have been deleted");
    const dw::Split old = c->split;
    if (old == split)
        return dw::makeError("clip '" + clipId + "' is already in the " +
                                 dw::splitName(split) + " split",
                             "choose another split");
    dw::Project* p = t.project;
    return finish(t, p->setSplit(clipId, split),
                  QCoreApplication::translate("dw::ui", "Move %1 to %2")
                      .arg(qs(clipId), QString::fromLatin1(dw::splitName(split))),
                  [p, clipId, split] { return p->setSplit(clipId, split); },
                  [p, clipId, old] { return p->setSplit(clipId, old); });
}

CommandResult trashClip(const ClipEditTarget& t, const std::string& clipId)
{
    if (!t.project)
        return noProject();
    if (!t.project->findClip(clipId))
        return dw::makeError("clip '" + clipId + "' is not in the project",
                             "refresh the list; it may have been deleted");
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
        return dw::makeError("clip '" + clipId + "' is not in the project",
                             "refresh the list; it may have been deleted");
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
