// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/project.h"
#include "dw/core/hash.h"

#include "dw/core/atomic_file.h"
#include "dw/core/names.h"
#include "dw/core/project_lock.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace dw {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kManifest = "project.json";
constexpr const char* kFormat = "dendrite-project";
constexpr int kFormatVersion = 1;

std::string sanitizeId(const std::string& s)
{
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '_' || c == '-' || c == '.')
            out += char(c);
        else
            out += '_';
    }
    while (!out.empty() && out.front() == '.')
        out.erase(out.begin());
    if (out.size() > 80)
        out.resize(80);
    return out;
}

// Everything in a clip entry is valid UTF-8: ids are sanitised, labels validated, and a source
// (an imported file's path, bytes from the file system) that is not UTF-8 is stored escaped
// (names.h) with "source_escaped", so the original bytes come back on open.
json clipToJson(const Clip& c)
{
    json j{{"id", c.id},
           {"label", c.label},
           {"path", c.path},
           {"split", splitName(c.split)},
           {"source", escapeInvalidUtf8(c.source)},
           {"samples", c.samples}};
    if (!isValidUtf8(c.source))
        j["source_escaped"] = true;
    return j;
}

Result<Clip> clipFromJson(const json& j)
{
    if (!j.is_object() || !j.contains("id") || !j.contains("label") || !j.contains("path"))
        return makeError("a clip entry lacks id, label or path");
    Clip c;
    c.id = j.at("id").get<std::string>();
    c.label = j.at("label").get<std::string>();
    c.path = j.at("path").get<std::string>();
    auto sp = splitFromName(j.value("split", std::string("train")));
    c.split = sp.value_or(Split::Train);
    c.source = j.value("source", std::string());
    if (j.value("source_escaped", false))
        c.source = unescapeBytes(c.source).value_or(c.source);
    // Out of range (negative, overflowing, not a number): 0, which open() re-reads from the file.
    const auto it = j.find("samples");
    c.samples = it == j.end() ? 16000
                : it->is_number_integer() && it->get<double>() >= 1 && it->get<double>() <= 2e9
                    ? int(it->get<long long>())
                    : 0;
    return c;
}

// An integer field of project.json in [lo, hi], else `fallback` with a report line that names
// the field, the value found and the one used (issue 18: 150 % splits and overflowing counters
// passed as sound).
int checkedInt(const json& obj, const char* key, const std::string& field, long long lo,
               long long hi, int fallback, std::vector<std::string>& report)
{
    if (!obj.is_object() || !obj.contains(key))
        return fallback;
    const json& v = obj.at(key);
    if (v.is_number_integer()) {
        const double d = v.get<double>();
        if (d >= double(lo) && d <= double(hi))
            return int(v.get<long long>());
    }
    report.push_back(field + " is " + v.dump(-1, ' ', false, json::error_handler_t::replace) +
                     ", not a whole number from " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ": using " + std::to_string(fallback));
    return fallback;
}

bool isWav(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".wav";
}

// Moves a file, falling back to copy+remove across file systems.
Status moveFile(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    fs::rename(from, to, ec);
    if (!ec)
        return {};
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return makeError("cannot move '" + from.string() + "' to '" + to.string() +
                             "': " + ec.message(),
                         "check the project folder's permissions and free space");
    fs::remove(from, ec);
    return {};
}
} // namespace

const char* splitName(Split s)
{
    switch (s) {
    case Split::Train:
        return "train";
    case Split::Validation:
        return "validation";
    case Split::Test:
        return "test";
    }
    return "train";
}

std::optional<Split> splitFromName(const std::string& name)
{
    if (name == "train" || name == "training")
        return Split::Train;
    if (name == "validation" || name == "val")
        return Split::Validation;
    if (name == "test" || name == "testing")
        return Split::Test;
    return std::nullopt;
}

Split splitForIdentity(const std::string& identity, int validationPercent, int testPercent)
{
    // FNV-1a is all a split hash needs (Speech Commands uses SHA-1 for the same purpose; the
    // distribution is what matters).
    const int bucket = int(fnv1a64(identity) % 100);
    if (bucket < validationPercent)
        return Split::Validation;
    if (bucket < validationPercent + testPercent)
        return Split::Test;
    return Split::Train;
}

Status Project::validateLabel(const std::string& label)
{
    const std::string hint = "use letters, digits, '_', '-' or '.', e.g. \"yes\" or \"_unknown_\"";
    if (!isValidUtf8(label))
        return makeError("label '" + escapeInvalidUtf8(label) +
                             "' is not valid UTF-8 text (the bytes shown as \\xHH are not)",
                         "write the label with letters, digits, '_', '-' or '.' (e.g. \"yes\"); "
                         "for a folder of clips, rename the folder or pass --label");
    if (label.empty())
        return makeError("a label cannot be empty", hint);
    if (label.size() > 64)
        return makeError("label '" + label + "' is longer than 64 characters", hint);
    if (label == "." || label == "..")
        return makeError("label '" + label + "' is not allowed (it names a folder)", hint);
    for (unsigned char c : label) {
        if (c == '/' || c == '\\')
            return makeError("label '" + label + "' contains a path separator", hint);
        if (c < 0x20 || c == 0x7f || c == ' ' || c == ':' || c == '*' || c == '?' || c == '"' ||
            c == '<' || c == '>' || c == '|')
            return makeError("label '" + label +
                                 "' contains a space or a character that is "
                                 "not allowed in folder names",
                             hint);
    }
    return {};
}

Result<Project> Project::create(const fs::path& root, const std::vector<std::string>& labels)
{
    std::error_code ec;
    if (fs::exists(root / kManifest, ec))
        return makeError("'" + root.string() + "' is already a project (it has project.json)",
                         "open it instead, or choose another folder");
    if (fs::exists(root, ec) && !fs::is_directory(root, ec))
        return makeError("'" + root.string() + "' is a file, not a folder",
                         "choose a folder path for the project");
    std::set<std::string> seen;
    for (const auto& l : labels) {
        if (auto s = validateLabel(l); !s)
            return s.error();
        if (!seen.insert(l).second)
            return makeError("label '" + l + "' is listed twice", "give each class one label");
    }
    fs::create_directories(root / "clips", ec);
    if (ec)
        return makeError("cannot create the project folder '" + root.string() +
                             "': " + ec.message(),
                         "check the path and its permissions");
    Project p;
    p.m_root = root;
    p.m_labels = labels;
    for (const auto& l : labels)
        fs::create_directories(root / "clips" / l, ec);
    if (auto s = p.save(); !s)
        return s.error();
    return p;
}

Result<Project> Project::open(const fs::path& root, const ProjectLock* lock)
{
    std::error_code ec;
    if (!fs::exists(root, ec))
        return makeError("project folder '" + root.string() + "' does not exist",
                         "check the path, or create a project with `dendrite demo-data --out " +
                             root.string() + "` or `dendrite import`",
                         3);
    if (!fs::is_directory(root, ec))
        return makeError("'" + root.string() + "' is a file, not a project folder",
                         "pass the folder that holds project.json", 3);
    const fs::path manifest = root / kManifest;
    if (!fs::exists(manifest, ec))
        return makeError("'" + root.string() + "' is not a Dendrite project (no project.json)",
                         "pass the folder that holds project.json, or create a project with "
                         "`dendrite demo-data` or `dendrite import`",
                         3);
    auto text = readFile(manifest);
    if (!text)
        return text.error();

    Project p;
    p.m_root = root;
    const std::string badHint =
        "project.json is damaged: restore it from a backup, or move it away and re-import "
        "the clips/ folder (`dendrite import --project NEW " +
        (root / "clips").string() + "`); no clip was touched";
    try {
        json j = json::parse(*text);
        if (!j.is_object() || j.value("format", std::string()) != kFormat)
            return makeError("'" + manifest.string() + "' is not a Dendrite project manifest",
                             badHint, 3);
        if (j.contains("version")) {
            const json& v = j["version"];
            if (v.is_number_integer() && v.get<double>() > kFormatVersion)
                return makeError("'" + manifest.string() + "' was written by a newer version",
                                 "update Dendrite Workbench", 3);
            if (!v.is_number_integer() || v.get<double>() < 1)
                return makeError("'" + manifest.string() + "': version is " +
                                     v.dump(-1, ' ', false, json::error_handler_t::replace) +
                                     ", not a whole number from 1 to " +
                                     std::to_string(kFormatVersion),
                                 "set \"version\": " + std::to_string(kFormatVersion) +
                                     " in project.json, or restore it from a backup",
                                 3);
        }
        std::set<std::string> seenLabels;
        for (const auto& l : j.value("labels", json::array())) {
            std::string label = l.get<std::string>();
            if (auto s = validateLabel(label); !s)
                return makeError("'" + manifest.string() + "': " + s.error().message, badHint, 3);
            if (seenLabels.insert(label).second)
                p.m_labels.push_back(label);
        }
        if (j.contains("split")) {
            p.m_validationPercent =
                checkedInt(j["split"], "validation_percent", "split.validation_percent", 0, 50, 10,
                           p.m_openReport);
            p.m_testPercent = checkedInt(j["split"], "test_percent", "split.test_percent", 0, 50,
                                         10, p.m_openReport);
        }
        if (j.contains("features")) {
            // Value by value: one bad setting keeps its default, the others stay the user's.
            std::vector<std::string> skipped;
            auto fc = FeatureConfig::fromJson(
                j["features"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                &skipped);
            if (fc)
                p.m_features = *fc;
            else
                p.m_openReport.push_back("feature settings unreadable (" + fc.error().message +
                                         "): using the defaults");
            for (const auto& line : skipped)
                p.m_openReport.push_back("features: " + line);
        }
        if (j.contains("provenance"))
            p.m_provenance =
                j["provenance"].dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        // New ids skip the ones in use, so 0 is always a safe counter to fall back to.
        p.m_nextSerial =
            checkedInt(j, "next_serial", "next_serial", 0, 1000000000, 0, p.m_openReport);
        std::set<std::string> ids;
        for (const auto& cj : j.value("clips", json::array())) {
            auto c = clipFromJson(cj);
            if (!c)
                return makeError("'" + manifest.string() + "': " + c.error().message, badHint, 3);
            if (!ids.insert(c->id).second) {
                p.m_openReport.push_back("clip '" + c->id + "' was listed twice: kept once");
                continue;
            }
            // A label that could not be listed would make the next save unreadable (found by
            // the project fuzzer: `check --repair` wrote a manifest that no longer opened).
            if (auto s = validateLabel(c->label); !s) {
                p.m_openReport.push_back("clip '" + c->id + "' has a label that is not allowed (" +
                                         s.error().message +
                                         "): unlisted (its file is left alone)");
                continue;
            }
            const fs::path rel = fs::path(c->path).lexically_normal();
            if (rel.is_absolute() || rel.empty() || *rel.begin() == "..") {
                p.m_openReport.push_back("clip '" + c->id + "' points outside the project ('" +
                                         c->path + "'): unlisted (that file is left alone)");
                continue;
            }
            if (c->samples < 1) {
                auto a = fs::is_regular_file(root / c->path, ec) ? readWavPcm16(root / c->path)
                                                                 : Result<Audio>(makeError(""));
                if (a && !a->samples.empty()) {
                    p.m_openReport.push_back("clip '" + c->id + "': samples was out of range: " +
                                             std::to_string(a->samples.size()) + " from its file");
                    c->samples = int(a->samples.size());
                }
            }
            if (!fs::exists(root / c->path, ec)) {
                p.m_openReport.push_back("clip '" + c->id + "' is listed but its file '" + c->path +
                                         "' is missing: unlisted");
                continue;
            }
            if (!seenLabels.count(c->label)) {
                seenLabels.insert(c->label);
                p.m_labels.push_back(c->label);
                p.m_openReport.push_back("label '" + c->label +
                                         "' was used by clips but not listed: added");
            }
            p.m_clips.push_back(*c);
        }
        for (const auto& cj : j.value("trash", json::array())) {
            auto c = clipFromJson(cj);
            if (c && fs::exists(root / "trash" / (c->id + ".wav"), ec))
                p.m_trash.push_back(*c);
        }
    } catch (const json::exception& e) {
        return makeError("cannot read '" + manifest.string() + "': " + e.what(), badHint, 3);
    }

    // Only the holder of this project's lock writes (issue 18: a reader removing temporaries
    // aborted the import that was writing them).
    const bool writer =
        lock && !lock->file().empty() && fs::equivalent(lock->projectRoot(), root, ec);
    if (!writer) {
        if (auto h = ProjectLock::holder(root); h && !h->thisProcess) {
            p.m_inUseBy = h->pid > 0 && h->local ? h->pid : -1;
            p.m_inUseHost = h->host;
        }
    }

    // Stale temporaries from a crash mid-write: harmless, but they would confuse a user. The
    // writer removes those whose writer process is gone; a reader only counts them.
    std::vector<fs::path> tempDirs = {root, root / "trash", root / "cache", root / "runs"};
    if (fs::is_directory(root / "clips", ec)) {
        tempDirs.push_back(root / "clips");
        for (const auto& d : fs::directory_iterator(root / "clips", ec))
            if (d.is_directory())
                tempDirs.push_back(d.path());
    }
    int stale = 0;
    for (const auto& d : tempDirs)
        stale += writer ? removeStaleTemporaries(d) : countStaleTemporaries(d);
    if (stale > 0)
        p.m_openReport.push_back(
            writer ? "removed " + std::to_string(stale) +
                         " stale temporary file(s) left by an interrupted write"
                   : "found " + std::to_string(stale) +
                         " stale temporary file(s) left by an interrupted write (the next "
                         "command that changes the project removes them)");

    // WAVs in clips/<label>/ that the manifest does not list (copied in by hand, or written
    // just before a crash): adopt the readable ones. Not while another process holds the lock:
    // those are most likely the clips an import is writing right now.
    std::set<std::string> listed;
    for (const auto& c : p.m_clips)
        listed.insert(fs::path(c.path).lexically_normal().string());
    std::vector<fs::path> found;
    if (p.m_inUseBy == 0 && fs::is_directory(root / "clips", ec)) {
        for (const auto& d : fs::directory_iterator(root / "clips", ec)) {
            if (!d.is_directory())
                continue;
            for (const auto& f : fs::directory_iterator(d.path(), ec))
                if (f.is_regular_file() && isWav(f.path()))
                    found.push_back(f.path());
        }
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) {
        const std::string relBytes = f.lexically_relative(root).lexically_normal().string();
        if (listed.count(relBytes))
            continue;
        const std::string rel = escapeInvalidUtf8(relBytes); // shown; the file is never renamed
        const std::string label = f.parent_path().filename().string();
        if (!validateLabel(label)) {
            p.m_openReport.push_back("'" + rel +
                                     "' is in a folder whose name is not a valid "
                                     "label: left alone");
            continue;
        }
        auto audio = readWavPcm16(f);
        if (!audio) {
            p.m_openReport.push_back("'" + rel + "' is not listed and cannot be read (" +
                                     audio.error().message + "): left alone");
            continue;
        }
        std::string id = f.stem().string();
        if (id != sanitizeId(id)) {
            p.m_openReport.push_back("'" + rel +
                                     "' is not listed and its name holds characters a clip id "
                                     "cannot (only letters, digits, '_', '-' and '.'): left alone "
                                     "(rename it and reopen)");
            continue;
        }
        if (p.findClip(id)) {
            p.m_openReport.push_back("'" + rel +
                                     "' is not listed and its name clashes with "
                                     "another clip: left alone (rename it and reopen)");
            continue;
        }
        if (std::find(p.m_labels.begin(), p.m_labels.end(), label) == p.m_labels.end()) {
            p.m_labels.push_back(label);
            p.m_openReport.push_back("label '" + label + "' found in clips/: added");
        }
        Clip c;
        c.id = id;
        c.label = label;
        c.path = relBytes;
        c.split = splitForIdentity(id, p.m_validationPercent, p.m_testPercent);
        c.source = "found in project folder";
        c.samples = int(audio->samples.size());
        p.m_clips.push_back(c);
        p.m_openReport.push_back("'" + rel + "' was not listed: adopted as a " +
                                 splitName(c.split) + " clip");
    }
    return p;
}

Status Project::save() const
{
    json j;
    j["format"] = kFormat;
    j["version"] = kFormatVersion;
    j["labels"] = m_labels;
    j["split"] = {{"validation_percent", m_validationPercent}, {"test_percent", m_testPercent}};
    try {
        j["features"] = json::parse(m_features.toJson());
    } catch (const json::exception&) {
        j["features"] = json::object();
    }
    try {
        j["provenance"] = json::parse(m_provenance.empty() ? "{}" : m_provenance);
    } catch (const json::exception&) {
        j["provenance"] = {{"text", m_provenance}};
    }
    j["next_serial"] = m_nextSerial;
    json clips = json::array();
    for (const auto& c : m_clips)
        clips.push_back(clipToJson(c));
    j["clips"] = std::move(clips);
    json trash = json::array();
    for (const auto& c : m_trash)
        trash.push_back(clipToJson(c));
    j["trash"] = std::move(trash);
    return writeFileAtomic(m_root / kManifest,
                           j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Status Project::saveIfAuto() const
{
    return m_autoSave ? save() : Status{};
}

std::vector<const Clip*> Project::clips(const std::string& label) const
{
    std::vector<const Clip*> out;
    for (const auto& c : m_clips)
        if (c.label == label)
            out.push_back(&c);
    return out;
}

const Clip* Project::findClip(const std::string& id) const
{
    for (const auto& c : m_clips)
        if (c.id == id)
            return &c;
    return nullptr;
}

std::string Project::uniqueId(const std::string& base) const
{
    auto taken = [this](const std::string& id) {
        if (findClip(id))
            return true;
        for (const auto& t : m_trash)
            if (t.id == id)
                return true;
        return false;
    };
    if (!taken(base))
        return base;
    for (int n = 2;; ++n) {
        std::string id = base + "_" + std::to_string(n);
        if (!taken(id))
            return id;
    }
}

Status Project::addLabel(const std::string& label)
{
    if (auto s = validateLabel(label); !s)
        return s;
    if (std::find(m_labels.begin(), m_labels.end(), label) != m_labels.end())
        return makeError("label '" + label + "' already exists", "choose another name");
    m_labels.push_back(label);
    std::error_code ec;
    fs::create_directories(m_root / "clips" / label, ec);
    return saveIfAuto();
}

Result<Clip> Project::addClip(const std::string& label, std::span<const int16_t> samples,
                              const std::string& source, const std::string& identity,
                              const std::string& idHint)
{
    if (std::find(m_labels.begin(), m_labels.end(), label) == m_labels.end()) {
        if (auto s = validateLabel(label); !s)
            return s.error();
        m_labels.push_back(label);
    }
    if (samples.empty())
        return makeError("cannot add an empty clip to '" + label + "'",
                         "record or import audio with at least one sample");
    std::string id;
    if (!idHint.empty() && !sanitizeId(idHint).empty()) {
        id = uniqueId(sanitizeId(idHint));
    } else {
        do {
            char buf[32];
            std::snprintf(buf, sizeof buf, "_%05d", m_nextSerial++);
            id = label + buf;
        } while (findClip(id) || uniqueId(id) != id);
    }
    Clip c;
    c.id = id;
    c.label = label;
    c.path = "clips/" + label + "/" + id + ".wav";
    c.split =
        splitForIdentity(identity.empty() ? id : identity, m_validationPercent, m_testPercent);
    c.source = source;
    c.samples = int(samples.size());
    Audio a;
    a.samples.assign(samples.begin(), samples.end());
    if (auto s = writeWavPcm16(m_root / c.path, a); !s)
        return s.error();
    m_clips.push_back(c);
    if (auto s = saveIfAuto(); !s)
        return s.error();
    return c;
}

Status Project::relabel(const std::string& clipId, const std::string& label)
{
    auto it =
        std::find_if(m_clips.begin(), m_clips.end(), [&](const Clip& c) { return c.id == clipId; });
    if (it == m_clips.end())
        return makeError("no clip '" + clipId + "' in the project", "check the clip id");
    if (it->label == label)
        return {};
    if (std::find(m_labels.begin(), m_labels.end(), label) == m_labels.end()) {
        if (auto s = addLabel(label); !s)
            return s;
    }
    const std::string newPath = "clips/" + label + "/" + it->id + ".wav";
    if (auto s = moveFile(m_root / it->path, m_root / newPath); !s)
        return s;
    it->label = label;
    it->path = newPath;
    return saveIfAuto();
}

Status Project::setSplit(const std::string& clipId, Split split)
{
    for (auto& c : m_clips) {
        if (c.id == clipId) {
            c.split = split;
            return saveIfAuto();
        }
    }
    return makeError("no clip '" + clipId + "' in the project", "check the clip id");
}

Status Project::trashClip(const std::string& clipId)
{
    auto it =
        std::find_if(m_clips.begin(), m_clips.end(), [&](const Clip& c) { return c.id == clipId; });
    if (it == m_clips.end())
        return makeError("no clip '" + clipId + "' in the project", "check the clip id");
    if (auto s = moveFile(m_root / it->path, m_root / "trash" / (it->id + ".wav")); !s)
        return s;
    m_trash.push_back(*it);
    m_clips.erase(it);
    return saveIfAuto();
}

Status Project::restoreClip(const std::string& clipId)
{
    auto it =
        std::find_if(m_trash.begin(), m_trash.end(), [&](const Clip& c) { return c.id == clipId; });
    if (it == m_trash.end())
        return makeError("no clip '" + clipId + "' in the trash", "check the clip id");
    Clip c = *it;
    if (std::find(m_labels.begin(), m_labels.end(), c.label) == m_labels.end())
        m_labels.push_back(c.label);
    c.path = "clips/" + c.label + "/" + c.id + ".wav";
    if (auto s = moveFile(m_root / "trash" / (c.id + ".wav"), m_root / c.path); !s)
        return s;
    m_trash.erase(it);
    m_clips.push_back(c);
    return saveIfAuto();
}

std::map<std::string, std::array<int, 3>> Project::counts() const
{
    std::map<std::string, std::array<int, 3>> out;
    for (const auto& l : m_labels)
        out[l] = {0, 0, 0};
    for (const auto& c : m_clips)
        out[c.label][size_t(c.split)]++;
    return out;
}

} // namespace dw
