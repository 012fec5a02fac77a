// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/run_record.h"

#include "dw/core/atomic_file.h"
#include "dw/core/names.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>

namespace dw {

namespace {

using nlohmann::json;

// NaN (e.g. no test split) is written as null and read back as NaN.
json num(double v)
{
    return std::isfinite(v) ? json(v) : json(nullptr);
}

double getNum(const json& j, const char* key, double fallback = 0)
{
    auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if (it->is_null())
        return std::numeric_limits<double>::quiet_NaN();
    return it->is_number() ? it->get<double>() : fallback;
}

template <typename T> T getOr(const json& j, const char* key, T fallback)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    try {
        return it->get<T>();
    } catch (...) {
        return fallback;
    }
}

EpochRecord epochFromJson(const json& j)
{
    EpochRecord e;
    e.epoch = getOr(j, "epoch", 0);
    std::string ph = getOr<std::string>(j, "phase", "N");
    e.phase = ph.empty() ? 'N' : ph[0];
    e.dendrites = getOr(j, "dendrites", std::vector<int>{});
    e.params = getOr<long long>(j, "params", 0);
    e.train_loss = getNum(j, "train_loss");
    e.train_accuracy = getNum(j, "train_accuracy");
    e.val_loss = getNum(j, "val_loss");
    e.val_accuracy = getNum(j, "val_accuracy");
    e.test_accuracy = getNum(j, "test_accuracy");
    e.lr = getNum(j, "lr");
    e.seconds = getNum(j, "seconds");
    if (auto it = j.find("candidate_scores"); it != j.end() && it->is_array())
        for (const auto& v : *it)
            e.candidate_scores.push_back(v.is_number() ? v.get<double>()
                                                       : std::numeric_limits<double>::quiet_NaN());
    if (auto it = j.find("candidate_correlations"); it != j.end() && it->is_array())
        for (const auto& v : *it)
            e.candidate_correlations.push_back(
                v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN());
    return e;
}

SwitchRecord switchFromJson(const json& j)
{
    SwitchRecord s;
    s.epoch = getOr(j, "epoch", 0);
    s.kind = getOr<std::string>(j, "kind", "");
    s.dendrites = getOr(j, "dendrites", 0);
    s.params = getOr<long long>(j, "params", 0);
    s.note = getOr<std::string>(j, "note", "");
    s.reason = getOr<std::string>(j, "reason", "");
    return s;
}

json summaryJson(const RunSummary& s)
{
    json j;
    j["mode"] = s.mode;
    j["params"] = s.params;
    j["val_accuracy"] = num(s.val_accuracy);
    j["test_accuracy"] = num(s.test_accuracy);
    j["best_epoch"] = s.best_epoch;
    j["epochs"] = s.epochs;
    j["seconds"] = num(s.seconds);
    j["dendrites"] = s.dendrites;
    j["wrapped_layers"] = s.wrapped_layers;
    j["status"] = s.status;
    j["stop_reason"] = s.stop_reason;
    j["stop_kind"] = s.stop_kind;
    j["p_phases"] = s.p_phases;
    j["p_epochs"] = s.p_epochs;
    j["dendrites_added"] = s.dendrites_added;
    j["dendrites_reverted"] = s.dendrites_reverted;
    return j;
}

// CRC-32 (IEEE 802.3, reflected, as zip uses), table built once.
uint32_t crc32(std::string_view bytes)
{
    static const auto table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (char ch : bytes)
        c = table[(c ^ uint8_t(ch)) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

} // namespace

std::string toJson(const EpochRecord& e)
{
    json j;
    j["type"] = "epoch";
    j["epoch"] = e.epoch;
    j["phase"] = std::string(1, e.phase);
    j["dendrites"] = e.dendrites;
    j["params"] = e.params;
    j["train_loss"] = num(e.train_loss);
    j["train_accuracy"] = num(e.train_accuracy);
    j["val_loss"] = num(e.val_loss);
    j["val_accuracy"] = num(e.val_accuracy);
    j["test_accuracy"] = num(e.test_accuracy);
    j["lr"] = num(e.lr);
    j["seconds"] = num(e.seconds);
    json c = json::array();
    for (double v : e.candidate_scores)
        c.push_back(num(v));
    j["candidate_scores"] = c;
    if (!e.candidate_correlations.empty()) {
        json r = json::array();
        for (double v : e.candidate_correlations)
            r.push_back(num(v));
        j["candidate_correlations"] = r;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string toJson(const SwitchRecord& s)
{
    json j;
    j["type"] = "switch";
    j["epoch"] = s.epoch;
    j["kind"] = s.kind;
    j["dendrites"] = s.dendrites;
    j["params"] = s.params;
    j["note"] = s.note;
    if (!s.reason.empty())
        j["reason"] = s.reason;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string toJson(const RunSummary& s)
{
    return summaryJson(s).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<RunSummary> runSummaryFromJson(const std::string& text)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError("summary.json is not a JSON object", "the run folder is damaged");
    RunSummary s;
    s.mode = getOr<std::string>(j, "mode", "");
    s.params = getOr<long long>(j, "params", 0);
    s.val_accuracy = getNum(j, "val_accuracy");
    s.test_accuracy = getNum(j, "test_accuracy");
    s.best_epoch = getOr(j, "best_epoch", 0);
    s.epochs = getOr(j, "epochs", 0);
    s.seconds = getNum(j, "seconds");
    s.dendrites = getOr(j, "dendrites", std::vector<int>{});
    s.wrapped_layers = getOr(j, "wrapped_layers", std::vector<std::string>{});
    s.status = getOr<std::string>(j, "status", "");
    s.stop_reason = getOr<std::string>(j, "stop_reason", "");
    s.stop_kind = getOr<std::string>(j, "stop_kind", "");
    s.p_phases = getOr(j, "p_phases", 0);
    s.p_epochs = getOr(j, "p_epochs", 0);
    s.dendrites_added = getOr(j, "dendrites_added", 0);
    s.dendrites_reverted = getOr(j, "dendrites_reverted", 0);
    return s;
}

Result<RunRecord> readRun(const std::filesystem::path& runDir)
{
    RunRecord r;
    r.dir = runDir;
    r.name = runDir.filename().string();
    if (r.name.empty())
        r.name = runDir.parent_path().filename().string();
    auto cfg = readFile(runDir / "config.json");
    if (!cfg)
        return makeError("'" + runDir.string() + "' is not a training run (no config.json)",
                         "pass the folder that `dendrite train --out` created");
    auto cj = json::parse(*cfg, nullptr, false);
    if (cj.is_discarded() || !cj.is_object())
        return makeError("config.json of run '" + r.name + "' is not valid JSON",
                         "the run folder is damaged");
    r.startedAt = getOr<std::string>(cj, "started_at", "");
    auto tc = TrainConfig::fromJson(*cfg);
    if (!tc)
        return makeError("config.json of run '" + r.name + "': " + tc.error().message,
                         tc.error().hint);
    r.config = *tc;

    if (auto ev = readFile(runDir / "events.jsonl")) {
        std::istringstream in(*ev);
        std::string line;
        while (std::getline(in, line)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            json j = json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                continue; // a torn last line (the writer died mid-append) is skipped
            std::string type = getOr<std::string>(j, "type", "");
            if (type == "epoch")
                r.epochs.push_back(epochFromJson(j));
            else if (type == "switch")
                r.switches.push_back(switchFromJson(j));
        }
    }
    if (auto sm = readFile(runDir / "summary.json"))
        if (auto s = runSummaryFromJson(*sm))
            r.summary = *s;
    if (auto st = readFile(runDir / "status")) {
        std::string s = *st;
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
            s.pop_back();
        r.status = s;
    } else {
        r.status = "unknown";
    }
    return r;
}

Status checkCheckpointFile(const std::filesystem::path& file)
{
    const std::string hint = "it cannot be loaded: train the run again, or delete it";
    auto bytes = readFile(file);
    if (!bytes)
        return makeError("cannot read '" + file.string() + "'", hint);
    const std::string& b = *bytes;
    auto damaged = [&](const std::string& why) {
        return makeError("checkpoint '" + file.string() + "' is damaged: " + why, hint);
    };
    if (b.empty())
        return damaged("the file is empty");
    if (b.size() < 26 || b.compare(0, 4, "PK\x03\x04") != 0)
        return damaged("it is not a LibTorch archive (no zip header)");
    // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB, at the end.
    const size_t from = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
    const size_t eocd = b.rfind("PK\x05\x06");
    if (eocd == std::string::npos || eocd < from || eocd + 22 > b.size())
        return damaged("it ends early (no end of the archive: cut short?)");
    auto u32 = [&](size_t at) {
        return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 |
               uint32_t(uint8_t(b[at + 2])) << 16 | uint32_t(uint8_t(b[at + 3])) << 24;
    };
    auto u16 = [&](size_t at) {
        return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8;
    };
    const uint32_t cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16);
    if (cdOffset == 0xffffffffu) // zip64: the real values are elsewhere; the header must do
        return {};
    if (uint64_t(cdOffset) + cdSize > eocd || b.compare(cdOffset, 4, "PK\x01\x02") != 0)
        return damaged("its table of contents is missing or overwritten");
    // Every entry: its local header where the table says, inside the file, and for stored
    // entries (LibTorch stores tensors uncompressed) the CRC-32 of its bytes, so an overwritten
    // byte anywhere in a tensor is found without loading LibTorch.
    const uint32_t entries = u16(eocd + 10);
    size_t at = cdOffset;
    for (uint32_t i = 0; i < entries; ++i) {
        if (at + 46 > eocd || b.compare(at, 4, "PK\x01\x02") != 0)
            return damaged("its table of contents is cut short or overwritten (entry " +
                           std::to_string(i + 1) + " of " + std::to_string(entries) + ")");
        const uint32_t method = u16(at + 10), crc = u32(at + 16), csize = u32(at + 20);
        const uint32_t nameLen = u16(at + 28), extraLen = u16(at + 30), commentLen = u16(at + 32);
        const uint32_t local = u32(at + 42);
        if (at + 46 + nameLen > eocd)
            return damaged("its table of contents is cut short");
        const std::string name = escapeInvalidUtf8(b.substr(at + 46, nameLen));
        at += 46 + size_t(nameLen) + extraLen + commentLen;
        if (csize == 0xffffffffu || local == 0xffffffffu)
            continue; // zip64 sizes: not written by LibTorch for files of our size
        if (uint64_t(local) + 30 > b.size() || b.compare(local, 4, "PK\x03\x04") != 0)
            return damaged("the header of '" + name + "' is missing or overwritten");
        const uint64_t data = uint64_t(local) + 30 + u16(local + 26) + u16(local + 28);
        if (data + csize > cdOffset)
            return damaged("'" + name + "' runs past the end of the data (cut short?)");
        if (method == 0 && crc32(std::string_view(b).substr(data, csize)) != crc)
            return damaged("the bytes of '" + name +
                           "' do not match their checksum (overwritten or bit rot)");
    }
    return {};
}

std::vector<RunRecord> listRuns(const std::filesystem::path& dir)
{
    std::vector<RunRecord> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return out;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        // A "*.tmp-dw*" folder is a run being created (createFolderAtomic), not yet a run.
        if (!entry.is_directory() ||
            entry.path().filename().string().find(".tmp-dw") != std::string::npos)
            continue;
        if (auto r = readRun(entry.path()))
            out.push_back(std::move(*r));
    }
    std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
        if (a.startedAt != b.startedAt)
            return a.startedAt > b.startedAt;
        return a.name > b.name;
    });
    return out;
}

} // namespace dw
