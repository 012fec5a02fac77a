// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Engine internals behind dw/core/training.h, exposed for tests and benchmarks (torch inside).

#include "dw/core/training.h"
#include "models.h"

#include <optional>

namespace dw::engine {

// Trains (or resumes) a run. `spec` overrides the network built from config.model (tests use
// tiny toy networks this way). Blocking; call from the training thread.
Result<RunSummary>
runTraining(const FeatureDataset& data, const TrainConfig& config,
            const std::optional<NetSpec>& spec, const std::filesystem::path& runDir,
            TrainObserver* observer,
            const std::vector<std::pair<std::string, std::string>>& extraFiles = {});
Result<RunSummary> resumeRun(const FeatureDataset& data, const std::filesystem::path& runDir,
                             TrainObserver* observer);

struct LoadedCheckpoint
{
    Network net{nullptr};
    NetSpec spec;
    TrainConfig config;
    std::vector<std::string> labels;
    int epoch = 0;
};
// Loads best.pt or latest.pt (the network in eval mode, structure restored).
Result<LoadedCheckpoint> loadCheckpoint(const std::filesystem::path& file);

// Builds an untrained network for `config` (structure only), e.g. for parameter counts.
Network buildNetwork(const NetSpec& spec, const TrainConfig& config);

} // namespace dw::engine
