// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The networks of kws-pipeline.md section 3 and the sweep family of perforated-backprop.md
// section 7, as a NetSpec (plain data, saved in checkpoints) and a Network module built from it.
// Input: [B, frames*coeffs] or [B, frames, coeffs]. Output: logits [B, classes].
// Every Linear/Conv is held by a DendriteLayer registered as "layer_<i>" (stable names);
// perforate = linear wraps only Linear layers for dendrites, all wraps convs too.

#include "dendrite_layer.h"
#include "dw/core/result.h"
#include "dw/core/train_config.h"

#include <torch/torch.h>

#include <exception>

#include <string>
#include <vector>

namespace dw::engine {

// The message of a caught exception as users should read it: LibTorch's c10::Error::what()
// carries a C++ stack trace, which says nothing to a user and buries the actual reason.
inline std::string errorText(const std::exception& e)
{
    if (const auto* t = dynamic_cast<const c10::Error*>(&e))
        return t->what_without_backtrace();
    return e.what();
}

struct NetSpec
{
    enum class Input
    {
        Seq1d,
        Image2d,
        Flat
    };
    enum class Op
    {
        Conv,
        Linear,
        Relu,
        Pool,
        Dropout,
        Flatten
    };
    struct Layer
    {
        Op op = Op::Relu;
        int out = 0;    // Conv: channels, Linear: features
        double p = 0.0; // Dropout probability
    };
    Input input = Input::Seq1d;
    int frames = 50;
    int coeffs = 13;
    int classes = 2;
    bool maxNorm = false;   // MaxNorm(1) on conv weights after every step (EI 2-D)
    bool poolFloor = false; // MaxPool2 drops an odd last row/column (PyTorch's default, as the
                            // block's nets); false: rounds up as Keras 'same' (Edge Impulse's)
    std::vector<Layer> layers;

    std::string toJson() const;
    static Result<NetSpec> fromJson(const std::string& json);
    std::string describe() const; // "Conv1d(13->8,k3) ReLU MaxPool2 ..."
};

// Channel schedules of the sweep's growth modes (spec section 7).
const std::vector<std::vector<int>>& growthSchedules();
// Length of one axis after a MaxPool of kernel 2, stride 2 (floor or ceil mode); 0 when the axis
// is too short for a window.
int pooledExtent(int in, bool floorMode);
// The spec of config.model for data of frames x coeffs with `classes` classes.
Result<NetSpec> specFor(const TrainConfig& config, int frames, int coeffs, int classes);

class NetworkImpl : public torch::nn::Module
{
public:
    NetworkImpl(NetSpec spec, DendriteMode mode, Activation activation, double initMultiplier,
                bool perforateAll, bool graphMode = true);
    torch::Tensor forward(const torch::Tensor& x);

    const NetSpec& spec() const { return m_spec; }
    // Every Linear/Conv in forward order; perforated() tells which get dendrites.
    const std::vector<DendriteLayer>& layers() const { return m_layers; }
    std::vector<DendriteLayer> wrapped() const; // perforated ones only
    std::vector<std::string> wrappedNames() const;
    std::vector<int> dendriteCounts() const; // per wrapped layer
    long long cleanParams() const;
    void addDendrites(); // one per neuron on every wrapped layer
    void startCandidates();
    void setCandidatesActive(bool on);
    void acceptCandidates();
    bool hasCandidates() const;
    void applyMaxNorm(double maxNorm); // every conv layer's kernels, per output filter

private:
    NetSpec m_spec;
    std::vector<DendriteLayer> m_layers;
    std::vector<int> m_opLayer; // per spec layer: index into m_layers or -1
};
TORCH_MODULE(Network);

} // namespace dw::engine
