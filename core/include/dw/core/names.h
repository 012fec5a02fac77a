// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Names are bytes from the user's file system or command line (issue 18): they need not be valid
// UTF-8, but JSON (project.json, run configs, --json output) and the GUI need text. These helpers
// check UTF-8 and escape the bytes that are not, reversibly, so a name can be stored and shown
// safely and the original bytes recovered. Thread-safe, std only.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace dw {

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool isValidUtf8(std::string_view s);

// Valid UTF-8 comes back unchanged. Otherwise every byte that is not part of a well-formed UTF-8
// sequence becomes "\xHH" (upper-case hex) and every backslash "\\", so the result is valid UTF-8
// and unescapeBytes() gives the original bytes back.
std::string escapeInvalidUtf8(std::string_view s);

// Reverses escapeInvalidUtf8() on a string it escaped; nullopt when `s` holds a backslash that
// is not followed by "\\" or "xHH".
std::optional<std::string> unescapeBytes(std::string_view s);

// For messages and reports: the path as valid UTF-8, its invalid bytes shown as "\xHH".
std::string displayPath(const std::filesystem::path& p);

} // namespace dw
