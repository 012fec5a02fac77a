// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by `dendrite train`, `compare` and `predict`: building a TrainConfig from the
// command line, loading a project's features, console progress, run summaries.

#include "cli.h"

#include "dw/core/dataset.h"
#include "dw/core/train_config.h"
#include "dw/core/training.h"

#include <filesystem>
#include <string>
#include <utility>

namespace dw::cli {

// Project features, then --config FILE.json, --model, --mode, then every --set in order.
// input_noise defaults to auto (TrainConfig::inputNoise(): 0.2 for ei2d), in every front end.
Result<TrainConfig> buildConfig(const Args& args, const std::string& projectDir);
Result<FeatureDataset> loadData(const std::string& projectDir, const FeatureConfig& features,
                                bool quiet);
// <run>/source.json remembers the project, so `train --resume RUN` needs nothing else: the
// (name, bytes) that dw::train writes with the run's config, in the same atomic step.
std::pair<std::string, std::string> sourceFile(const std::string& projectDir);
Result<std::string> runProject(const std::filesystem::path& runDir);
Result<TrainConfig> runConfig(const std::filesystem::path& runDir);

// One line per epoch and per switch on stdout; Ctrl-C stops cleanly between batches.
struct ConsoleObserver
{
    explicit ConsoleObserver(bool quiet, std::string prefix = {});
    TrainObserver observer;
};

std::string formatDendrites(const std::vector<int>& k);
// Prints the summary; returns the exit code for its status.
int printSummary(const RunSummary& s, const std::filesystem::path& runDir);

} // namespace dw::cli
