// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Undoable clip edits on a dw::Project (QUndoCommand). Each factory performs the edit at once and,
// when it succeeded, returns a command whose first redo() does nothing (the edit is done) and
// whose undo()/redo() replay it through dw::Project (relabel, setSplit, trashClip, restoreClip).
// A failure during undo/redo is reported through ClipEditTarget::failed, never thrown.
// The commands hold a raw Project pointer: clear the undo stack before the Project goes away.
// GUI thread only.

#include "dw/core/project.h"
#include "dw/core/result.h"

#include <QUndoCommand>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dw::ui {

struct ClipEditTarget {
    dw::Project* project = nullptr;
    std::function<void()> changed;                      // after every successful step
    std::function<void(const dw::Error&)> failed;       // a step that failed
};

using CommandResult = dw::Result<std::unique_ptr<QUndoCommand>>;

CommandResult relabelClip(const ClipEditTarget& target, const std::string& clipId,
                          const std::string& label);
CommandResult moveClipToSplit(const ClipEditTarget& target, const std::string& clipId,
                              dw::Split split);
// Moves the clip's file to the project's trash/; undo restores file and listing.
CommandResult trashClip(const ClipEditTarget& target, const std::string& clipId);
// Replaces the clip by `samples` (a new clip with the same label and split; the old one goes to
// the trash, so undo brings it back exactly).
CommandResult replaceClipAudio(const ClipEditTarget& target, const std::string& clipId,
                               std::span<const int16_t> samples, const std::string& what);

// The crop rule of the dataset page ("keep 1 s"): a clip longer than `window` samples keeps the
// `window` samples centred on the selection [begin, end) (or on the loudest part when the
// selection is empty), clamped to the clip; a clip of `window` samples or shorter keeps the
// selection and silences the rest, so the result always has the clip's length.
std::vector<int16_t> cropToWindow(std::span<const int16_t> samples, int begin, int end,
                                  int window = 16000);

} // namespace dw::ui
