// SPDX-License-Identifier: GPL-3.0-or-later
// The exporter's LibTorch side: network -> clean-form graph, reference probabilities, and the
// public entry points of dw/core/export.h (export, verify, timing). The only torch TU of export.
#include "export_torch.h"

#include "dw/core/atomic_file.h"
#include "dw/core/export.h"
#include "dw/core/project.h"
#include "dw_mfcc.h"
#include "trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <time.h>

namespace dw::exporter {

namespace {

std::vector<float> tensorData(const torch::Tensor& t)
{
    torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

Error unsupported(const std::string& name, const std::string& what)
{
    return makeError(
        "layer '" + name + "' uses " + what + ", which the C runtime does not run",
        "export models built from Conv (stride 1..n, zero padding, no dilation or "
        "groups), Linear, ReLU, MaxPool, Dropout and Flatten only; or use --format onnx");
}

template <size_t D, typename Opt>
Result<std::array<int, 2 * D>> convPadding(const Opt& o, const std::string& name,
                                           const std::array<int, D>& kernel)
{
    std::array<int, 2 * D> r{};
    if (const auto* p = c10::get_if<torch::ExpandingArray<D>>(&o.padding())) {
        for (size_t i = 0; i < D; ++i)
            r[i] = int((**p)[i]);
    } else if (c10::get_if<torch::enumtype::kValid>(&o.padding())) {
        // zeros
    } else {
        for (size_t i = 0; i < D; ++i) {
            if (kernel[i] % 2 == 0)
                return unsupported(name, "'same' padding with an even kernel");
            r[i] = (kernel[i] - 1) / 2;
        }
    }
    if (!c10::get_if<torch::enumtype::kZeros>(&o.padding_mode()))
        return unsupported(name, "a padding mode other than zeros");
    for (size_t i = 0; i < D; ++i)
        if ((*o.dilation())[i] != 1)
            return unsupported(name, "dilation");
    if (o.groups() != 1)
        return unsupported(name, "grouped convolution");
    return r;
}

// One plain layer (the base or a dendrite) reading tensor `in`; returns its output tensor.
Result<int> appendUnit(Graph& g, torch::nn::Module& unit, engine::LayerKind kind, int in,
                       const std::string& name)
{
    Node n;
    n.name = name;
    n.input = in;
    auto params = unit.named_parameters(false);
    const auto* w = params.find("weight");
    const auto* b = params.find("bias");
    if (!w)
        return unsupported(name, "no weight tensor");
    n.weight = tensorData(*w);
    if (b && b->defined())
        n.bias = tensorData(*b);
    const Shape is = g.tensors[size_t(in)].shape;
    Shape os;
    switch (kind) {
    case engine::LayerKind::Linear: {
        auto* lin = dynamic_cast<torch::nn::LinearImpl*>(&unit);
        if (!lin)
            return unsupported(name, "a module that is not a Linear");
        if (is.h != 1 || is.w != 1 || is.c != lin->options.in_features())
            return makeError("layer '" + name + "' expects " +
                                 std::to_string(lin->options.in_features()) + " inputs but gets " +
                                 std::to_string(is.count()),
                             "the network description and its weights disagree; retrain");
        n.op = DW_OP_LINEAR;
        os = {int(lin->options.out_features()), 1, 1};
        break;
    }
    case engine::LayerKind::Conv1d: {
        auto* c = dynamic_cast<torch::nn::Conv1dImpl*>(&unit);
        if (!c)
            return unsupported(name, "a module that is not a Conv1d");
        const auto& o = c->options;
        const std::array<int, 1> k{int((*o.kernel_size())[0])};
        auto pad = convPadding<1>(o, name, k);
        if (!pad)
            return pad.error();
        if (is.h != 1 || is.c != o.in_channels())
            return makeError("layer '" + name + "' expects " + std::to_string(o.in_channels()) +
                                 " channels but gets " + std::to_string(is.c),
                             "the network description and its weights disagree; retrain");
        n.op = DW_OP_CONV1D;
        n.kh = 1;
        n.kw = k[0];
        n.sh = 1;
        n.sw = int((*o.stride())[0]);
        n.pw = (*pad)[0];
        const int L = (is.w + 2 * n.pw - n.kw) / n.sw + 1;
        if (is.w + 2 * n.pw < n.kw)
            return makeError("layer '" + name + "' has a kernel longer than its input",
                             "use longer clips or fewer pooling layers");
        os = {int(o.out_channels()), 1, L};
        break;
    }
    case engine::LayerKind::Conv2d: {
        auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(&unit);
        if (!c)
            return unsupported(name, "a module that is not a Conv2d");
        const auto& o = c->options;
        const std::array<int, 2> k{int((*o.kernel_size())[0]), int((*o.kernel_size())[1])};
        auto pad = convPadding<2>(o, name, k);
        if (!pad)
            return pad.error();
        if (is.c != o.in_channels())
            return makeError("layer '" + name + "' expects " + std::to_string(o.in_channels()) +
                                 " channels but gets " + std::to_string(is.c),
                             "the network description and its weights disagree; retrain");
        n.op = DW_OP_CONV2D;
        n.kh = k[0];
        n.kw = k[1];
        n.sh = int((*o.stride())[0]);
        n.sw = int((*o.stride())[1]);
        n.ph = (*pad)[0];
        n.pw = (*pad)[1];
        if (is.h + 2 * n.ph < n.kh || is.w + 2 * n.pw < n.kw)
            return makeError("layer '" + name + "' has a kernel larger than its input",
                             "use longer clips or fewer pooling layers");
        os = {int(o.out_channels()), (is.h + 2 * n.ph - n.kh) / n.sh + 1,
              (is.w + 2 * n.pw - n.kw) / n.sw + 1};
        break;
    }
    }
    if (n.weight.size() != size_t(os.c) * size_t(n.kh * n.kw) * size_t(is.c) ||
        (!n.bias.empty() && n.bias.size() != size_t(os.c)))
        return makeError("layer '" + name + "' has weights of an unexpected size",
                         "the checkpoint is damaged; retrain");
    n.output = g.addTensor(os);
    g.nodes.push_back(std::move(n));
    return g.nodes.back().output;
}

int dwAct(engine::Activation a)
{
    switch (a) {
    case engine::Activation::Tanh:
        return DW_ACT_TANH;
    case engine::Activation::Relu:
        return DW_ACT_RELU;
    case engine::Activation::Sigmoid:
        break;
    }
    return DW_ACT_SIGMOID;
}

int poolExtent(int in, bool floorMode)
{
    // torch max_pool(kernel 2, stride 2): floor(in / 2), or ceil(in / 2) in ceil mode (== Keras
    // 'same' pooling, Edge Impulse's).
    return std::max(engine::pooledExtent(in, floorMode), 1);
}

} // namespace

Result<int> appendWrapped(Graph& g, engine::DendriteLayerImpl& layer, int in, bool fuseRelu,
                          const std::string& name)
{
    auto z = appendUnit(g, layer.base(), layer.kind(), in, name + ".base");
    if (!z)
        return z;
    const int K = layer.dendrites();
    if (K == 0) {
        if (fuseRelu)
            g.nodes.back().act = DW_ACT_RELU;
        return z;
    }
    if (K > DW_NN_MAX_DENDRITES)
        return makeError("layer '" + name + "' has " + std::to_string(K) + " dendrites",
                         "the C runtime runs at most " + std::to_string(DW_NN_MAX_DENDRITES) +
                             " per layer; use --format onnx");
    Node c;
    c.op = DW_OP_DENDRITE;
    c.name = name + ".combine";
    c.input = *z;
    c.inPlace = true;
    c.dact = dwAct(layer.options().activation);
    c.act = fuseRelu ? DW_ACT_RELU : DW_ACT_NONE;
    const int C = layer.neurons();
    for (int k = 0; k < K; ++k) {
        auto a = appendUnit(g, *layer.dendriteUnits()[size_t(k)], layer.kind(), in,
                            name + ".dendrite_" + std::to_string(k));
        if (!a)
            return a;
        c.branches.push_back(*a);
        auto top = tensorData(layer.wtopRows()[size_t(k)]);
        if (int(top.size()) != C)
            return makeError("layer '" + name + "' has a Wtop row of the wrong size",
                             "the checkpoint is damaged; retrain");
        c.wtop.insert(c.wtop.end(), top.begin(), top.end());
        if (k >= 1) {
            auto dd = tensorData(layer.wddRows()[size_t(k)]); // [k, C]
            if (int(dd.size()) != k * C)
                return makeError("layer '" + name + "' has cascade weights of the wrong size",
                                 "the checkpoint is damaged; retrain");
            c.wdd.insert(c.wdd.end(), dd.begin(), dd.end());
        }
    }
    c.output = g.addTensor(g.tensors[size_t(*z)].shape);
    g.nodes.push_back(std::move(c));
    return g.nodes.back().output;
}

Result<Graph> graphFromNetwork(engine::NetworkImpl& net, const std::vector<std::string>& labels)
{
    using Op = engine::NetSpec::Op;
    const auto& spec = net.spec();
    Graph g;
    g.frames = spec.frames;
    g.coeffs = spec.coeffs;
    g.classes = spec.classes;
    g.labels = labels;
    g.description = spec.describe();
    if (int(labels.size()) != spec.classes)
        return makeError("the run has " + std::to_string(labels.size()) + " labels but its " +
                             "network " + std::to_string(spec.classes) + " outputs",
                         "the run folder is damaged; retrain");
    auto reshape = [&](int t, Shape s) {
        Node n;
        n.op = DW_OP_COPY;
        n.inPlace = true;
        n.input = t;
        n.output = g.addTensor(s);
        n.name = "reshape";
        g.nodes.push_back(n);
        return n.output;
    };
    int x = -1;
    switch (spec.input) {
    case engine::NetSpec::Input::Seq1d: {
        g.input = g.addTensor({1, spec.frames, spec.coeffs});
        Node t;
        t.op = DW_OP_TRANSPOSE;
        t.input = g.input;
        t.output = g.addTensor({1, spec.coeffs, spec.frames});
        t.name = "transpose";
        g.nodes.push_back(t);
        x = reshape(t.output, {spec.coeffs, 1, spec.frames});
        break;
    }
    case engine::NetSpec::Input::Image2d:
        g.input = g.addTensor({1, spec.frames, spec.coeffs});
        x = g.input;
        break;
    case engine::NetSpec::Input::Flat:
        g.input = g.addTensor({spec.frames * spec.coeffs, 1, 1});
        x = g.input;
        break;
    }
    const auto& layers = net.layers();
    size_t li = 0;
    for (size_t i = 0; i < spec.layers.size(); ++i) {
        const auto& l = spec.layers[i];
        switch (l.op) {
        case Op::Conv:
        case Op::Linear: {
            if (li >= layers.size())
                return makeError("the network has fewer layers than its description",
                                 "the checkpoint is damaged; retrain");
            const bool fuse = i + 1 < spec.layers.size() && spec.layers[i + 1].op == Op::Relu;
            if (l.op == Op::Linear) {
                const Shape s = g.tensors[size_t(x)].shape;
                if (s.h != 1 || s.w != 1)
                    x = reshape(x, {int(s.count()), 1, 1});
            }
            auto y = appendWrapped(g, *layers[li].ptr(), x, fuse, "layer_" + std::to_string(li));
            if (!y)
                return y.error();
            x = *y;
            ++li;
            if (fuse)
                ++i;
            break;
        }
        case Op::Relu: {
            Node n;
            n.op = DW_OP_RELU;
            n.inPlace = true;
            n.input = x;
            n.output = g.addTensor(g.tensors[size_t(x)].shape);
            n.name = "relu";
            g.nodes.push_back(n);
            x = n.output;
            break;
        }
        case Op::Pool: {
            const Shape s = g.tensors[size_t(x)].shape;
            const bool image = spec.input == engine::NetSpec::Input::Image2d;
            Node n;
            n.op = DW_OP_MAXPOOL;
            n.input = x;
            n.kh = n.sh = image ? 2 : 1;
            n.kw = n.sw = 2;
            n.output = g.addTensor({s.c, image ? poolExtent(s.h, spec.poolFloor) : s.h,
                                    poolExtent(s.w, spec.poolFloor)});
            n.name = "maxpool";
            g.nodes.push_back(n);
            x = n.output;
            break;
        }
        case Op::Dropout:
            break; // identity at inference
        case Op::Flatten: {
            const Shape s = g.tensors[size_t(x)].shape;
            x = reshape(x, {int(s.count()), 1, 1});
            break;
        }
        }
    }
    if (g.tensors[size_t(x)].shape.count() != spec.classes)
        return makeError("the network ends in " +
                             std::to_string(g.tensors[size_t(x)].shape.count()) +
                             " values but has " + std::to_string(spec.classes) + " classes",
                         "the network description is inconsistent; retrain");
    {
        Node s;
        s.op = DW_OP_SOFTMAX;
        s.input = x;
        s.output = g.addTensor({spec.classes, 1, 1});
        s.name = "softmax";
        g.nodes.push_back(s);
        g.output = s.output;
    }
    if (auto s = planMemory(g); !s)
        return s.error();
    return g;
}

std::vector<float> torchProbabilities(engine::NetworkImpl& net, const float* x, int n, int classes)
{
    torch::NoGradGuard ng;
    net.eval();
    const int64_t feat = int64_t(net.spec().frames) * net.spec().coeffs;
    std::vector<float> out;
    out.reserve(size_t(n) * size_t(classes));
    for (int at = 0; at < n; at += 256) {
        const int64_t b = std::min(256, n - at);
        torch::Tensor in = torch::from_blob(const_cast<float*>(x + int64_t(at) * feat), {b, feat},
                                            torch::kFloat32);
        torch::Tensor p = torch::softmax(net.forward(in), 1).contiguous();
        out.insert(out.end(), p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    }
    return out;
}

namespace {

namespace fs = std::filesystem;

// Cortex-M4 -Os size of dw_nn.c (7.0 kB) + dw_mfcc.c (6.4 kB) + the board entry (measured with
// arm-none-eabi-gcc 12.2, without libm); used when the cross compiler is not installed.
constexpr long long kCodeBytesEstimate = 14 * 1024;
// Peak stack, measured with arm-none-eabi-gcc -Os -fcallgraph-info=su: 4,512 B in the first
// dw_mfcc_init (filter-bank validation); the network path (run -> layer -> conv with its 1 kB
// accumulator tile and int16 row stage) needs 1,908 B.
constexpr long long kStackBytesEstimate = 4608;

struct Prepared
{
    engine::LoadedCheckpoint ck;
    Graph fg;
};

Result<Prepared> prepare(const fs::path& runDir)
{
    if (auto s = requireCheckpoint(runDir, "nothing to export"); !s)
        return s.error();
    auto ck = engine::loadCheckpoint(runDir / "best.pt");
    if (!ck) {
        Error e = ck.error();
        e.code = 3;
        return e;
    }
    auto fg = graphFromNetwork(*ck->net, ck->labels);
    if (!fg)
        return fg.error();
    Prepared p{std::move(*ck), std::move(*fg)};
    return p;
}

Status checkData(const Graph& g, const FeatureDataset& d)
{
    if (d.frames != g.frames || d.coeffs != g.coeffs)
        return makeError("the project's features are " + std::to_string(d.frames) + "x" +
                             std::to_string(d.coeffs) + " but the run was trained on " +
                             std::to_string(g.frames) + "x" + std::to_string(g.coeffs),
                         "load the dataset with the run's feature settings (config.json)", 3);
    if (d.labels != g.labels)
        return makeError("the project's labels differ from the run's",
                         "export from the project the run was trained in", 3);
    return {};
}

std::vector<size_t> indicesOf(const FeatureDataset& d, Split s, int cap)
{
    std::vector<size_t> all;
    for (size_t i = 0; i < d.size(); ++i)
        if (d.split[i] == s)
            all.push_back(i);
    if (cap <= 0 || all.size() <= size_t(cap))
        return all;
    std::vector<size_t> out;
    for (int k = 0; k < cap; ++k)
        out.push_back(all[size_t(double(k) * double(all.size()) / cap)]);
    return out;
}

std::span<const float> row(const FeatureDataset& d, size_t i)
{
    return {d.x.data() + i * d.featureSize(), d.featureSize()};
}

int argmax(const float* p, int n)
{
    return int(std::max_element(p, p + n) - p);
}

Result<Graph> int8Graph(Graph& fg, const FeatureDataset& d, int calibrationClips)
{
    auto idx = indicesOf(d, Split::Train, calibrationClips);
    if (idx.empty())
        return makeError("the training split has no clips to calibrate the int8 model with",
                         "add training clips, or export with --format c", 3);
    std::vector<std::span<const float>> in;
    for (size_t i : idx)
        in.push_back(row(d, i));
    if (auto s = calibrate(fg, in); !s)
        return s.error();
    return quantize(fg);
}

// Runs the C runtime on the test clips and compares with LibTorch's probabilities.
Result<VerifyFigures> compare(Graph& g, const FeatureDataset& d, const std::vector<size_t>& test,
                              const std::vector<float>& torchP)
{
    RuntimeModel rm(g);
    VerifyFigures f;
    const int C = g.classes;
    std::vector<float> p(size_t(C), 0.0f);
    int agree = 0, correct = 0;
    for (size_t k = 0; k < test.size(); ++k) {
        if (auto s = rm.run(row(d, test[k]), p); !s)
            return s.error();
        const float* t = torchP.data() + k * size_t(C);
        for (int c = 0; c < C; ++c)
            f.maxProbabilityDifference =
                std::max(f.maxProbabilityDifference, double(std::fabs(p[size_t(c)] - t[c])));
        const int a = argmax(p.data(), C);
        agree += a == argmax(t, C);
        correct += a == d.y[test[k]];
    }
    if (!test.empty()) {
        f.argmaxAgreement = double(agree) / double(test.size());
        f.accuracy = double(correct) / double(test.size());
    }
    return f;
}

std::vector<float> gatherRows(const FeatureDataset& d, const std::vector<size_t>& idx)
{
    std::vector<float> x;
    x.reserve(idx.size() * d.featureSize());
    for (size_t i : idx) {
        auto r = row(d, i);
        x.insert(x.end(), r.begin(), r.end());
    }
    return x;
}

long long featureBytes(const FeatureConfig& f, int inputSize)
{
    // The runtime MFCC's scratch (tables + work buffers) + one PCM window + the feature matrix.
    dw_mfcc_config c = DW_MFCC_CONFIG_DEFAULT;
    c.kind = f.kind == "mfe" ? DW_MFCC_KIND_MFE : DW_MFCC_KIND_MFCC;
    c.window = f.window == "hann" ? DW_MFCC_WINDOW_HANN : DW_MFCC_WINDOW_NONE;
    c.num_cepstral = f.num_cepstral;
    c.frame_length = float(f.frame_length);
    c.frame_stride = float(f.frame_stride);
    c.num_filters = f.num_filters;
    c.fft_length = f.fft_length;
    c.win_size = f.win_size;
    c.low_frequency = float(f.low_frequency);
    c.high_frequency = float(f.high_frequency);
    c.pre_cof = float(f.pre_cof);
    c.sample_rate = f.sample_rate;
    return (long long)dw_mfcc_scratch_size(&c, f.sample_rate) + 2LL * f.sample_rate +
           4LL * inputSize;
}

const char* kBoardMain = R"(// SPDX-License-Identifier: GPL-3.0-or-later
/* Minimal board entry used for the Cortex-M size report of this export (no stdio, no malloc).
 * A real firmware fills `dw_board_audio` from its microphone and calls dw_board_classify(). */
#include "dw_nn.h"
#include "model.h"

static float dw_board_scratch[(DW_MODEL_SCRATCH_BYTES + 3) / 4];
static float dw_board_features[DW_MODEL_INPUT_SIZE];
float dw_board_probs[DW_MODEL_OUTPUT_SIZE];
int16_t dw_board_audio[DW_MODEL_WINDOW_SAMPLES];
volatile int dw_board_result;

int dw_board_classify(void)
{
    int i, best = 0;
    if (dw_model_features(dw_board_audio, DW_MODEL_WINDOW_SAMPLES, dw_board_features) != 0)
        return -1;
    if (dw_model_run(&dw_model_graph, dw_board_scratch, dw_board_features, dw_board_probs) != 0)
        return -1;
    for (i = 1; i < DW_MODEL_OUTPUT_SIZE; ++i)
        if (dw_board_probs[i] > dw_board_probs[best])
            best = i;
    return best;
}

int main(void)
{
    /* Self-check at start-up, then classify. */
    if (dw_model_run(&dw_model_graph, dw_board_scratch, dw_model_test_input, dw_board_probs) != 0)
        return 1;
    dw_board_result = dw_board_classify();
    for (;;) {
    }
}
)";

} // namespace

Status requireCheckpoint(const std::filesystem::path& runDir, const std::string& what)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(runDir, ec))
        return makeError("run folder '" + runDir.string() + "' does not exist",
                         "give the path of a run, e.g. <project>/runs/<run>", 3);
    if (!std::filesystem::exists(runDir / "best.pt", ec))
        return makeError("run '" + runDir.filename().string() +
                             "' has no checkpoint (best.pt): " + what,
                         "train it until at least one epoch has finished, or pick another run", 3);
    return {};
}

} // namespace dw::exporter

namespace dw {

using namespace exporter;

Result<ExportResult> exportRun(const std::filesystem::path& runDir,
                               const std::filesystem::path& outDirIn, const ExportOptions& options,
                               const FeatureDataset* data)
{
    auto say = [&](const std::string& s) {
        if (options.progress)
            options.progress(s);
    };
    // "out/" is the folder "out" (its staging sibling must not land inside it).
    const fs::path outDir = outDirIn.filename().empty() && outDirIn.has_parent_path()
                                ? outDirIn.parent_path()
                                : outDirIn;
    // Refuse before the work when the user's files are in the way (checked again at the end).
    if (!options.replaceForeignFiles)
        if (auto c = exportConflicts(outDir, options.format); !c.empty())
            return exportConflictError(outDir, c);
    // Staged in a hidden sibling and moved into place when complete (publishExport): a failure
    // or a full disk leaves the output folder as it was. Removed on every way out.
    struct Staging
    {
        fs::path dir;
        ~Staging()
        {
            std::error_code ec;
            if (!dir.empty())
                fs::remove_all(dir, ec);
        }
    } staging;
    try {
        torch::NoGradGuard ng;
        say("loading " + (runDir / "best.pt").string());
        auto prep = prepare(runDir);
        if (!prep)
            return prep.error();
        Graph& fg = prep->fg;
        auto& net = *prep->ck.net;
        if (data)
            if (auto s = checkData(fg, *data); !s)
                return s.error();
        const std::string runName = fs::absolute(runDir).lexically_normal().filename().string();
        // Test vector: the first test clip (or any clip), else a deterministic pattern.
        std::vector<float> tv(size_t(fg.frames) * size_t(fg.coeffs));
        std::string tvClip = "synthetic";
        std::vector<size_t> test;
        if (data) {
            test = indicesOf(*data, Split::Test, 0);
            size_t pick = test.empty() ? 0 : test.front();
            if (data->size() > 0) {
                auto r = row(*data, pick);
                tv.assign(r.begin(), r.end());
                tvClip = data->clipIds.empty() ? std::to_string(pick) : data->clipIds[pick];
            }
        }
        if (tvClip == "synthetic")
            for (size_t i = 0; i < tv.size(); ++i)
                tv[i] = float(std::sin(0.37 * double(i)) * 1.5);

        ExportResult res;
        res.outDir = outDir;
        std::vector<std::pair<std::string, std::string>> files;
        Graph qg;
        Graph* eg = &fg;
        if (options.format == ExportFormat::CInt8) {
            if (!data)
                return makeError("an int8 export needs the project's training clips for "
                                 "calibration",
                                 "run it on a run inside its project (<project>/runs/<run>), or "
                                 "export with --format c",
                                 3);
            say("calibrating int8 on the training split");
            auto q = int8Graph(fg, *data, options.calibrationClips);
            if (!q)
                return q.error();
            qg = std::move(*q);
            eg = &qg;
        }
        // LibTorch on the test split (for accuracy and the difference).
        std::vector<float> torchP;
        if (data && options.evaluate && !test.empty()) {
            say("evaluating " + std::to_string(test.size()) + " test clips");
            auto x = gatherRows(*data, test);
            torchP = torchProbabilities(net, x.data(), int(test.size()), fg.classes);
            auto fig = compare(*eg, *data, test, torchP);
            if (!fig)
                return fig.error();
            int correct = 0;
            for (size_t k = 0; k < test.size(); ++k)
                correct +=
                    argmax(torchP.data() + k * size_t(fg.classes), fg.classes) == data->y[test[k]];
            res.testClips = int(test.size());
            res.torchTestAccuracy = double(correct) / double(test.size());
            res.exportedTestAccuracy = fig->accuracy;
            res.maxProbabilityDifference = fig->maxProbabilityDifference;
        }

        if (options.format == ExportFormat::Onnx) {
            files.emplace_back("model.onnx", onnxModel(fg, "dendrite-workbench"));
            std::string labels;
            for (const auto& l : fg.labels)
                labels += l + "\n";
            files.emplace_back("labels.txt", labels);
        } else {
            HeaderInfo info;
            info.runName = runName;
            info.format = exportFormatName(options.format);
            info.features = prep->ck.config.features;
            info.testInput = tv;
            info.testClip = tvClip;
            if (eg->int8) {
                RuntimeModel rm(*eg);
                info.testExpected.assign(size_t(fg.classes), 0.0f);
                if (auto s = rm.run(tv, info.testExpected); !s)
                    return s.error();
                info.testTolerance = 2e-2f; // int8 codes may round differently on another FPU
            } else {
                info.testExpected = torchProbabilities(net, tv.data(), 1, fg.classes);
                info.testTolerance = 1e-4f;
            }
            files.emplace_back("model.h", emitModelHeader(*eg, info));
            for (const auto& [name, text] : embeddedFiles())
                files.emplace_back(name, text);
            files.emplace_back("board/dw_board_main.c", kBoardMain);
        }
        // Board report.
        BoardReport& b = res.board;
        b.params = fg.paramCount();
        b.macs = eg->macs();
        b.weightBytes = eg->constBytes();
        b.codeBytesEstimate = kCodeBytesEstimate;
        b.scratchBytes = eg->scratchBytes;
        b.featureBytes =
            featureBytes(prep->ck.config.features, int(fg.tensors[size_t(fg.input)].shape.count()));
        b.stackBytesEstimate = kStackBytesEstimate;
        b.flashBytes = b.weightBytes + b.codeBytesEstimate;
        b.ramBytes = b.scratchBytes + b.featureBytes + b.stackBytesEstimate;

        say("writing " + outDir.string());
        staging.dir = temporarySibling(outDir);
        // A failed write names the export folder, not the hidden staging one.
        auto writeFailed = [&](const std::string& name, const Error& e) {
            const auto at = e.message.rfind("': ");
            std::string why = at == std::string::npos ? e.message : e.message.substr(at + 3);
            return makeError(std::string("cannot write the export into '") + outDir.string() +
                                 "' (" + name + "): " + why,
                             "free some disk space and try again; the folder was not changed");
        };
        for (const auto& [name, text] : files) {
            if (auto s = writeFileAtomic(staging.dir / name, text); !s)
                return writeFailed(name, s.error());
            res.files.push_back(name);
        }
        if (options.format != ExportFormat::Onnx && options.measureArm) {
            say("compiling for Cortex-M4F");
            std::vector<std::string> srcs{"board/dw_board_main.c"};
            for (const auto& [name, text] : embeddedFiles())
                if (name.size() > 2 && name.substr(name.size() - 2) == ".c" && name != "main.c")
                    srcs.push_back(name);
            measureArm(staging.dir, srcs, b);
            if (b.armMeasured) {
                b.flashBytes = b.armText + b.armData;
                b.ramBytes = b.armData + b.armBss + b.stackBytesEstimate;
            }
        }
        res.files.push_back("export.json");
        if (auto s = writeFileAtomic(staging.dir / "export.json",
                                     exportManifestJson(res.toJson(), files));
            !s)
            return writeFailed("export.json", s.error());
        if (auto s = publishExport(staging.dir, outDir, res.files, options.replaceForeignFiles); !s)
            return s.error();
        return res;
    } catch (const std::exception& e) {
        return makeError(std::string("export failed: ") + engine::errorText(e),
                         "the run folder may be damaged; retrain or report this as a bug");
    }
}

Result<VerifyResult> verifyRun(const std::filesystem::path& runDir, const FeatureDataset& data,
                               int calibrationClips)
{
    try {
        torch::NoGradGuard ng;
        auto prep = prepare(runDir);
        if (!prep)
            return prep.error();
        Graph& fg = prep->fg;
        if (auto s = checkData(fg, data); !s)
            return s.error();
        auto test = indicesOf(data, Split::Test, 0);
        if (test.empty())
            return makeError("the project has no test clips to verify on",
                             "add clips to the test split (dendrite split) and try again", 3);
        auto x = gatherRows(data, test);
        auto torchP = torchProbabilities(*prep->ck.net, x.data(), int(test.size()), fg.classes);
        VerifyResult r;
        r.clips = int(test.size());
        int correct = 0;
        for (size_t k = 0; k < test.size(); ++k)
            correct +=
                argmax(torchP.data() + k * size_t(fg.classes), fg.classes) == data.y[test[k]];
        r.torchAccuracy = double(correct) / double(test.size());
        auto ff = compare(fg, data, test, torchP);
        if (!ff)
            return ff.error();
        r.floatC = *ff;
        auto q = int8Graph(fg, data, calibrationClips);
        if (!q)
            return q.error();
        auto fq = compare(*q, data, test, torchP);
        if (!fq)
            return fq.error();
        r.int8C = *fq;
        return r;
    } catch (const std::exception& e) {
        return makeError(std::string("verify failed: ") + engine::errorText(e),
                         "the run folder may be damaged; retrain or report this as a bug");
    }
}

Result<InferenceTiming> timeInference(const std::filesystem::path& runDir, int iterations,
                                      int classes)
{
    try {
        torch::NoGradGuard ng;
        torch::set_num_threads(1);
        engine::Network net{nullptr};
        std::vector<std::string> labels;
        if (runDir.empty()) {
            TrainConfig cfg;
            auto spec = engine::specFor(cfg, 50, 13, classes);
            if (!spec)
                return spec.error();
            torch::manual_seed(1);
            net = engine::buildNetwork(*spec, cfg);
            for (int c = 0; c < classes; ++c)
                labels.push_back("class" + std::to_string(c));
        } else {
            if (!fs::exists(runDir / "best.pt"))
                return makeError("run '" + runDir.string() + "' has no checkpoint (best.pt)",
                                 "train it first, or time the baseline without a run", 3);
            auto ck = engine::loadCheckpoint(runDir / "best.pt");
            if (!ck)
                return ck.error();
            net = ck->net;
            labels = ck->labels;
        }
        net->eval();
        auto fg = graphFromNetwork(*net, labels);
        if (!fg)
            return fg.error();
        const int C = fg->classes;
        const size_t F = size_t(fg->frames) * size_t(fg->coeffs);
        // Calibration inputs: pseudo-random features of MFCC-like scale.
        std::mt19937 rng(7);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        std::vector<std::vector<float>> cal(32, std::vector<float>(F));
        for (auto& v : cal)
            for (auto& x : v)
                x = nd(rng);
        std::vector<std::span<const float>> spans(cal.begin(), cal.end());
        if (auto s = calibrate(*fg, spans); !s)
            return s.error();
        auto qg = quantize(*fg);
        if (!qg)
            return qg.error();
        InferenceTiming t;
        t.iterations = std::max(1, iterations);
        t.macs = fg->macs();
        t.model = fg->description;
        const auto& x = cal[0];
        torch::Tensor in =
            torch::from_blob(const_cast<float*>(x.data()), {1, int64_t(F)}, torch::kFloat32);
        RuntimeModel rf(*fg), rq(*qg);
        std::vector<float> out(static_cast<size_t>(C));
        volatile float sink = 0;
        // The three engines on the same input, each on this thread only (LibTorch: eval mode,
        // NoGradGuard, one intra-op thread). After a warm-up, `rounds` interleaved rounds run
        // each engine for iterations/rounds clips; a round's time is this thread's CPU time
        // (on a shared machine wall time mostly measures the wait for a core) and the figure is
        // the median round, so load that comes and goes hits all three alike.
        std::vector<std::function<void()>> engines = {[&] {
                                                          torch::Tensor p =
                                                              torch::softmax(net->forward(in), 1);
                                                          sink = sink + p.data_ptr<float>()[0];
                                                      },
                                                      [&] {
                                                          (void)rf.run(x, out);
                                                          sink = sink + out[0];
                                                      },
                                                      [&] {
                                                          (void)rq.run(x, out);
                                                          sink = sink + out[0];
                                                      }};
        auto cpuMicros = [] {
            timespec ts{};
            ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) * 1e-3;
        };
        t.rounds = std::min(15, t.iterations);
        const int perRound = std::max(1, t.iterations / t.rounds);
        for (auto& e : engines)
            for (int i = 0; i < std::min(50, t.iterations); ++i)
                e();
        std::vector<std::vector<double>> us(engines.size());
        for (int r = 0; r < t.rounds; ++r)
            for (size_t k = 0; k < engines.size(); ++k) {
                const double t0 = cpuMicros();
                for (int i = 0; i < perRound; ++i)
                    engines[k]();
                us[k].push_back((cpuMicros() - t0) / perRound);
            }
        auto median = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        };
        t.torchMicros = median(us[0]);
        t.floatMicros = median(us[1]);
        t.int8Micros = median(us[2]);
        t.iterations = perRound * t.rounds;
        return t;
    } catch (const std::exception& e) {
        return makeError(std::string("timing failed: ") + engine::errorText(e),
                         "report this as a bug");
    }
}

} // namespace dw
