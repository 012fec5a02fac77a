// SPDX-License-Identifier: GPL-3.0-or-later
#include "models.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace dw::engine {

namespace {
using nlohmann::json;

const char* opName(NetSpec::Op op)
{
    switch (op) {
    case NetSpec::Op::Conv:
        return "conv";
    case NetSpec::Op::Linear:
        return "linear";
    case NetSpec::Op::Relu:
        return "relu";
    case NetSpec::Op::Pool:
        return "pool";
    case NetSpec::Op::Dropout:
        return "dropout";
    case NetSpec::Op::Flatten:
        return "flatten";
    }
    return "?";
}

const char* inputName(NetSpec::Input i)
{
    switch (i) {
    case NetSpec::Input::Seq1d:
        return "seq1d";
    case NetSpec::Input::Image2d:
        return "image2d";
    case NetSpec::Input::Flat:
        return "flat";
    }
    return "?";
}

} // namespace

int pooledExtent(int in, bool floorMode)
{
    if (in < 1)
        return 0;
    return floorMode ? in / 2 : (in + 1) / 2;
}

std::string NetSpec::toJson() const
{
    json j;
    j["input"] = inputName(input);
    j["frames"] = frames;
    j["coeffs"] = coeffs;
    j["classes"] = classes;
    j["max_norm"] = maxNorm;
    j["pool_floor"] = poolFloor;
    json ls = json::array();
    for (const auto& l : layers)
        ls.push_back({{"op", opName(l.op)}, {"out", l.out}, {"p", l.p}});
    j["layers"] = ls;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<NetSpec> NetSpec::fromJson(const std::string& text)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError("network description is not JSON", "the checkpoint is damaged");
    NetSpec s;
    try {
        std::string in = j.at("input").get<std::string>();
        s.input = in == "image2d" ? Input::Image2d : in == "flat" ? Input::Flat : Input::Seq1d;
        s.frames = j.at("frames").get<int>();
        s.coeffs = j.at("coeffs").get<int>();
        s.classes = j.at("classes").get<int>();
        s.maxNorm = j.at("max_norm").get<bool>();
        // Checkpoints written before the block's nets pooled as Keras does (round up).
        s.poolFloor = j.value("pool_floor", false);
        for (const auto& l : j.at("layers")) {
            Layer L;
            std::string op = l.at("op").get<std::string>();
            for (Op o : {Op::Conv, Op::Linear, Op::Relu, Op::Pool, Op::Dropout, Op::Flatten})
                if (op == opName(o))
                    L.op = o;
            L.out = l.at("out").get<int>();
            L.p = l.at("p").get<double>();
            s.layers.push_back(L);
        }
    } catch (const std::exception& e) {
        return makeError(std::string("network description is incomplete: ") + errorText(e),
                         "the checkpoint is damaged");
    }
    return s;
}

std::string NetSpec::describe() const
{
    std::ostringstream os;
    os << inputName(input) << "(" << frames << "x" << coeffs << ")";
    for (const auto& l : layers) {
        os << " " << opName(l.op);
        if (l.op == Op::Conv || l.op == Op::Linear)
            os << l.out;
        if (l.op == Op::Dropout)
            os << l.p;
    }
    return os.str();
}

const std::vector<std::vector<int>>& growthSchedules()
{
    static const std::vector<std::vector<int>> g = {{8, 16, 32, 64}, {8, 16, 24, 32},
                                                    {8, 16, 16, 32}, {8, 16, 16, 16},
                                                    {8, 8, 8, 8},    {8, 8, 8, 16}};
    return g;
}

Result<NetSpec> specFor(const TrainConfig& c, int frames, int coeffs, int classes)
{
    if (frames < 1 || coeffs < 1 || classes < 2)
        return makeError("cannot build a network for " + std::to_string(frames) + "x" +
                             std::to_string(coeffs) + " features and " + std::to_string(classes) +
                             " classes",
                         "a project needs at least 2 labels with clips");
    NetSpec s;
    s.frames = frames;
    s.coeffs = coeffs;
    s.classes = classes;
    using Op = NetSpec::Op;
    auto convBlock = [&](int ch, double dropout) {
        s.layers.push_back({Op::Conv, ch, 0});
        s.layers.push_back({Op::Relu, 0, 0});
        s.layers.push_back({Op::Pool, 0, 0});
        s.layers.push_back({Op::Dropout, 0, dropout});
    };
    if (c.model == "ei1d") {
        s.input = NetSpec::Input::Seq1d;
        convBlock(8, c.dropout);
        convBlock(16, c.dropout);
        s.layers.push_back({Op::Flatten, 0, 0});
        s.layers.push_back({Op::Linear, classes, 0});
        return s;
    }
    // The block's 2-D nets (PerforatedAI's Edge Impulse block, spec section 7): Conv2d k3 'same'
    // on the [1, frames, coeffs] image, ReLU, MaxPool2d 2 in PyTorch's floor mode, Dropout 0.25
    // fixed, MaxNorm 1 on the conv kernels; after the flatten, Dropout(dropout) before each
    // Linear. ei2d is the block's tutorial net (train_audio_dendritic.py): two blocks of 8 and 16
    // channels and one Linear without dropout, 2,979 parameters for 3 classes on 48 x 13.
    const bool block = c.model == "block";
    if (block || c.model == "ei2d") {
        s.input = NetSpec::Input::Image2d;
        s.maxNorm = true;
        s.poolFloor = true;
        const auto& sched = growthSchedules()[size_t(std::clamp(c.growth_mode, 0, 5))];
        const int convs = block ? c.conv_layers : 2;
        int t = frames, u = coeffs, ch = 1;
        for (int i = 0; i < convs; ++i) {
            // int(base * width) truncates, as the block's max(1, int(ch * width)).
            ch = block ? std::max(1, int(sched[size_t(i)] * c.width)) : (i == 0 ? 8 : 16);
            convBlock(ch, 0.25);
            t = pooledExtent(t, true);
            u = pooledExtent(u, true);
        }
        if (t < 1 || u < 1)
            return makeError(std::to_string(convs) + " pooling layers leave nothing of " +
                                 std::to_string(frames) + " x " + std::to_string(coeffs) +
                                 " features",
                             "use fewer conv_layers or more frames / coefficients", 3);
        s.layers.push_back({Op::Flatten, 0, 0});
        const int linears = block ? c.linear_layers : 1;
        const double feat = double(ch) * t * u;
        for (int i = 1; i <= linears; ++i) {
            if (block && c.dropout > 0)
                s.layers.push_back({Op::Dropout, 0, c.dropout});
            if (i == linears) {
                s.layers.push_back({Op::Linear, classes, 0});
                break;
            }
            // Hidden widths log-spaced from the features to the classes, truncated and at
            // least `classes`, as the block's _calculate_linear_sizes.
            const double f = double(i) / linears;
            const double logSize =
                std::log(feat) + (std::log(double(classes)) - std::log(feat)) * f;
            s.layers.push_back({Op::Linear, std::max(classes, int(std::exp(logSize))), 0});
            s.layers.push_back({Op::Relu, 0, 0});
        }
        return s;
    }
    if (c.model != "custom")
        return makeError("unknown model '" + c.model + "'", "use ei1d, ei2d, block or custom", 3);
    s.input = c.conv_layers == 0 ? NetSpec::Input::Flat
              : c.conv_dim == 2  ? NetSpec::Input::Image2d
                                 : NetSpec::Input::Seq1d;
    const auto& sched = growthSchedules()[size_t(std::clamp(c.growth_mode, 0, 5))];
    // Flattened size after the conv blocks, to place the hidden widths.
    int t = frames, u = coeffs, ch = 0;
    for (int i = 0; i < c.conv_layers; ++i) {
        ch = std::max(1, int(std::lround(sched[size_t(i)] * c.width)));
        convBlock(ch, c.dropout);
        t = pooledExtent(t, false);
        if (s.input == NetSpec::Input::Image2d)
            u = pooledExtent(u, false);
    }
    long long feat = c.conv_layers == 0                   ? (long long)frames * coeffs
                     : s.input == NetSpec::Input::Image2d ? (long long)ch * t * u
                                                          : (long long)ch * t;
    s.layers.push_back({Op::Flatten, 0, 0});
    // Hidden widths log-spaced between the features and the classes (spec section 7).
    for (int i = 1; i < c.linear_layers; ++i) {
        double f = double(i) / c.linear_layers;
        int w = std::max(1, int(std::lround(std::exp((1 - f) * std::log(double(feat)) +
                                                     f * std::log(double(classes))))));
        s.layers.push_back({Op::Linear, w, 0});
        s.layers.push_back({Op::Relu, 0, 0});
        if (c.dropout > 0)
            s.layers.push_back({Op::Dropout, 0, c.dropout});
    }
    s.layers.push_back({Op::Linear, classes, 0});
    return s;
}

NetworkImpl::NetworkImpl(NetSpec spec, DendriteMode mode, Activation activation,
                         double initMultiplier, bool perforateAll, bool graphMode)
    : m_spec(std::move(spec))
{
    using Op = NetSpec::Op;
    bool image = m_spec.input == NetSpec::Input::Image2d;
    int ch = m_spec.input == NetSpec::Input::Seq1d ? m_spec.coeffs : 1;
    int t = m_spec.frames, u = m_spec.coeffs;
    long long flat = (long long)m_spec.frames * m_spec.coeffs;
    bool flattened = m_spec.input == NetSpec::Input::Flat;
    for (const auto& l : m_spec.layers) {
        int idx = -1;
        if (l.op == Op::Conv) {
            DendriteOptions o{mode, activation, initMultiplier, perforateAll, graphMode};
            std::shared_ptr<torch::nn::Module> base;
            LayerKind kind;
            if (image) {
                base = torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, l.out, 3).padding(1)).ptr();
                kind = LayerKind::Conv2d;
            } else {
                base = torch::nn::Conv1d(torch::nn::Conv1dOptions(ch, l.out, 3).padding(1)).ptr();
                kind = LayerKind::Conv1d;
            }
            idx = int(m_layers.size());
            m_layers.push_back(
                register_module("layer_" + std::to_string(idx), DendriteLayer(base, kind, o)));
            ch = l.out;
        } else if (l.op == Op::Pool) {
            t = pooledExtent(t, m_spec.poolFloor);
            if (image)
                u = pooledExtent(u, m_spec.poolFloor);
            if (t < 1 || u < 1)
                throw std::invalid_argument("pooling leaves an empty feature map");
        } else if (l.op == Op::Flatten) {
            // A plain MLP (conv_layers 0) reads the whole frames x coeffs input as it is.
            if (m_spec.input != NetSpec::Input::Flat)
                flat = image ? (long long)ch * t * u : (long long)ch * t;
            flattened = true;
        } else if (l.op == Op::Linear) {
            if (!flattened)
                throw std::invalid_argument("Linear before Flatten in the network spec");
            DendriteOptions o{mode, activation, initMultiplier, true, graphMode};
            auto base = torch::nn::Linear(flat, l.out).ptr();
            idx = int(m_layers.size());
            m_layers.push_back(register_module("layer_" + std::to_string(idx),
                                               DendriteLayer(base, LayerKind::Linear, o)));
            flat = l.out;
        }
        m_opLayer.push_back(idx);
    }
}

namespace {

// Inverted dropout with the mask drawn by uniform_ instead of bernoulli_(p): the same
// distribution (keep with probability 1 - p, scale kept values by 1 / (1 - p)) at less than half
// the cost: forward + backward of [32, 8, 25] take 32 us instead of 70 us (LibTorch 1.13, one
// thread), and every training step of the Edge Impulse models runs two of them.
torch::Tensor dropoutFast(const torch::Tensor& x, double p, bool training)
{
    if (!training || p <= 0)
        return x;
    if (p >= 1)
        return x * 0;
    torch::Tensor keep = torch::rand_like(x).ge_(p).to(x.scalar_type()).mul_(1.0 / (1.0 - p));
    return x * keep;
}

} // namespace

torch::Tensor NetworkImpl::forward(const torch::Tensor& input)
{
    using Op = NetSpec::Op;
    const int64_t b = input.size(0);
    torch::Tensor x;
    switch (m_spec.input) {
    case NetSpec::Input::Seq1d:
        // [B, coeffs, T], made contiguous: the convolution then runs 20 % faster (one thread).
        x = input.reshape({b, m_spec.frames, m_spec.coeffs}).transpose(1, 2).contiguous();
        break;
    case NetSpec::Input::Image2d:
        x = input.reshape({b, 1, m_spec.frames, m_spec.coeffs});
        break;
    case NetSpec::Input::Flat:
        x = input.reshape({b, -1});
        break;
    }
    bool image = m_spec.input == NetSpec::Input::Image2d;
    for (size_t i = 0; i < m_spec.layers.size(); ++i) {
        const auto& l = m_spec.layers[i];
        switch (l.op) {
        case Op::Conv:
        case Op::Linear:
            x = m_layers[size_t(m_opLayer[i])]->forward(x);
            break;
        case Op::Relu:
            x = torch::relu(x);
            break;
        case Op::Pool:
            // Keras MaxPooling(padding='same') as in Edge Impulse rounds odd lengths up (ceil
            // mode); the block's nets use PyTorch's default floor mode.
            x = image ? torch::max_pool2d(x, {2, 2}, {2, 2}, {0, 0}, {1, 1}, !m_spec.poolFloor)
                      : torch::max_pool1d(x, {2}, {2}, {0}, {1}, !m_spec.poolFloor);
            break;
        case Op::Dropout:
            x = dropoutFast(x, l.p, is_training());
            break;
        case Op::Flatten:
            x = x.flatten(1);
            break;
        }
    }
    return x;
}

std::vector<DendriteLayer> NetworkImpl::wrapped() const
{
    std::vector<DendriteLayer> out;
    for (const auto& l : m_layers)
        if (l->perforated())
            out.push_back(l);
    return out;
}

std::vector<std::string> NetworkImpl::wrappedNames() const
{
    std::vector<std::string> out;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        if (!m_layers[i]->perforated())
            continue;
        const char* k = m_layers[i]->kind() == LayerKind::Linear   ? "linear"
                        : m_layers[i]->kind() == LayerKind::Conv1d ? "conv1d"
                                                                   : "conv2d";
        out.push_back("layer_" + std::to_string(i) + ":" + k);
    }
    return out;
}

std::vector<int> NetworkImpl::dendriteCounts() const
{
    std::vector<int> out;
    for (const auto& l : m_layers)
        if (l->perforated())
            out.push_back(l->dendrites());
    return out;
}

long long NetworkImpl::cleanParams() const
{
    long long n = 0;
    for (const auto& l : m_layers)
        n += l->cleanParams();
    return n;
}

void NetworkImpl::addDendrites()
{
    for (auto& l : m_layers)
        if (l->perforated())
            l->addDendrite();
}

void NetworkImpl::startCandidates()
{
    for (auto& l : m_layers)
        if (l->perforated())
            l->startCandidate();
}

void NetworkImpl::setCandidatesActive(bool on)
{
    for (auto& l : m_layers)
        if (l->hasCandidate())
            l->setCandidateActive(on);
}

void NetworkImpl::acceptCandidates()
{
    for (auto& l : m_layers)
        l->acceptCandidate();
}

bool NetworkImpl::hasCandidates() const
{
    for (const auto& l : m_layers)
        if (l->hasCandidate())
            return true;
    return false;
}

void NetworkImpl::applyMaxNorm(double maxNorm)
{
    if (maxNorm <= 0)
        return;
    for (auto& l : m_layers)
        l->applyMaxNorm(maxNorm);
}

} // namespace dw::engine
