// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading run folders (no torch): for the GUI's history and plots, `dendrite plot`, sweeps.

#include "dw/core/result.h"
#include "dw/core/train_config.h"
#include "dw/core/training.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dw {

struct RunRecord
{
    std::filesystem::path dir;
    std::string name; // folder name
    TrainConfig config;
    std::vector<EpochRecord> epochs;
    std::vector<SwitchRecord> switches;
    std::optional<RunSummary> summary; // absent while running or if it died
    std::string status;                // content of the status file, "unknown" if missing
    std::string startedAt;             // ISO 8601 from config.json's "started_at"
};

// Reads config.json, events.jsonl (skips a torn last line), summary.json, status.
Result<RunRecord> readRun(const std::filesystem::path& runDir);
// Every run folder under dir (e.g. <project>/runs), newest first; unreadable ones are skipped.
std::vector<RunRecord> listRuns(const std::filesystem::path& dir);

// The structure of a checkpoint file (best.pt, latest.pt: LibTorch writes a zip archive): the
// local-header signature at the start, the end-of-central-directory record, and a central
// directory inside the file where that record says. Catches empty, truncated and overwritten
// checkpoints without loading LibTorch; an Error names the file and what is wrong.
Status checkCheckpointFile(const std::filesystem::path& file);

// JSON (de)serialisation of the event records, shared by the writer and the readers.
std::string toJson(const EpochRecord& e);
std::string toJson(const SwitchRecord& s);
std::string toJson(const RunSummary& s);
Result<RunSummary> runSummaryFromJson(const std::string& json);

} // namespace dw
