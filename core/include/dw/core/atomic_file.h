// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every file the program writes goes through here (architecture rule 7): the bytes are written to
// a temporary file next to the target, flushed and fsync'ed, then renamed over the target, and the
// directory is fsync'ed. A crash or a full disk never leaves a half-written file in place of a good
// one; on failure the temporary file is removed and the old file is untouched.

#include "dw/core/result.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dw {

// Thread-safe; any thread. Creates missing parent directories.
Status writeFileAtomic(const std::filesystem::path& path, std::string_view bytes);

// Reads a whole file; an Error names the path when it cannot be read. Only regular files are
// read: a FIFO, device or folder is refused at once (never a read that blocks forever).
Result<std::string> readFile(const std::filesystem::path& path);

// What `path` is when it exists but is not a regular file: "a FIFO", "a folder", "a device",
// "a socket"; empty for a regular file (symbolic links followed) or a path that does not exist.
std::string nonRegularFileKind(const std::filesystem::path& path);

// Opens a regular file for reading without ever blocking (O_NONBLOCK, then fstat): a file
// descriptor (close it), or an Error that says what the path is instead ("a FIFO", ...) or why
// it cannot be opened. `what` names the expected content in the hint, e.g. "a WAV file".
Result<int> openRegularFile(const std::filesystem::path& path, const std::string& what);

// Creates the folder `target` with its first files in one step: they are written into a hidden
// "<target>.tmp-dw*" sibling, which is then renamed onto `target` (absent or empty). A crash
// leaves either no folder or a complete one, never a folder without its files. If `target`
// exists and is not empty, the files are written into it one by one instead.
Status createFolderAtomic(const std::filesystem::path& target,
                          const std::vector<std::pair<std::string, std::string>>& files);

// A hidden sibling of `target` for staging: "<target>.tmp-dw-<pid>-<random>" (not created).
std::filesystem::path temporarySibling(const std::filesystem::path& target);

// Temporaries are named "<target>.tmp-dw-<pid>-<random>": the pid of the process writing it, or
// 0 for a name without one (written by an older version, or not a temporary at all).
long temporaryOwner(const std::string& fileName);

// Removes leftover "*.tmp-dw*" temporaries (files, and staging folders with their contents)
// under dir (non-recursive) whose writer is gone; one whose writer process is alive on this
// host (this one included) is left alone, as it is still being written. Returns how many were
// removed. Only the holder of the project lock (project_lock.h) calls this on a project folder.
int removeStaleTemporaries(const std::filesystem::path& dir);

// How many temporaries removeStaleTemporaries(dir) would remove; removes nothing (readers).
int countStaleTemporaries(const std::filesystem::path& dir);

} // namespace dw
