// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The dendritic wrapper of perforated-backprop.md section 2 around one Linear, Conv1d or Conv2d.
// Shapes: Linear y [B, C] (neuron axis last), Conv1d y [B, C, T], Conv2d y [B, C, H, W] (axis 1).
// Submodules / parameters (stable names, so save/load round-trips at any K):
//   base                      the original layer
//   dendrite_k (k = 0..K-1)   copies of the layer's architecture
//   wtop_k [C]                row k of Wtop [K, C]
//   wdd_k  [k, C] (k >= 1)    cascade weights from dendrites 0..k-1 into dendrite k
//   candidate                 (P-phase only) CandidateImpl: the candidate, its best snapshot,
//                             Wdc, running scores
// Not thread-safe; one training thread owns a model.

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace dw::engine {

enum class LayerKind
{
    Linear,
    Conv1d,
    Conv2d
};
enum class DendriteMode
{
    Traditional,
    GD,
    CC
};
enum class Activation
{
    Sigmoid,
    Tanh,
    Relu
};

DendriteMode dendriteModeFromName(const std::string& s);
Activation activationFromName(const std::string& s);

struct DendriteOptions
{
    DendriteMode mode = DendriteMode::CC;
    Activation activation = Activation::Sigmoid;
    double initMultiplier = 0.01;
    bool perforated = true; // false: the layer is only tracked, never gets dendrites
    // cc: accepted dendrites see a detached input in N-phases (the library's
    // dendrite_graph_mode); off lets the task gradient flow through them into earlier layers.
    // Candidates always see a detached input.
    bool graphMode = true;
};

// Clean parameter count of spec section 2 for a layer with P parameters, C neurons, K dendrites.
long long cleanParamFormula(long long p, long long c, long long k);

// The P-phase state of one wrapped layer.
class CandidateImpl : public torch::nn::Module
{
public:
    CandidateImpl(std::shared_ptr<torch::nn::Module> unit, std::shared_ptr<torch::nn::Module> best,
                  int neurons, int k);
    std::shared_ptr<torch::nn::Module> unit, best;
    torch::Tensor wdc, wdcBest; // [K, C] when K > 0
    torch::Tensor score;        // running S_n [C]
    torch::Tensor bestScore;    // best_n: running max of |S_n| after warm-up [C]
    torch::Tensor prevBest;     // prev_n: the reference best_n must beat [C]
    torch::Tensor corr;         // running normalised correlation [C]
    // [3] int64: batches seen this phase, snapshot taken (0/1), improved this epoch (0/1)
    torch::Tensor counters;
};
TORCH_MODULE(Candidate);

class DendriteLayerImpl : public torch::nn::Module
{
public:
    DendriteLayerImpl(std::shared_ptr<torch::nn::Module> base, LayerKind kind,
                      DendriteOptions options);

    torch::Tensor forward(const torch::Tensor& x);

    LayerKind kind() const { return m_kind; }
    int neurons() const { return m_neurons; }
    int dendrites() const { return int(m_dendrites.size()); }
    bool perforated() const { return m_options.perforated; }
    const DendriteOptions& options() const { return m_options; }
    long long baseParams() const;
    long long cleanParams() const; // formula; equals the count of non-candidate tensors
    torch::nn::Module& base() { return *m_base; }

    // Appends a dendrite: weights N(0,1) * init_multiplier, Wtop 0, Wdd 0 (network unchanged).
    void addDendrite();

    // --- P-phase (cc) ---
    void startCandidate();
    bool hasCandidate() const { return bool(m_candidate); }
    void setCandidateActive(bool on) { m_candidateActive = on; }
    std::vector<torch::Tensor> candidateParameters();
    // From the last forward/backward: covariance per neuron, running-score update (plain
    // cumulative mean for the first `warmup` batches of the phase, then 0.99/0.01), the
    // normalised correlation, the per-batch bookkeeping of perforatedbp 3.0.7 after warm-up
    // (bookkeepScores in tracker.h), and the candidate loss -sum_n sign(S_n) cov_n.
    torch::Tensor candidateStep(int warmup);
    // Epoch end: a layer flagged by the bookkeeping on any batch of this epoch snapshots its
    // candidate (weights and Wdc) as best and clears the flag. Returns whether it was flagged.
    bool candidateEpochEnd();
    double candidateScore() const;       // max_n |S_n| now
    double candidateBestScore() const;   // max_n best_n
    double candidateCorrelation() const; // max_n |running normalised correlation|
    // The best snapshot (or the candidate as it stands) becomes dendrite K+1 with Wtop 0.
    void acceptCandidate();
    void dropCandidate();
    // Captured by the hook in the last P forward / backward (for tests).
    const torch::Tensor& lastE() const { return m_E; }
    const torch::Tensor& lastV() const { return m_V; }

    // Parameters trained in N-phases: base, Wtop, Wdd and (gd, or cc with update mode) dendrites.
    std::vector<torch::Tensor> neuronPhaseParameters(bool dendriteWeights);
    torch::Tensor wtop() const; // [K, C] (empty when K == 0)
    const std::vector<torch::Tensor>& wtopRows() const { return m_wtop; }
    const std::vector<torch::Tensor>& wddRows() const { return m_wdd; }
    const std::vector<std::shared_ptr<torch::nn::Module>>& dendriteUnits() const
    {
        return m_dendrites;
    }
    torch::Tensor runUnit(torch::nn::Module& unit, const torch::Tensor& x) const;
    void applyMaxNorm(double maxNorm); // base weight, per output filter

private:
    torch::Tensor act(const torch::Tensor& a) const;
    torch::Tensor along(const torch::Tensor& v) const;     // [C] -> broadcastable on y
    torch::Tensor positions(const torch::Tensor& t) const; // [.., C, ..] -> [P, C]
    std::shared_ptr<torch::nn::Module> freshUnit() const;

    std::shared_ptr<torch::nn::Module> m_base;
    LayerKind m_kind;
    DendriteOptions m_options;
    int m_neurons = 0;
    std::vector<std::shared_ptr<torch::nn::Module>> m_dendrites;
    std::vector<torch::Tensor> m_wtop;
    std::vector<torch::Tensor> m_wdd; // m_wdd[k] for k >= 1 (index 0 unused, undefined)
    Candidate m_candidate{nullptr};
    bool m_candidateActive = false;
    torch::Tensor m_V, m_E;
};
TORCH_MODULE(DendriteLayer);

} // namespace dw::engine
