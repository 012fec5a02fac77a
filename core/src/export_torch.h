// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// LibTorch side of the exporter: walks an engine::Network in forward order and emits the clean
// form as an exporter::Graph (float). Exposed for tests (torch inside).

#include "export_ir.h"
#include "models.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dw::exporter {

// Appends a wrapped layer (base, its K dendrites as plain layers, one dendrite combine) reading
// tensor `in`; returns the output tensor. fuseRelu: a ReLU follows (fused into the last node).
// An Error for layer settings the runtime does not run (dilation, groups, padding modes).
Result<int> appendWrapped(Graph& g, engine::DendriteLayerImpl& layer, int in, bool fuseRelu,
                          const std::string& name);

// The float graph of a network (eval-mode semantics: dropout is identity), ending in softmax.
// Planned (planMemory done).
Result<Graph> graphFromNetwork(engine::NetworkImpl& net, const std::vector<std::string>& labels);

// LibTorch softmax probabilities for n inputs of frames*coeffs floats each ([n][classes]).
std::vector<float> torchProbabilities(engine::NetworkImpl& net, const float* x, int n, int classes);

// The run folder exists and holds best.pt; otherwise the error a user sees, ending in `what`
// ("nothing to export", "nothing to classify with").
Status requireCheckpoint(const std::filesystem::path& runDir, const std::string& what);

} // namespace dw::exporter
