// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The exporter's intermediate form (no torch): a list of runtime layers (Node) over tensors in
// PyTorch's contiguous layout without the batch axis, as runtime/dw_nn.h runs them. A Graph is
// built from a LibTorch network (export_torch.cpp), planned into one scratch buffer, optionally
// quantised to int8, run in-process through the C runtime (verify, calibration, tests) and
// written out as model.h / model.onnx. Not thread-safe; one owner.

#include "dw/core/export.h"
#include "dw/core/features.h"
#include "dw/core/result.h"
#include "dw_nn.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dw::exporter {

struct Shape
{
    int c = 1, h = 1, w = 1; // conv1d [C][1][L], conv2d [C][H][W], flat [N][1][1]
    long count() const { return long(c) * h * w; }
};

struct Tensor
{
    Shape shape;
    bool int8 = false;
    float scale = 1.0f; // int8: value = scale * (q - zp)
    int zp = 0;
    float minV = 0, maxV = 0; // calibration range (float graph)
    bool seen = false;
    int offset = -1; // bytes into scratch (planMemory)
    int bytes() const { return int(shape.count() * (int8 ? 1 : 4)); }
};

struct Node
{
    int op = 0;            // DW_OP_*
    int act = DW_ACT_NONE; // fused ReLU, or the ACT op's function
    int input = -1, output = -1;
    bool inPlace = false;      // output shares the input's memory (relu, dendrite combine)
    std::vector<int> branches; // dendrite: tensors a_1..a_K
    int dact = DW_ACT_SIGMOID;
    int kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
    std::vector<float> weight, bias; // float conv/linear (bias may be empty)
    std::vector<float> wtop, wdd;    // dendrite [K][C], packed cascade rows
    // int8
    std::vector<int8_t> qweight;
    std::vector<int32_t> qbias, mult, shift;
    std::vector<float> wscale, branchScale;
    std::vector<int> branchZp;
    std::string name; // e.g. "layer_0.base", "layer_0.dendrite_1", "layer_0.combine"
    // filled by RuntimeModel
    std::vector<int> branchOffsets;
    bool isParamLayer() const;
};

struct Graph
{
    std::vector<Tensor> tensors;
    std::vector<Node> nodes;
    int input = -1;  // float features [frames*coeffs], tensor id
    int output = -1; // float probabilities [classes]
    int frames = 0, coeffs = 0, classes = 0;
    bool int8 = false;
    int scratchBytes = 0;
    std::vector<std::string> labels;
    std::string description; // the network spec, human-readable

    int addTensor(Shape s, bool isInt8 = false);
    long long macs() const;
    long long paramCount() const; // float parameters (weights, biases, Wtop, Wdd)
    long long constBytes() const; // bytes of every const array the header holds for the graph
};

// Offsets for every tensor (greedy first fit over lifetimes; in-place ops share memory).
Status planMemory(Graph& g);

// The graph as a dw_model over its own scratch: runs the C runtime in-process.
class RuntimeModel
{
public:
    explicit RuntimeModel(Graph& g); // g must outlive this and stay unchanged; planMemory first
    // in: frames*coeffs floats, out: classes floats. An Error carries dw_status_text.
    Status run(std::span<const float> in, std::span<float> out, dw_layer_hook hook = nullptr,
               void* user = nullptr);
    const dw_model& model() const { return m_model; }
    const std::vector<dw_layer>& layers() const { return m_layers; }

private:
    Graph& m_g;
    std::vector<dw_layer> m_layers;
    std::vector<float> m_scratch; // float storage keeps the 4-byte alignment
    dw_model m_model{};
};

// Records the range of every tensor of a float graph over `inputs` (each frames*coeffs).
Status calibrate(Graph& g, const std::vector<std::span<const float>>& inputs);
// An int8 graph from a calibrated float graph: per-channel symmetric int8 weights, per-tensor
// asymmetric int8 activations, dendrite combines and softmax in float. Planned.
Result<Graph> quantize(const Graph& floatGraph);

// Text outputs (export_emit.cpp).
struct HeaderInfo
{
    std::string runName;
    std::string format; // "c" | "c-int8"
    FeatureConfig features;
    std::vector<float> testInput;    // frames*coeffs
    std::vector<float> testExpected; // classes
    float testTolerance = 1e-4f;
    std::string testClip; // clip id of the test vector
};
std::string emitModelHeader(const Graph& g, const HeaderInfo& info);
// runtime/*.{c,h} and runtime/example/main.c, embedded at build time: (file name, text).
const std::vector<std::pair<std::string, std::string>>& embeddedFiles();

// The export folder (export_folder.cpp, torch-free). export.json doubles as the export's
// manifest: resultJson plus "written_by" and "file_hashes" (FNV-1a 64 of each file written), so
// a later export knows which files in the folder are its own and unchanged.
std::string exportManifestJson(const std::string& resultJson,
                               const std::vector<std::pair<std::string, std::string>>& files);
// Moves a complete export from `staging` (a temporarySibling of outDir) into outDir: a rename
// when outDir is absent or empty, an atomic exchange when it holds only a previous export's
// unchanged files, else file by file (the user's other files stay). Checks the conflicts again
// first (refused unless replaceForeign). `files` are the staged files, relative.
Status publishExport(const std::filesystem::path& staging, const std::filesystem::path& outDir,
                     const std::vector<std::string>& files, bool replaceForeign);

// Compiles `sources` (relative to dir) for a Cortex-M4F and fills the measured fields of r;
// without arm-none-eabi-gcc it only sets r.armNote (export_board.cpp).
void measureArm(const std::filesystem::path& dir, const std::vector<std::string>& sources,
                BoardReport& r);

// ONNX model (opset 13) of a float graph, hand-written protobuf (export_onnx.cpp).
std::string onnxModel(const Graph& floatGraph, const std::string& producer);

} // namespace dw::exporter
