// SPDX-License-Identifier: GPL-3.0-or-later
// The export folder (issue 18): an export never replaces a file it did not write. export.json is
// the manifest (the files an export wrote, with a hash of each); the files are staged in a hidden
// sibling and moved into place when complete. Torch-free: the GUI asks exportConflicts() before
// it passes --force.
#include "dw/core/atomic_file.h"
#include "dw/core/export.h"
#include "dw/core/hash.h"
#include "dw/core/names.h"
#include "export_ir.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <optional>
#include <set>
#include <unistd.h>

namespace dw {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kManifest = "export.json";
constexpr const char* kWrittenBy = "dendrite export";

std::string fnv1a64Hex(std::string_view bytes)
{
    return hex64(fnv1a64(bytes));
}

// "out/" names the folder "out": its sibling must not land inside it.
fs::path folderPath(const fs::path& p)
{
    return p.filename().empty() && p.has_parent_path() ? p.parent_path() : p;
}

// What a previous export left in the folder, from its export.json.
struct PreviousExport
{
    // file -> hash when written ("" for an export.json of an older version without hashes)
    std::map<std::string, std::string> files;
};

std::optional<PreviousExport> readPrevious(const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_regular_file(dir / kManifest, ec))
        return std::nullopt;
    auto text = readFile(dir / kManifest);
    if (!text)
        return std::nullopt;
    try {
        const json j = json::parse(*text);
        // An export.json of ours: the result object with its file list (older versions lack
        // "written_by" and the hashes, but always wrote "files" and "board").
        if (!j.is_object() || !j.contains("files") || !j["files"].is_array() ||
            !(j.value("written_by", std::string()) == kWrittenBy || j.contains("board")))
            return std::nullopt;
        PreviousExport prev;
        const json hashes =
            j.contains("file_hashes") && j["file_hashes"].is_object() ? j["file_hashes"] : json();
        for (const auto& f : j["files"]) {
            if (!f.is_string())
                continue;
            const std::string name = f.get<std::string>();
            prev.files[name] = hashes.is_object() ? hashes.value(name, std::string()) : "";
        }
        prev.files[kManifest] = "";
        return prev;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// True when `rel` in dir is a regular file a previous export wrote and nobody changed since.
bool isOurs(const fs::path& dir, const std::string& rel, const std::optional<PreviousExport>& prev)
{
    if (!prev)
        return false;
    auto it = prev->files.find(rel);
    if (it == prev->files.end())
        return false;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(dir / rel, ec)))
        return false;
    if (it->second.empty())
        return true; // an older export without hashes, or export.json itself
    auto bytes = readFile(dir / rel);
    return bytes && fnv1a64Hex(*bytes) == it->second;
}

// Files (relative) under dir, recursively, not following symbolic links.
std::vector<std::string> entriesUnder(const fs::path& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec))
            continue;
        out.push_back(it->path().lexically_relative(dir).generic_string());
    }
    return out;
}

void fsyncDir(const fs::path& dir)
{
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::vector<std::string> conflictsIn(const fs::path& outDir, const std::vector<std::string>& files)
{
    std::error_code ec;
    const auto st = fs::symlink_status(outDir, ec);
    if (!fs::exists(st))
        return {};
    if (!fs::is_directory(fs::status(outDir, ec)))
        return {"."};
    const auto prev = readPrevious(outDir);
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& name : files) {
        // A parent of the file that is not a folder is in the way as well ("board" as a file).
        fs::path rel = fs::path(name).parent_path();
        for (fs::path part; const auto& c : rel) {
            part /= c;
            if (fs::exists(fs::symlink_status(outDir / part, ec)) &&
                !fs::is_directory(fs::symlink_status(outDir / part, ec)) &&
                seen.insert(part.generic_string()).second)
                out.push_back(part.generic_string());
        }
        if (!fs::exists(fs::symlink_status(outDir / name, ec)))
            continue;
        if (!isOurs(outDir, name, prev) && seen.insert(name).second)
            out.push_back(name);
    }
    return out;
}

} // namespace

std::vector<std::string> exportFileNames(ExportFormat f)
{
    std::vector<std::string> names;
    if (f == ExportFormat::Onnx) {
        names = {"model.onnx", "labels.txt"};
    } else {
        names.push_back("model.h");
        for (const auto& [name, text] : exporter::embeddedFiles())
            names.push_back(name);
        names.push_back("board/dw_board_main.c");
    }
    names.push_back(kManifest);
    return names;
}

std::vector<std::string> exportConflicts(const fs::path& outDir, ExportFormat f)
{
    return conflictsIn(folderPath(outDir), exportFileNames(f));
}

Error exportConflictError(const fs::path& outDir, const std::vector<std::string>& conflicts)
{
    const std::string shown = displayPath(outDir);
    if (conflicts.size() == 1 && conflicts[0] == ".")
        return makeError("'" + shown + "' exists and is not a folder",
                         "give a new or empty folder with --out; nothing was written", 3);
    std::string list;
    for (size_t i = 0; i < conflicts.size() && i < 8; ++i) {
        list += i ? ", " : "";
        list += escapeInvalidUtf8(conflicts[i]);
    }
    if (conflicts.size() > 8)
        list += ", ... (" + std::to_string(conflicts.size()) + " in all)";
    return makeError("'" + shown + "' already holds " + std::to_string(conflicts.size()) +
                         " file(s) that the export would replace but no export wrote (or "
                         "that were changed since): " +
                         list,
                     "nothing was changed; export into a new or empty folder (--out DIR), move "
                     "those files away, or add --force to replace them",
                     3);
}

namespace exporter {

std::string exportManifestJson(const std::string& resultJson,
                               const std::vector<std::pair<std::string, std::string>>& files)
{
    json j = json::parse(resultJson);
    j["written_by"] = kWrittenBy;
    json hashes = json::object();
    for (const auto& [name, bytes] : files)
        hashes[name] = fnv1a64Hex(bytes);
    j["file_hashes"] = hashes;
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Status publishExport(const fs::path& staging, const fs::path& outDirIn,
                     const std::vector<std::string>& files, bool replaceForeign)
{
    const fs::path outDir = folderPath(outDirIn);
    std::error_code ec;
    if (!replaceForeign)
        if (auto c = conflictsIn(outDir, files); !c.empty())
            return exportConflictError(outDir, c);
    auto cannot = [&](const std::string& what, int err) {
        return makeError(std::string("cannot move the export into '") + displayPath(outDir) +
                             "' (" + what + "): " + std::strerror(err),
                         "check the folder's permissions; the folder is as it was before");
    };
    const bool absent = !fs::exists(fs::symlink_status(outDir, ec));
    if (absent || (fs::is_directory(outDir, ec) && fs::is_empty(outDir, ec))) {
        // rename(2) replaces an empty folder.
        if (::rename(staging.c_str(), outDir.c_str()) != 0)
            return cannot("rename", errno);
        fsyncDir(outDir.parent_path());
        return {};
    }
    const auto prev = readPrevious(outDir);
    const auto present = entriesUnder(outDir);
    const bool onlyOurs =
        prev && std::all_of(present.begin(), present.end(),
                            [&](const std::string& rel) { return isOurs(outDir, rel, prev); });
    if (onlyOurs) {
        // Only a previous export's own files: swap the folders in one step, drop the old one.
        if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, outDir.c_str(), RENAME_EXCHANGE) ==
            0) {
            fs::remove_all(staging, ec);
            fsyncDir(outDir.parent_path());
            return {};
        }
        // A file system without the exchange: move the old one aside, the new one in.
        const fs::path aside = temporarySibling(outDir);
        if (::rename(outDir.c_str(), aside.c_str()) != 0)
            return cannot("move the previous export aside", errno);
        if (::rename(staging.c_str(), outDir.c_str()) != 0) {
            const int err = errno;
            ::rename(aside.c_str(), outDir.c_str());
            return cannot("rename", err);
        }
        fs::remove_all(aside, ec);
        fsyncDir(outDir.parent_path());
        return {};
    }
    // The user's files are in the folder too: move ours in one by one, export.json last, and
    // remove what a previous export wrote that this one does not (unchanged files only).
    std::vector<std::string> order = files;
    std::stable_partition(order.begin(), order.end(),
                          [](const std::string& f) { return f != kManifest; });
    for (const auto& name : order) {
        const fs::path to = outDir / name;
        fs::create_directories(to.parent_path(), ec);
        if (::rename((staging / name).c_str(), to.c_str()) != 0)
            return cannot("'" + name + "'", errno);
    }
    if (prev) {
        const std::set<std::string> now(files.begin(), files.end());
        for (const auto& [name, hash] : prev->files)
            if (!now.count(name) && isOurs(outDir, name, prev))
                fs::remove(outDir / name, ec);
    }
    fs::remove_all(staging, ec);
    fsyncDir(outDir);
    return {};
}

} // namespace exporter

} // namespace dw
