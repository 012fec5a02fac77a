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

// Reads a whole file; an Error names the path when it cannot be read.
Result<std::string> readFile(const std::filesystem::path& path);

// Creates the folder `target` with its first files in one step: they are written into a hidden
// "<target>.tmp-dw*" sibling, which is then renamed onto `target` (absent or empty). A crash
// leaves either no folder or a complete one, never a folder without its files. If `target`
// exists and is not empty, the files are written into it one by one instead.
Status createFolderAtomic(const std::filesystem::path& target,
                          const std::vector<std::pair<std::string, std::string>>& files);

// Removes leftover "*.tmp-dw*" temporaries (files, and staging folders with their contents)
// under dir (non-recursive); returns how many.
int removeStaleTemporaries(const std::filesystem::path& dir);

} // namespace dw
