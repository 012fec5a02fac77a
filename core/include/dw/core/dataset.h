// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Features of a whole project as one dense table, ready for training (architecture rule 9).

#include "dw/core/features.h"
#include "dw/core/project.h"
#include "dw/core/result.h"

#include <functional>
#include <string>
#include <vector>

namespace dw {

struct FeatureDataset {
    int frames = 0;                  // e.g. 50
    int coeffs = 0;                  // e.g. 13
    std::vector<std::string> labels; // class index -> label, the project's order
    std::vector<float> x;            // [n][frames][coeffs], row-major
    std::vector<int> y;              // [n] class index
    std::vector<Split> split;        // [n]
    std::vector<std::string> clipIds; // [n]
    size_t size() const { return y.size(); }
    size_t featureSize() const { return size_t(frames) * coeffs; }
    size_t count(Split s) const;
};

// Loads (and caches under <project>/cache/features-<hash>.bin, atomic) the features of every clip.
// threads <= 0 means all cores. progress(done, total) is called from the calling thread.
// An Error when the project has fewer than 2 labels with clips, or no train/validation clips.
Result<FeatureDataset> loadFeatureDataset(const Project& project, const FeatureConfig& config,
                                          int threads = 0,
                                          const std::function<void(int, int)>& progress = {});

} // namespace dw
