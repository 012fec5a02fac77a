// SPDX-License-Identifier: GPL-3.0-or-later
// The training engine: neuron and dendrite phases, the phase tracker, checkpoints and run records
// (perforated-backprop.md sections 3-5; the run folder layout is documented in training.h).
#include "trainer.h"

#include "dw/core/atomic_file.h"
#include "dw/core/run_record.h"
#include "fused_adam.h"
#include "tracker.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <sstream>

namespace dw {
namespace engine {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCheckpointFormat = 1;

struct SplitData
{
    torch::Tensor x; // [n, frames*coeffs] float
    torch::Tensor y; // [n] int64
    int64_t n = 0;
};

SplitData makeSplit(const FeatureDataset& d, Split s)
{
    SplitData out;
    const size_t f = d.featureSize();
    std::vector<size_t> rows;
    for (size_t i = 0; i < d.size(); ++i)
        if (d.split[i] == s)
            rows.push_back(i);
    out.n = int64_t(rows.size());
    out.x = torch::empty({out.n, int64_t(f)}, torch::kFloat32);
    out.y = torch::empty({out.n}, torch::kInt64);
    float* xp = out.x.data_ptr<float>();
    int64_t* yp = out.y.data_ptr<int64_t>();
    for (size_t r = 0; r < rows.size(); ++r) {
        std::copy_n(d.x.data() + rows[r] * f, f, xp + r * f);
        yp[r] = d.y[rows[r]];
    }
    return out;
}

std::string nowIso()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::ostringstream os;
    os << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    return os.str();
}

std::string bytesOf(torch::serialize::OutputArchive& a)
{
    std::ostringstream os;
    a.save_to(os);
    return os.str();
}

torch::Tensor stringTensor(const std::string& s)
{
    auto t = torch::empty({int64_t(s.size())}, torch::kUInt8);
    std::copy(s.begin(), s.end(), reinterpret_cast<char*>(t.data_ptr<uint8_t>()));
    return t;
}

std::string tensorString(const torch::Tensor& t)
{
    auto c = t.contiguous();
    const char* p = reinterpret_cast<const char*>(c.data_ptr<uint8_t>());
    return std::string(p, p + c.numel());
}

// ReduceLROnPlateau on validation accuracy as PyTorch's (mode max, relative threshold 1e-4,
// min_lr 0, eps 1e-8: a reduction smaller than eps is skipped), the scheduler of the paper's
// block. Returns true when it lowered the rate.
struct Plateau
{
    double lr = 0.005;
    double best = -std::numeric_limits<double>::infinity();
    int bad = 0;
    int patience = 5;
    double factor = 0.1;
    bool step(double v)
    {
        if (v > best * (1.0 + 1e-4) || !std::isfinite(best)) {
            best = v;
            bad = 0;
            return false;
        }
        if (++bad > patience) {
            bad = 0;
            double n = lr * factor;
            if (lr - n > 1e-8) {
                lr = n;
                return true;
            }
        }
        return false;
    }
    json toJson() const
    {
        return {{"lr", lr}, {"best", std::isfinite(best) ? best : -1e300}, {"bad", bad}};
    }
    void fromJson(const json& j)
    {
        lr = j.at("lr").get<double>();
        best = j.at("best").get<double>();
        if (best <= -1e299)
            best = -std::numeric_limits<double>::infinity();
        bad = j.at("bad").get<int>();
    }
};

struct ArchRow
{
    long long params = 0;
    double bestVal = -1;
    double test = kNaN;
    int epoch = 0;
    std::vector<int> dendrites;
};

struct EvalResult
{
    double loss = kNaN;
    double acc = kNaN;
};

struct EpochStats
{
    double loss = 0;
    double acc = 0;
    bool nan = false;
    bool stopped = false;
};

std::string joinInts(const std::vector<int>& v, const char* sep)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i)
            s.append(sep);
        s.append(std::to_string(v[i]));
    }
    return s;
}

} // namespace

Network buildNetwork(const NetSpec& spec, const TrainConfig& c)
{
    return Network(spec, dendriteModeFromName(c.mode), activationFromName(c.dendrite_activation),
                   c.init_multiplier, c.perforate == "all", c.dendrite_graph_mode);
}

namespace {

// Rebuilds a network with the given structure (dendrites per layer, candidates) and loads its
// tensors from a model archive.
Network restoreNetwork(const NetSpec& spec, const TrainConfig& c, const json& structure,
                       torch::serialize::InputArchive& model)
{
    Network net = buildNetwork(spec, c);
    auto ks = structure.at("dendrites").get<std::vector<int>>();
    std::vector<DendriteLayer> layers = net->layers();
    if (ks.size() != layers.size())
        throw std::runtime_error("checkpoint structure does not match the network");
    for (size_t i = 0; i < layers.size(); ++i)
        for (int k = 0; k < ks[i]; ++k)
            layers[i]->addDendrite();
    if (structure.value("candidates", false))
        net->startCandidates();
    net->load(model);
    return net;
}

json structureOf(const Network& net)
{
    std::vector<int> ks;
    for (const auto& l : net->layers())
        ks.push_back(l->dendrites());
    return {{"dendrites", ks}, {"candidates", net->hasCandidates()}};
}

class Engine
{
public:
    Engine(const FeatureDataset& data, TrainConfig config, NetSpec spec, fs::path dir,
           TrainObserver* obs)
        : m_cfg(std::move(config)), m_spec(std::move(spec)), m_labels(data.labels),
          m_dir(std::move(dir)), m_obs(obs),
          m_tracker(TrackerConfig{m_cfg.mode == "traditional", m_cfg.max_dendrites, m_cfg.max_tries,
                                  m_cfg.n_patience, m_cfg.improvement_thresholds,
                                  m_cfg.lr_lowered_before_giving_up})
    {
        m_maxNorm = m_cfg.maxNorm();
        m_inputNoise = m_cfg.inputNoise();
        m_train = makeSplit(data, Split::Train);
        m_val = makeSplit(data, Split::Validation);
        m_test = makeSplit(data, Split::Test);
    }

    Status start(const std::vector<std::pair<std::string, std::string>>& extraFiles = {})
    {
        torch::manual_seed(uint64_t(m_cfg.seed));
        m_rng.seed(uint64_t(m_cfg.seed) * 0x9E3779B97F4A7C15ULL + 1);
        m_net = buildNetwork(m_spec, m_cfg);
        rebuildNeuronOptimizer();
        json cj = json::parse(m_cfg.toJson());
        cj["started_at"] = nowIso();
        cj["labels"] = m_labels;
        // The folder appears with its config.json in one rename: a run killed while it was being
        // created leaves no folder, or a whole one that reads as a run.
        std::vector<std::pair<std::string, std::string>> files = {
            {"config.json", cj.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)},
            {"events.jsonl", ""},
            {"status", "running\n"}};
        files.insert(files.end(), extraFiles.begin(), extraFiles.end());
        return createFolderAtomic(m_dir, files);
    }

    Status resumeFrom(const fs::path& latest)
    {
        auto bytes = readFile(latest);
        if (!bytes)
            return bytes.error();
        torch::serialize::InputArchive root;
        std::istringstream is(*bytes);
        root.load_from(is);
        torch::Tensor metaT;
        root.read("meta", metaT, true);
        json meta = json::parse(tensorString(metaT));
        const json& e = meta.at("engine");
        torch::serialize::InputArchive model;
        root.read("model", model);
        m_net = restoreNetwork(m_spec, m_cfg, meta.at("structure"), model);
        m_epoch = e.at("epoch").get<int>();
        m_phase = e.at("phase").get<std::string>()[0];
        m_phaseEpochs = e.at("phase_epochs").get<int>();
        m_firstNEpochs = e.at("first_n_epochs").get<int>();
        m_pNoImprove = e.at("p_no_improve").get<int>();
        m_lrLowered = e.value("lr_lowered", false);
        m_pPhases = e.value("p_phases", 0);
        m_pEpochs = e.value("p_epochs", 0);
        m_added = e.value("dendrites_added", 0);
        m_reverted = e.value("dendrites_reverted", 0);
        m_lastVal = {e.at("last_val_loss").get<double>(), e.at("last_val").get<double>()};
        m_lastTest = e.at("last_test").get<double>();
        m_best.bestVal = e.at("best_val").get<double>();
        m_best.test = e.at("best_test").get<double>();
        m_bestValLoss = e.at("best_val_loss").get<double>();
        m_best.epoch = e.at("best_epoch").get<int>();
        m_best.params = e.at("best_params").get<long long>();
        m_best.dendrites = e.at("best_dendrites").get<std::vector<int>>();
        m_secondsBefore = e.at("seconds").get<double>();
        for (const auto& r : e.at("arch_rows")) {
            ArchRow a;
            a.params = r.at("params").get<long long>();
            a.bestVal = r.at("best_val").get<double>();
            a.test = r.at("test").is_null() ? kNaN : r.at("test").get<double>();
            a.epoch = r.at("epoch").get<int>();
            a.dendrites = r.at("dendrites").get<std::vector<int>>();
            m_rows[joinInts(a.dendrites, "-")] = a;
        }
        if (auto s = m_tracker.fromJson(
                meta.at("tracker").dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            !s)
            return s;
        std::istringstream rs(e.at("rng").get<std::string>());
        rs >> m_rng;
        if (m_phase == 'P') {
            freezeNetwork(true);
            rebuildCandidateOptimizer();
        } else {
            rebuildNeuronOptimizer();
        }
        m_sched.fromJson(e.at("sched"));
        torch::serialize::InputArchive optA;
        root.read("optimizer", optA);
        m_opt->load(optA);
        setLr(m_sched.lr);
        torch::Tensor rngState;
        root.read("torch_rng", rngState, true);
        {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(rngState);
        }
        if (auto b = readFile(m_dir / "best.pt"))
            m_bestBlob = *b;
        // Keep the event log up to the checkpoint's epoch: later lines belong to epochs that
        // are about to be recomputed.
        if (auto ev = readFile(m_dir / "events.jsonl")) {
            std::istringstream in(*ev);
            std::string line;
            while (std::getline(in, line)) {
                json j = json::parse(line, nullptr, false);
                if (j.is_discarded() || !j.is_object())
                    continue;
                if (j.value("epoch", 0) > m_epoch)
                    continue;
                if (j.value("type", "") == "switch" && j.value("epoch", 0) == m_epoch &&
                    j.value("kind", "") == "finished")
                    continue;
                m_events += line + "\n";
            }
        }
        return writeFileAtomic(m_dir / "status", "running\n");
    }

    Result<RunSummary> run()
    {
        torch::set_num_threads(std::max(1, m_cfg.threads));
        m_startTime = Clock::now();
        std::string status = "finished";
        std::string reason, stopKind;
        bool done = false;
        while (!done && m_epoch < m_cfg.epochs_max) {
            auto t0 = Clock::now();
            const int epoch = m_epoch + 1;
            const EpochStats st =
                m_phase == 'N' ? trainNeuronEpoch(epoch) : trainCandidateEpoch(epoch);
            if (st.stopped) {
                status = "stopped";
                reason = "stopped by the user during epoch " + std::to_string(epoch);
                stopKind = reason::kStopped;
                break;
            }
            if (st.nan) {
                status = "failed: loss became NaN at epoch " + std::to_string(epoch);
                reason = std::string("loss became NaN") +
                         (m_phase == 'P' ? " in the P-phase" : "") + " at epoch " +
                         std::to_string(epoch) + " (lower lr, e.g. --set lr=0.001)";
                stopKind = reason::kFailed;
                break;
            }
            if (m_phase == 'N') {
                m_epoch = epoch;
                EvalResult v = evaluate(m_val);
                EvalResult te = evaluate(m_test);
                m_lastVal = v;
                m_lastTest = te.acc;
                std::vector<int> ks = m_net->dendriteCounts();
                long long params = m_net->cleanParams();
                ArchRow& row = m_rows[joinInts(ks, "-")];
                if (v.acc > row.bestVal)
                    row = ArchRow{params, v.acc, te.acc, epoch, ks};
                // The library's order: the tracker judges the epoch first; the scheduler steps
                // only when it did not restructure.
                auto d = m_tracker.onEpoch(v.acc, currentK(), m_lrLowered);
                const double lrUsed = m_sched.lr;
                if (d.action == PhaseTracker::Action::Continue) {
                    m_lrLowered = m_sched.step(v.acc) || m_lrLowered;
                    setLr(m_sched.lr);
                }
                ++m_phaseEpochs;
                EpochRecord rec = makeRecord('N', st, v, te.acc, lrUsed, t0);
                emitEpoch(rec);
                if (d.newGlobalBest) {
                    m_best = ArchRow{params, v.acc, te.acc, epoch, ks};
                    m_bestValLoss = v.loss;
                    if (auto s = saveCheckpoint(m_dir / "best.pt", &m_bestBlob); !s)
                        return s.error();
                }
                if (d.action == PhaseTracker::Action::Finish) {
                    loadBest();
                    emitSwitch("finished", d.note, d.reason);
                    reason = d.note;
                    stopKind = d.reason;
                    done = true;
                } else if (d.action != PhaseTracker::Action::Continue) {
                    if (m_firstNEpochs < 0)
                        m_firstNEpochs = m_phaseEpochs;
                    loadBest();
                    if (d.action == PhaseTracker::Action::Retry) {
                        ++m_reverted;
                        emitSwitch("reverted", d.note, reason::kNPatience);
                    }
                    if (m_cfg.mode == "gd") {
                        m_net->addDendrites();
                        ++m_added;
                        restructured();
                        // After a revert the note above says why; this one says what happened.
                        emitSwitch("added",
                                   d.action == PhaseTracker::Action::Retry
                                       ? std::string("a fresh dendrite replaces the reverted one")
                                       : d.note,
                                   reason::kNPatience);
                    } else {
                        m_net->startCandidates();
                        freezeNetwork(true);
                        rebuildCandidateOptimizer();
                        m_phase = 'P';
                        m_phaseEpochs = 0;
                        m_pNoImprove = 0;
                        // The frozen network is the best one: its scores stand for P epochs.
                        m_lastVal = EvalResult{m_bestValLoss, m_best.bestVal};
                        m_lastTest = m_best.test;
                        emitSwitch("N->P", d.note, reason::kNPatience);
                    }
                }
            } else {
                m_epoch = epoch;
                std::vector<double> scores, corrs;
                bool improved = false;
                for (auto& l : m_net->wrapped()) {
                    if (l->candidateEpochEnd())
                        improved = true;
                    scores.push_back(l->candidateBestScore());
                    corrs.push_back(l->candidateCorrelation());
                }
                m_pNoImprove = improved ? 0 : m_pNoImprove + 1;
                ++m_phaseEpochs;
                ++m_pEpochs;
                // The library steps its ReduceLROnPlateau in P-phases too, on the validation
                // score of the frozen network: flat, so the candidates' rate decays by
                // sched_factor every sched_patience + 1 epochs and their scores converge.
                const double lrUsed = m_sched.lr;
                m_sched.step(m_lastVal.acc);
                setLr(m_sched.lr);
                EpochRecord rec = makeRecord('P', st, m_lastVal, m_lastTest, lrUsed, t0);
                rec.candidate_scores = scores;
                rec.candidate_correlations = corrs;
                emitEpoch(rec);
                const std::string end = pPhaseEnd(m_pNoImprove, m_cfg.p_patience, m_cfg.cap_at_n,
                                                  m_phaseEpochs, m_firstNEpochs);
                if (!end.empty()) {
                    m_net->acceptCandidates();
                    freezeNetwork(false);
                    m_phase = 'N';
                    ++m_pPhases;
                    ++m_added;
                    restructured();
                    emitSwitch("P->N",
                               end == reason::kPPatience
                                   ? "no candidate improved for p_patience (" +
                                         std::to_string(m_cfg.p_patience) + ") epochs"
                                   : "cap_at_n: P-phase as long as the first N-phase (" +
                                         std::to_string(m_firstNEpochs) + " epochs)",
                               end);
                    emitSwitch("added", "best candidate of each layer became a dendrite");
                }
            }
            bool pausing =
                !done && m_obs && m_obs->shouldPauseAfterEpoch && m_obs->shouldPauseAfterEpoch();
            if (auto s = saveCheckpoint(m_dir / "latest.pt", nullptr, done || pausing); !s)
                return s.error();
            if (pausing) {
                status = "stopped";
                reason = "paused after epoch " + std::to_string(m_epoch);
                stopKind = reason::kStopped;
                break;
            }
        }
        if (!done && status == "finished") {
            reason = "epochs_max (" + std::to_string(m_cfg.epochs_max) +
                     ") reached before the tracker finished: the safety net, not a fair end "
                     "for dendrites (raise epochs_max)";
            stopKind = reason::kEpochsMax;
            loadBest();
            emitSwitch("finished", reason, stopKind);
            if (auto s = saveCheckpoint(m_dir / "latest.pt", nullptr); !s)
                return s.error();
        }
        return finish(status, reason, stopKind);
    }

private:
    int currentK() const
    {
        int k = 0;
        for (int x : m_net->dendriteCounts())
            k = std::max(k, x);
        return k;
    }

    void restructured()
    {
        m_tracker.onRestructure(currentK());
        m_phaseEpochs = 0;
        m_lrLowered = false;
        rebuildNeuronOptimizer();
    }

    // A fresh ReduceLROnPlateau at the run's base rate (spec sections 4, 5).
    void freshScheduler()
    {
        m_sched = Plateau{};
        m_sched.lr = m_cfg.lr;
        m_sched.patience = m_cfg.schedPatience();
        m_sched.factor = m_cfg.sched_factor;
    }

    void setLr(double lr)
    {
        for (auto& g : m_opt->param_groups())
            static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    }

    // N-phase optimizer and a fresh ReduceLROnPlateau (spec section 5: after every restructure).
    void rebuildNeuronOptimizer()
    {
        bool dendriteWeights = m_cfg.mode == "gd" || m_cfg.dendrite_update_mode;
        std::vector<torch::Tensor> params;
        for (DendriteLayer l : m_net->layers())
            for (auto& p : l->neuronPhaseParameters(dendriteWeights))
                params.push_back(p);
        m_opt = std::make_unique<FusedAdam>(params, torch::optim::AdamOptions(m_cfg.lr));
        freshScheduler();
    }

    // P-phase: as the library at the N->P switch, a fresh optimizer of the run's type over the
    // candidates' parameters only, at the base rate, and a fresh scheduler stepped per P epoch.
    void rebuildCandidateOptimizer()
    {
        std::vector<torch::Tensor> params;
        for (auto& l : m_net->wrapped())
            for (auto& p : l->candidateParameters())
                params.push_back(p);
        m_opt = std::make_unique<FusedAdam>(params, torch::optim::AdamOptions(m_cfg.lr));
        freshScheduler();
    }

    // P-phase freezes every network tensor (their grads are never needed: the hook captures
    // dLoss/dy from the input's graph); the candidates keep learning.
    void freezeNetwork(bool frozen)
    {
        for (DendriteLayer l : m_net->layers())
            for (auto& p : l->neuronPhaseParameters(true))
                p.set_requires_grad(!frozen);
    }

    void batchProgress(int epoch, char phase, int batch, int batches)
    {
        if (!m_obs || !m_obs->onBatch)
            return;
        auto now = Clock::now();
        if (batch + 1 < batches && now - m_lastBatchReport < std::chrono::milliseconds(100))
            return;
        m_lastBatchReport = now;
        m_obs->onBatch(epoch, phase, batch + 1, batches);
    }

    bool stopRequested() const { return m_obs && m_obs->shouldStop && m_obs->shouldStop(); }

    torch::Tensor permutation()
    {
        std::vector<int64_t> perm(size_t(m_train.n));
        for (int64_t i = 0; i < m_train.n; ++i)
            perm[size_t(i)] = i;
        std::shuffle(perm.begin(), perm.end(), m_rng);
        return torch::from_blob(perm.data(), {m_train.n}, torch::kInt64).clone();
    }

    EpochStats trainNeuronEpoch(int epoch)
    {
        EpochStats st;
        m_net->train();
        torch::Tensor perm = permutation();
        const int64_t bs = m_cfg.batch_size;
        const int batches = int((m_train.n + bs - 1) / bs);
        double lossSum = 0;
        int64_t correct = 0;
        for (int b = 0; b < batches; ++b) {
            if (stopRequested()) {
                st.stopped = true;
                return st;
            }
            torch::Tensor idx = perm.slice(0, b * bs, std::min<int64_t>((b + 1) * bs, m_train.n));
            torch::Tensor xb = m_train.x.index_select(0, idx);
            torch::Tensor yb = m_train.y.index_select(0, idx);
            if (m_inputNoise > 0)
                xb = xb + torch::randn_like(xb) * m_inputNoise;
            m_opt->zero_grad();
            torch::Tensor out = m_net->forward(xb);
            torch::Tensor loss = torch::nn::functional::cross_entropy(out, yb);
            double l = loss.item<double>();
            if (!std::isfinite(l)) {
                st.nan = true;
                return st;
            }
            loss.backward();
            m_opt->step();
            if (m_maxNorm > 0)
                m_net->applyMaxNorm(m_maxNorm);
            lossSum += l * double(idx.size(0));
            correct += out.argmax(1).eq(yb).sum().item<int64_t>();
            batchProgress(epoch, 'N', b, batches);
        }
        st.loss = lossSum / double(std::max<int64_t>(1, m_train.n));
        st.acc = double(correct) / double(std::max<int64_t>(1, m_train.n));
        return st;
    }

    // A P epoch as the library runs it (spec section 4): the network in training mode (dropout
    // and input noise on, so E is the error of the network as it was trained) with every weight
    // frozen (the optimizer holds only the candidates; our networks have no BatchNorm whose
    // statistics could move). Train loss and accuracy are measured exactly as in N epochs.
    EpochStats trainCandidateEpoch(int epoch)
    {
        EpochStats st;
        m_net->train();
        m_net->setCandidatesActive(true);
        torch::Tensor perm = permutation();
        const int64_t bs = m_cfg.batch_size;
        const int batches = int((m_train.n + bs - 1) / bs);
        // Warm-up with a plain cumulative mean, capped at 10 % of an epoch (spec section 4).
        const int warmup = std::min(m_cfg.warmup_batches, std::max(1, batches / 10));
        auto wrapped = m_net->wrapped();
        double lossSum = 0;
        int64_t correct = 0;
        for (int b = 0; b < batches; ++b) {
            if (stopRequested()) {
                st.stopped = true;
                m_net->setCandidatesActive(false);
                return st;
            }
            torch::Tensor idx = perm.slice(0, b * bs, std::min<int64_t>((b + 1) * bs, m_train.n));
            torch::Tensor xb = m_train.x.index_select(0, idx);
            torch::Tensor yb = m_train.y.index_select(0, idx);
            if (m_inputNoise > 0)
                xb = xb + torch::randn_like(xb) * m_inputNoise;
            // The weights are frozen: an input that needs a gradient keeps a graph through the
            // network, so the hooks capture dLoss/dy.
            xb.requires_grad_(true);
            m_opt->zero_grad();
            torch::Tensor out = m_net->forward(xb);
            torch::Tensor loss = torch::nn::functional::cross_entropy(out, yb);
            loss.backward(); // fills E = dLoss/dy in every wrapped layer's hook
            torch::Tensor lcc = torch::zeros({});
            for (auto& l : wrapped)
                lcc = lcc + l->candidateStep(warmup);
            if (lcc.requires_grad()) {
                lcc.backward();
                m_opt->step();
            }
            double l = loss.item<double>();
            if (!std::isfinite(l)) {
                st.nan = true;
                m_net->setCandidatesActive(false);
                return st;
            }
            lossSum += l * double(idx.size(0));
            correct += out.argmax(1).eq(yb).sum().item<int64_t>();
            batchProgress(epoch, 'P', b, batches);
        }
        m_net->setCandidatesActive(false);
        st.loss = lossSum / double(std::max<int64_t>(1, m_train.n));
        st.acc = double(correct) / double(std::max<int64_t>(1, m_train.n));
        return st;
    }

    EvalResult evaluate(const SplitData& s)
    {
        EvalResult r;
        if (s.n == 0)
            return r;
        torch::NoGradGuard ng; // thread-local: created in the training thread
        m_net->eval();
        double lossSum = 0;
        int64_t correct = 0;
        const int64_t bs = 512;
        for (int64_t i = 0; i < s.n; i += bs) {
            int64_t e = std::min(s.n, i + bs);
            torch::Tensor out = m_net->forward(s.x.slice(0, i, e));
            torch::Tensor yb = s.y.slice(0, i, e);
            lossSum += torch::nn::functional::cross_entropy(
                           out, yb,
                           torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                           .item<double>();
            correct += out.argmax(1).eq(yb).sum().item<int64_t>();
        }
        r.loss = lossSum / double(s.n);
        r.acc = double(correct) / double(s.n);
        return r;
    }

    EpochRecord makeRecord(char phase, const EpochStats& st, const EvalResult& v, double test,
                           double lr, Clock::time_point t0)
    {
        EpochRecord r;
        r.epoch = m_epoch;
        r.phase = phase;
        r.dendrites = m_net->dendriteCounts();
        r.params = m_net->cleanParams();
        r.train_loss = st.loss;
        r.train_accuracy = st.acc;
        r.val_loss = v.loss;
        r.val_accuracy = v.acc;
        r.test_accuracy = test;
        r.lr = lr;
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        return r;
    }

    void emitEpoch(const EpochRecord& r)
    {
        m_events += toJson(r) + "\n";
        (void)writeFileAtomic(m_dir / "events.jsonl", m_events);
        std::string scores = scoresCsv();
        if (scores != m_scoresWritten && writeFileAtomic(m_dir / "best_test_scores.csv", scores))
            m_scoresWritten = scores;
        if (m_obs && m_obs->onEpoch)
            m_obs->onEpoch(r);
    }

    void emitSwitch(const std::string& kind, const std::string& note, const std::string& why = {})
    {
        SwitchRecord s;
        s.reason = why;
        s.epoch = m_epoch;
        s.kind = kind;
        s.dendrites = currentK();
        s.params = m_net->cleanParams();
        s.note = note;
        m_events += toJson(s) + "\n";
        (void)writeFileAtomic(m_dir / "events.jsonl", m_events);
        if (m_obs && m_obs->onSwitch)
            m_obs->onSwitch(s);
    }

    std::string scoresCsv() const
    {
        std::vector<ArchRow> rows;
        for (const auto& [k, r] : m_rows)
            rows.push_back(r);
        std::sort(rows.begin(), rows.end(),
                  [](const ArchRow& a, const ArchRow& b) { return a.params < b.params; });
        std::ostringstream os;
        os << "params,best_val,test_at_best_val,dendrites,epoch\n";
        for (const auto& r : rows)
            os << r.params << "," << r.bestVal << "," << r.test << "," << joinInts(r.dendrites, "-")
               << "," << r.epoch << "\n";
        return os.str();
    }

    json engineState() const
    {
        json rows = json::array();
        for (const auto& [k, r] : m_rows)
            rows.push_back({{"params", r.params},
                            {"best_val", r.bestVal},
                            {"test", std::isfinite(r.test) ? json(r.test) : json(nullptr)},
                            {"epoch", r.epoch},
                            {"dendrites", r.dendrites}});
        std::ostringstream rs;
        rs << m_rng;
        auto fin = [](double v) { return std::isfinite(v) ? v : -1.0; };
        return {{"epoch", m_epoch},
                {"phase", std::string(1, m_phase)},
                {"phase_epochs", m_phaseEpochs},
                {"first_n_epochs", m_firstNEpochs},
                {"p_no_improve", m_pNoImprove},
                {"lr_lowered", m_lrLowered},
                {"p_phases", m_pPhases},
                {"p_epochs", m_pEpochs},
                {"dendrites_added", m_added},
                {"dendrites_reverted", m_reverted},
                {"last_val", fin(m_lastVal.acc)},
                {"last_val_loss", fin(m_lastVal.loss)},
                {"last_test", fin(m_lastTest)},
                {"best_val", m_best.bestVal},
                {"best_test", fin(m_best.test)},
                {"best_val_loss", fin(m_bestValLoss)},
                {"best_epoch", m_best.epoch},
                {"best_params", m_best.params},
                {"best_dendrites", m_best.dendrites},
                {"seconds", m_secondsBefore + elapsed()},
                {"sched", m_sched.toJson()},
                {"arch_rows", rows},
                {"rng", rs.str()}};
    }

    double elapsed() const
    {
        return std::chrono::duration<double>(Clock::now() - m_startTime).count();
    }

    // Weights + structure + tracker + optimizer + RNG states, one archive written atomically;
    // a readable <name>.json next to it.
    // The readable .json copy of the meta is written with `best` and when a run ends, not every
    // epoch: each atomic write costs an fsync.
    Status saveCheckpoint(const fs::path& file, std::string* keepBytes, bool writeMeta = true)
    {
        try {
            json meta;
            meta["format"] = kCheckpointFormat;
            meta["spec"] = json::parse(m_spec.toJson());
            meta["config"] = json::parse(m_cfg.toJson());
            meta["labels"] = m_labels;
            meta["structure"] = structureOf(m_net);
            meta["tracker"] = json::parse(m_tracker.toJson());
            meta["engine"] = engineState();
            meta["params"] = m_net->cleanParams();
            meta["wrapped_layers"] = m_net->wrappedNames();
            torch::serialize::OutputArchive root;
            torch::serialize::OutputArchive model;
            m_net->save(model);
            root.write("model", model);
            torch::serialize::OutputArchive optA;
            m_opt->save(optA);
            root.write("optimizer", optA);
            {
                auto gen = at::detail::getDefaultCPUGenerator();
                std::lock_guard<std::mutex> lock(gen.mutex());
                root.write("torch_rng", gen.get_state(), true);
            }
            std::string metaText =
                meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            root.write("meta", stringTensor(metaText), true);
            std::string bytes = bytesOf(root);
            if (auto s = writeFileAtomic(file, bytes); !s)
                return s;
            if (writeMeta) {
                fs::path js = file;
                js.replace_extension(".json");
                if (auto s = writeFileAtomic(
                        js, meta.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
                    !s)
                    return s;
            }
            if (keepBytes)
                *keepBytes = std::move(bytes);
        } catch (const std::exception& e) {
            return makeError("could not write checkpoint " + file.string() + ": " + errorText(e),
                             "check free disk space and permissions");
        }
        return Status::success();
    }

    void loadBest()
    {
        if (m_bestBlob.empty())
            return;
        torch::serialize::InputArchive root;
        std::istringstream is(m_bestBlob);
        root.load_from(is);
        torch::Tensor metaT;
        root.read("meta", metaT, true);
        json meta = json::parse(tensorString(metaT));
        json structure = meta.at("structure");
        structure["candidates"] = false;
        torch::serialize::InputArchive model;
        root.read("model", model);
        m_net = restoreNetwork(m_spec, m_cfg, structure, model);
        rebuildNeuronOptimizer();
    }

    Result<RunSummary> finish(const std::string& status, const std::string& reason,
                              const std::string& stopKind)
    {
        RunSummary s;
        s.mode = m_cfg.mode;
        s.params = m_best.params;
        s.val_accuracy = m_best.bestVal < 0 ? kNaN : m_best.bestVal;
        s.test_accuracy = m_best.test;
        s.best_epoch = m_best.epoch;
        s.epochs = m_epoch;
        s.seconds = m_secondsBefore + elapsed();
        s.dendrites = m_best.dendrites;
        s.wrapped_layers = m_net->wrappedNames();
        s.status = status.rfind("failed", 0) == 0 ? "failed" : status;
        s.stop_reason = reason;
        s.stop_kind = stopKind;
        s.p_phases = m_pPhases;
        s.p_epochs = m_pEpochs;
        s.dendrites_added = m_added;
        s.dendrites_reverted = m_reverted;
        if (auto st = writeFileAtomic(m_dir / "summary.json", toJson(s)); !st)
            return st.error();
        if (auto st = writeFileAtomic(m_dir / "status", status + "\n"); !st)
            return st.error();
        return s;
    }

    TrainConfig m_cfg;
    NetSpec m_spec;
    std::vector<std::string> m_labels;
    fs::path m_dir;
    TrainObserver* m_obs = nullptr;
    SplitData m_train, m_val, m_test;
    Network m_net{nullptr};
    std::unique_ptr<torch::optim::Adam> m_opt;
    Plateau m_sched;
    PhaseTracker m_tracker;
    std::mt19937_64 m_rng;
    int m_epoch = 0;
    char m_phase = 'N';
    int m_phaseEpochs = 0;
    int m_firstNEpochs = -1;
    int m_pNoImprove = 0;
    bool m_lrLowered = false; // this cycle's scheduler lowered the rate at least once
    int m_pPhases = 0, m_pEpochs = 0, m_added = 0, m_reverted = 0;
    double m_maxNorm = 0;
    double m_inputNoise = 0;
    EvalResult m_lastVal;
    double m_lastTest = kNaN;
    double m_bestValLoss = kNaN;
    ArchRow m_best;
    std::map<std::string, ArchRow> m_rows;
    std::string m_bestBlob;
    std::string m_events;
    std::string m_scoresWritten;
    double m_secondsBefore = 0;
    Clock::time_point m_startTime = Clock::now();
    Clock::time_point m_lastBatchReport{};
};

Status checkData(const FeatureDataset& data, const NetSpec& spec)
{
    if (data.labels.size() < 2)
        return makeError("the dataset has fewer than 2 labels",
                         "add clips of at least two labels to the project");
    if (data.x.size() != data.size() * data.featureSize() || data.split.size() != data.size())
        return makeError("the feature table is inconsistent (sizes do not match)",
                         "delete the project's cache folder and try again");
    if (int64_t(spec.frames) * spec.coeffs != int64_t(data.featureSize()))
        return makeError("the network expects " + std::to_string(spec.frames) + "x" +
                             std::to_string(spec.coeffs) + " features but the dataset has " +
                             std::to_string(data.frames) + "x" + std::to_string(data.coeffs),
                         "use the run's feature settings");
    for (int y : data.y)
        if (y < 0 || y >= int(data.labels.size()))
            return makeError("a clip has class index " + std::to_string(y) + " outside the " +
                                 std::to_string(data.labels.size()) + " labels",
                             "the dataset is damaged; rebuild the feature cache");
    if (data.count(Split::Train) == 0)
        return makeError("the project has no training clips",
                         "record or import clips; 80 % of them go to the training split");
    if (data.count(Split::Validation) == 0)
        return makeError("the project has no validation clips",
                         "add more clips (10 % of them go to the validation split)");
    return Status::success();
}

} // namespace

Result<RunSummary> runTraining(const FeatureDataset& data, const TrainConfig& config,
                               const std::optional<NetSpec>& specIn, const fs::path& runDir,
                               TrainObserver* observer,
                               const std::vector<std::pair<std::string, std::string>>& extraFiles)
{
    if (auto s = config.validate(); !s)
        return s.error();
    NetSpec spec;
    if (specIn) {
        spec = *specIn;
    } else {
        auto sp = specFor(config, data.frames, data.coeffs, int(data.labels.size()));
        if (!sp)
            return sp.error();
        spec = *sp;
    }
    if (auto s = checkData(data, spec); !s)
        return s.error();
    std::error_code ec;
    if (fs::exists(runDir / "config.json", ec))
        return makeError("'" + runDir.string() + "' already holds a training run",
                         "choose a new --out folder, or continue it with --resume");
    try {
        Engine engine(data, config, spec, runDir, observer);
        if (auto s = engine.start(extraFiles); !s)
            return s.error();
        return engine.run();
    } catch (const std::exception& e) {
        (void)writeFileAtomic(runDir / "status", std::string("failed: ") + errorText(e) + "\n");
        return makeError(std::string("training failed: ") + errorText(e),
                         "check the knobs in config.json; report a bug if it persists");
    }
}

namespace {

// What every reader of a checkpoint needs first: the archive opened, its meta parsed into the
// run's config, network spec and labels. Shared by resume and by load (predict, export).
struct CheckpointHead
{
    json meta;
    TrainConfig config;
    NetSpec spec;
    std::vector<std::string> labels;
};

Result<CheckpointHead> readCheckpointHead(const fs::path& file,
                                          torch::serialize::InputArchive& root)
{
    auto bytes = readFile(file);
    if (!bytes)
        return bytes.error();
    std::istringstream is(*bytes);
    root.load_from(is);
    torch::Tensor metaT;
    root.read("meta", metaT, true);
    CheckpointHead h;
    h.meta = json::parse(tensorString(metaT));
    auto cfg = TrainConfig::fromJson(
        h.meta.at("config").dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!cfg)
        return cfg.error();
    h.config = *cfg;
    auto spec = NetSpec::fromJson(
        h.meta.at("spec").dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!spec)
        return spec.error();
    h.spec = *spec;
    h.labels = h.meta.at("labels").get<std::vector<std::string>>();
    return h;
}

} // namespace

Result<RunSummary> resumeRun(const FeatureDataset& data, const fs::path& runDir,
                             TrainObserver* observer)
{
    fs::path latest = runDir / "latest.pt";
    std::error_code ec;
    if (!fs::exists(latest, ec))
        return makeError("run '" + runDir.string() + "' has no latest.pt checkpoint",
                         "it never finished an epoch; start it again with dendrite train");
    try {
        torch::serialize::InputArchive root;
        auto head = readCheckpointHead(latest, root);
        if (!head)
            return head.error();
        const TrainConfig& cfg = head->config;
        const NetSpec& spec = head->spec;
        if (head->labels != data.labels)
            return makeError("the project's labels changed since the run started",
                             "resume only with the same labels; start a new run otherwise");
        if (auto s = checkData(data, spec); !s)
            return s.error();
        if (auto st = readFile(runDir / "status"); st && st->rfind("finished", 0) == 0)
            return makeError("run '" + runDir.string() + "' already finished",
                             "start a new run to train further");
        Engine engine(data, cfg, spec, runDir, observer);
        if (auto s = engine.resumeFrom(latest); !s)
            return s.error();
        return engine.run();
    } catch (const std::exception& e) {
        return makeError(std::string("cannot resume: ") + errorText(e),
                         "the checkpoint may be damaged; start a new run");
    }
}

Result<LoadedCheckpoint> loadCheckpoint(const fs::path& file)
{
    try {
        torch::serialize::InputArchive root;
        auto head = readCheckpointHead(file, root);
        if (!head)
            return head.error();
        const json& meta = head->meta;
        LoadedCheckpoint c;
        c.config = head->config;
        c.spec = head->spec;
        c.labels = head->labels;
        c.epoch = meta.at("engine").at("epoch").get<int>();
        torch::serialize::InputArchive model;
        root.read("model", model);
        c.net = restoreNetwork(c.spec, c.config, meta.at("structure"), model);
        c.net->eval();
        return c;
    } catch (const std::exception& e) {
        return makeError("cannot read checkpoint " + file.string() + ": " + errorText(e),
                         "the run folder is damaged or from another version");
    }
}

} // namespace engine

Result<RunSummary> train(const FeatureDataset& data, const TrainConfig& config,
                         const std::filesystem::path& runDir, TrainObserver* observer,
                         const std::vector<std::pair<std::string, std::string>>& extraFiles)
{
    return engine::runTraining(data, config, std::nullopt, runDir, observer, extraFiles);
}

Result<RunSummary> resumeTraining(const FeatureDataset& data, const std::filesystem::path& runDir,
                                  TrainObserver* observer)
{
    return engine::resumeRun(data, runDir, observer);
}

Result<Prediction> predict(const std::filesystem::path& runDir, const FeatureMatrix& features)
{
    auto ck = engine::loadCheckpoint(runDir / "best.pt");
    if (!ck)
        return ck.error();
    if (features.frames != ck->spec.frames || features.coeffs != ck->spec.coeffs ||
        features.data.size() != size_t(features.frames) * size_t(features.coeffs))
        return makeError("features are " + std::to_string(features.frames) + "x" +
                             std::to_string(features.coeffs) + " but the model expects " +
                             std::to_string(ck->spec.frames) + "x" +
                             std::to_string(ck->spec.coeffs),
                         "compute them with the run's feature settings (config.json)");
    torch::NoGradGuard ng;
    torch::Tensor x = torch::from_blob(const_cast<float*>(features.data.data()),
                                       {1, int64_t(features.data.size())}, torch::kFloat32)
                          .clone();
    torch::Tensor p = torch::softmax(ck->net->forward(x), 1)[0].contiguous();
    Prediction out;
    out.labels = ck->labels;
    out.probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    return out;
}

Result<std::vector<int>> predictBatch(const std::filesystem::path& runDir,
                                      const FeatureDataset& data, Split split)
{
    auto ck = engine::loadCheckpoint(runDir / "best.pt");
    if (!ck)
        return ck.error();
    if (int64_t(ck->spec.frames) * ck->spec.coeffs != int64_t(data.featureSize()))
        return makeError("the dataset's features do not match the run's",
                         "use the run's feature settings (config.json)");
    std::vector<int> out;
    torch::NoGradGuard ng;
    const size_t f = data.featureSize();
    std::vector<float> buf;
    for (size_t i = 0; i < data.size(); ++i) {
        if (data.split[i] != split)
            continue;
        buf.insert(buf.end(), data.x.begin() + long(i * f), data.x.begin() + long((i + 1) * f));
    }
    int64_t n = int64_t(buf.size() / std::max<size_t>(1, f));
    if (n == 0)
        return out;
    torch::Tensor x = torch::from_blob(buf.data(), {n, int64_t(f)}, torch::kFloat32);
    for (int64_t i = 0; i < n; i += 512) {
        torch::Tensor pred = ck->net->forward(x.slice(0, i, std::min(n, i + 512))).argmax(1);
        for (int64_t j = 0; j < pred.size(0); ++j)
            out.push_back(int(pred[j].item<int64_t>()));
    }
    return out;
}

Result<TrainStepRate> benchmarkTrainSteps(const TrainConfig& config, int frames, int coeffs,
                                          int classes, int samples, int warmup, double seconds)
{
    auto spec = engine::specFor(config, frames, coeffs, classes);
    if (!spec)
        return spec.error();
    torch::set_num_threads(std::max(1, config.threads));
    torch::manual_seed(uint64_t(config.seed));
    engine::Network net = engine::buildNetwork(*spec, config);
    net->train();
    std::vector<torch::Tensor> params;
    for (engine::DendriteLayer l : net->layers())
        for (auto& p : l->neuronPhaseParameters(true))
            params.push_back(p);
    engine::FusedAdam opt(params, torch::optim::AdamOptions(config.lr));
    const int64_t n = samples, f = int64_t(frames) * coeffs, bs = config.batch_size;
    torch::Tensor x = torch::randn({n, f});
    torch::Tensor y = torch::randint(classes, {n}, torch::kInt64);
    torch::Tensor perm = torch::randperm(n, torch::kInt64);
    int64_t pos = 0;
    auto step = [&] {
        if (pos + bs > n) {
            perm = torch::randperm(n, torch::kInt64);
            pos = 0;
        }
        torch::Tensor idx = perm.slice(0, pos, pos + bs);
        pos += bs;
        torch::Tensor xb = x.index_select(0, idx);
        torch::Tensor yb = y.index_select(0, idx);
        opt.zero_grad();
        torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(xb), yb);
        loss.backward();
        opt.step();
        return loss.item<double>();
    };
    for (int i = 0; i < warmup; ++i)
        step();
    auto cpuNow = [] {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
    };
    const double cpu0 = cpuNow();
    auto t0 = std::chrono::steady_clock::now();
    long long steps = 0;
    double elapsed = 0;
    do {
        for (int i = 0; i < 50; ++i)
            step();
        steps += 50;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < seconds);
    TrainStepRate r;
    r.steps = steps;
    r.perSecond = double(steps) / elapsed;
    r.perCpuSecond = double(steps) / std::max(1e-9, cpuNow() - cpu0);
    return r;
}

} // namespace dw
