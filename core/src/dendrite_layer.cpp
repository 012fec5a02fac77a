// SPDX-License-Identifier: GPL-3.0-or-later
#include "dendrite_layer.h"

#include "tracker.h"

#include <stdexcept>

namespace dw::engine {

DendriteMode dendriteModeFromName(const std::string& s)
{
    if (s == "gd")
        return DendriteMode::GD;
    if (s == "cc")
        return DendriteMode::CC;
    return DendriteMode::Traditional;
}

Activation activationFromName(const std::string& s)
{
    if (s == "tanh")
        return Activation::Tanh;
    if (s == "relu")
        return Activation::Relu;
    return Activation::Sigmoid;
}

long long cleanParamFormula(long long p, long long c, long long k)
{
    return p * (k + 1) + c * k + c * k * (k - 1) / 2;
}

namespace {

void randomInit(torch::nn::Module& m, double multiplier)
{
    torch::NoGradGuard ng;
    for (auto& p : m.parameters())
        p.normal_(0.0, 1.0).mul_(multiplier);
}

std::vector<double> toVector(const torch::Tensor& t)
{
    torch::Tensor d = t.to(torch::kFloat64).contiguous();
    return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

void fromVector(torch::Tensor& t, const std::vector<double>& v)
{
    t.copy_(torch::from_blob(const_cast<double*>(v.data()), {int64_t(v.size())}, torch::kFloat64));
}

void copyParams(torch::nn::Module& dst, torch::nn::Module& src)
{
    torch::NoGradGuard ng;
    auto d = dst.parameters();
    auto s = src.parameters();
    for (size_t i = 0; i < d.size(); ++i)
        d[i].copy_(s[i]);
}

} // namespace

CandidateImpl::CandidateImpl(std::shared_ptr<torch::nn::Module> u,
                             std::shared_ptr<torch::nn::Module> b, int neurons, int k)
    : unit(register_module("unit", std::move(u))), best(register_module("best", std::move(b)))
{
    if (k > 0) {
        wdc = register_parameter("wdc", torch::zeros({k, neurons}));
        wdcBest = register_buffer("wdc_best", torch::zeros({k, neurons}));
    }
    for (auto& p : best->parameters())
        p.set_requires_grad(false);
    score = register_buffer("score", torch::zeros({neurons}));
    bestScore = register_buffer("best_score", torch::zeros({neurons}));
    prevBest = register_buffer("prev_best", torch::zeros({neurons}));
    corr = register_buffer("corr", torch::zeros({neurons}));
    counters = register_buffer("counters", torch::zeros({3}, torch::kInt64));
}

DendriteLayerImpl::DendriteLayerImpl(std::shared_ptr<torch::nn::Module> base, LayerKind kind,
                                     DendriteOptions options)
    : m_base(register_module("base", std::move(base))), m_kind(kind), m_options(options)
{
    switch (m_kind) {
    case LayerKind::Linear:
        m_neurons = int(dynamic_cast<torch::nn::LinearImpl&>(*m_base).options.out_features());
        break;
    case LayerKind::Conv1d:
        m_neurons = int(dynamic_cast<torch::nn::Conv1dImpl&>(*m_base).options.out_channels());
        break;
    case LayerKind::Conv2d:
        m_neurons = int(dynamic_cast<torch::nn::Conv2dImpl&>(*m_base).options.out_channels());
        break;
    }
}

torch::Tensor DendriteLayerImpl::runUnit(torch::nn::Module& unit, const torch::Tensor& x) const
{
    switch (m_kind) {
    case LayerKind::Linear:
        return dynamic_cast<torch::nn::LinearImpl&>(unit).forward(x);
    case LayerKind::Conv1d:
        return dynamic_cast<torch::nn::Conv1dImpl&>(unit).forward(x);
    case LayerKind::Conv2d:
        return dynamic_cast<torch::nn::Conv2dImpl&>(unit).forward(x);
    }
    throw std::logic_error("unknown layer kind");
}

torch::Tensor DendriteLayerImpl::act(const torch::Tensor& a) const
{
    switch (m_options.activation) {
    case Activation::Tanh:
        return torch::tanh(a);
    case Activation::Relu:
        return torch::relu(a);
    case Activation::Sigmoid:
        break;
    }
    return torch::sigmoid(a);
}

torch::Tensor DendriteLayerImpl::along(const torch::Tensor& v) const
{
    switch (m_kind) {
    case LayerKind::Linear:
        return v; // neuron axis is last: [C] broadcasts
    case LayerKind::Conv1d:
        return v.view({1, m_neurons, 1});
    case LayerKind::Conv2d:
        return v.view({1, m_neurons, 1, 1});
    }
    return v;
}

torch::Tensor DendriteLayerImpl::positions(const torch::Tensor& t) const
{
    if (m_kind == LayerKind::Linear)
        return t.reshape({-1, m_neurons});
    return t.transpose(1, t.dim() - 1).reshape({-1, m_neurons});
}

std::shared_ptr<torch::nn::Module> DendriteLayerImpl::freshUnit() const
{
    // clone() keeps the exact architecture (kernel, stride, padding, sizes); new weights follow.
    std::shared_ptr<torch::nn::Module> u = m_base->clone();
    randomInit(*u, m_options.initMultiplier);
    for (auto& p : u->parameters())
        p.set_requires_grad(true);
    return u;
}

torch::Tensor DendriteLayerImpl::forward(const torch::Tensor& x)
{
    torch::Tensor z = runUnit(*m_base, x);
    if (m_dendrites.empty() && !m_candidateActive)
        return z;
    // cc: the error never flows from a dendrite back into earlier layers (paper eq. 2), unless
    // dendrite_graph_mode is off.
    torch::Tensor xd = m_options.mode == DendriteMode::CC && m_options.graphMode ? x.detach() : x;
    torch::Tensor y = z;
    std::vector<torch::Tensor> h;
    h.reserve(m_dendrites.size());
    for (size_t k = 0; k < m_dendrites.size(); ++k) {
        torch::Tensor a = runUnit(*m_dendrites[k], xd);
        for (size_t j = 0; j < k; ++j)
            a = a + along(m_wdd[k][int64_t(j)]) * h[j];
        h.push_back(act(a));
        y = y + along(m_wtop[k]) * h.back();
    }
    if (m_candidateActive && m_candidate) {
        if (y.requires_grad())
            y.register_hook([this](torch::Tensor g) { m_E = g.detach(); });
        torch::Tensor a = runUnit(*m_candidate->unit, x.detach());
        for (size_t j = 0; j < h.size(); ++j)
            a = a + along(m_candidate->wdc[int64_t(j)]) * h[j].detach();
        m_V = act(a); // V is not added to y
    }
    return y;
}

long long DendriteLayerImpl::baseParams() const
{
    long long n = 0;
    for (const auto& p : m_base->parameters())
        n += p.numel();
    return n;
}

long long DendriteLayerImpl::cleanParams() const
{
    return cleanParamFormula(baseParams(), m_neurons, dendrites());
}

void DendriteLayerImpl::addDendrite()
{
    if (!m_options.perforated)
        throw std::logic_error("addDendrite on a layer that is not perforated");
    int k = dendrites();
    auto u = freshUnit();
    m_dendrites.push_back(register_module("dendrite_" + std::to_string(k), u));
    m_wtop.push_back(register_parameter("wtop_" + std::to_string(k), torch::zeros({m_neurons})));
    if (k == 0)
        m_wdd.emplace_back();
    else
        m_wdd.push_back(
            register_parameter("wdd_" + std::to_string(k), torch::zeros({k, m_neurons})));
}

void DendriteLayerImpl::startCandidate()
{
    if (!m_options.perforated)
        return;
    dropCandidate();
    auto unit = freshUnit();
    auto best = unit->clone();
    m_candidate = register_module("candidate", Candidate(unit, best, m_neurons, dendrites()));
    m_candidateActive = true;
}

std::vector<torch::Tensor> DendriteLayerImpl::candidateParameters()
{
    std::vector<torch::Tensor> out;
    if (!m_candidate)
        return out;
    for (auto& p : m_candidate->unit->parameters())
        out.push_back(p);
    if (m_candidate->wdc.defined())
        out.push_back(m_candidate->wdc);
    return out;
}

torch::Tensor DendriteLayerImpl::candidateStep(int warmup)
{
    if (!m_candidate || !m_V.defined() || !m_E.defined())
        return torch::zeros({});
    torch::Tensor v = positions(m_V);
    torch::Tensor e = positions(m_E);
    torch::Tensor dv = v - v.mean(0);
    torch::Tensor de = e - e.mean(0);
    torch::Tensor cov = (dv * de).mean(0); // [C]
    {
        torch::NoGradGuard ng;
        auto& c = m_candidate->counters;
        int64_t b = c[0].item<int64_t>() + 1;
        c[0].fill_(b);
        torch::Tensor cd = cov.detach();
        // Scale-free: the raw covariance's size depends on the layer (spec section 4, ours).
        torch::Tensor r =
            cd / (dv.detach().pow(2).mean(0).sqrt() * de.pow(2).mean(0).sqrt() + 1e-12);
        auto& s = m_candidate->score;
        auto& rc = m_candidate->corr;
        if (b <= warmup) {
            s.add_((cd - s) / double(b)); // plain cumulative mean during warm-up
            rc.add_((r - rc) / double(b));
        } else {
            s.mul_(0.99).add_(cd, 0.01);
            rc.mul_(0.99).add_(r, 0.01);
            // perforatedbp 3.0.7 bookkeeping, every batch after warm-up (best held at 0 before).
            torch::Tensor a = s.abs().to(torch::kFloat64).contiguous();
            std::vector<double> best = toVector(m_candidate->bestScore);
            std::vector<double> prev = toVector(m_candidate->prevBest);
            if (bookkeepScores({a.data_ptr<double>(), size_t(a.numel())}, best, prev))
                c[2].fill_(1);
            fromVector(m_candidate->bestScore, best);
            fromVector(m_candidate->prevBest, prev);
        }
    }
    torch::Tensor sign = torch::sign(m_candidate->score).detach();
    m_V = torch::Tensor();
    m_E = torch::Tensor();
    return -(sign * cov).sum(); // gradient ascent on |correlation|
}

bool DendriteLayerImpl::candidateEpochEnd()
{
    if (!m_candidate)
        return false;
    torch::NoGradGuard ng;
    auto& c = m_candidate->counters;
    if (c[2].item<int64_t>() == 0)
        return false;
    c[2].fill_(0);
    copyParams(*m_candidate->best, *m_candidate->unit);
    if (m_candidate->wdc.defined())
        m_candidate->wdcBest.copy_(m_candidate->wdc);
    m_candidate->counters[1].fill_(1);
    return true;
}

double DendriteLayerImpl::candidateScore() const
{
    if (!m_candidate)
        return 0.0;
    return m_candidate->score.abs().max().item<double>();
}

double DendriteLayerImpl::candidateBestScore() const
{
    if (!m_candidate)
        return 0.0;
    return m_candidate->bestScore.max().item<double>();
}

double DendriteLayerImpl::candidateCorrelation() const
{
    if (!m_candidate)
        return 0.0;
    return m_candidate->corr.abs().max().item<double>();
}

void DendriteLayerImpl::acceptCandidate()
{
    if (!m_candidate)
        return;
    bool snap = m_candidate->counters[1].item<int64_t>() != 0;
    auto& src = snap ? m_candidate->best : m_candidate->unit;
    torch::Tensor wdd;
    if (m_candidate->wdc.defined())
        wdd = (snap ? m_candidate->wdcBest : m_candidate->wdc).detach().clone();
    std::shared_ptr<torch::nn::Module> u = src->clone();
    for (auto& p : u->parameters())
        p.set_requires_grad(true);
    dropCandidate();
    int k = dendrites();
    m_dendrites.push_back(register_module("dendrite_" + std::to_string(k), u));
    m_wtop.push_back(register_parameter("wtop_" + std::to_string(k), torch::zeros({m_neurons})));
    if (k == 0)
        m_wdd.emplace_back();
    else
        m_wdd.push_back(register_parameter("wdd_" + std::to_string(k), wdd));
}

void DendriteLayerImpl::dropCandidate()
{
    if (m_candidate)
        unregister_module("candidate");
    m_candidate = nullptr;
    m_candidateActive = false;
    m_V = torch::Tensor();
    m_E = torch::Tensor();
}

std::vector<torch::Tensor> DendriteLayerImpl::neuronPhaseParameters(bool dendriteWeights)
{
    std::vector<torch::Tensor> out;
    for (auto& p : m_base->parameters())
        out.push_back(p);
    for (size_t k = 0; k < m_dendrites.size(); ++k) {
        if (dendriteWeights) {
            for (auto& p : m_dendrites[k]->parameters())
                out.push_back(p);
            if (k > 0)
                out.push_back(m_wdd[k]);
        }
        out.push_back(m_wtop[k]);
    }
    return out;
}

torch::Tensor DendriteLayerImpl::wtop() const
{
    if (m_wtop.empty())
        return torch::Tensor();
    return torch::stack(m_wtop);
}

void DendriteLayerImpl::applyMaxNorm(double maxNorm)
{
    if (m_kind == LayerKind::Linear)
        return;
    torch::NoGradGuard ng;
    for (auto& p : m_base->named_parameters()) {
        if (p.key() != "weight")
            continue;
        torch::Tensor w = p.value();
        torch::Tensor norms = w.reshape({w.size(0), -1}).norm(2, 1);
        torch::Tensor scale = (maxNorm / (norms + 1e-7)).clamp_max(1.0);
        std::vector<int64_t> shape(size_t(w.dim()), 1);
        shape[0] = w.size(0);
        w.mul_(scale.view(shape));
    }
}

} // namespace dw::engine
