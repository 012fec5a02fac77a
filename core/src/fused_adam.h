// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Adam whose update runs as one loop per parameter tensor instead of eight tensor operations.
// The small keyword-spotting networks have a handful of parameter tensors of a few thousand
// values, where LibTorch's per-operation dispatch costs more than the arithmetic: the stock
// torch::optim::Adam took 85 us per training step of the Edge Impulse 1-D model (10 % of the
// step), this takes a few. Same state (AdamParamState: step, exp_avg, exp_avg_sq), same
// save/load format (checkpoints are interchangeable with torch::optim::Adam), same float
// arithmetic in the same order as Adam::step of LibTorch 1.13. Options the engine never sets
// (weight decay, amsgrad) and tensors that are not contiguous float CPU tensors take the stock
// code path. Internal to dw_core (LibTorch header).
#include <torch/torch.h>

#include <vector>

namespace dw::engine {

class FusedAdam : public torch::optim::Adam
{
public:
    FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
        : torch::optim::Adam(std::move(params), std::move(options))
    {}
    torch::Tensor step(LossClosure closure = nullptr) override;
};

} // namespace dw::engine
