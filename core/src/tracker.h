// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The phase tracker of perforated-backprop.md section 5 and the P-phase rules of section 4: one
// state machine for traditional, gd and cc runs, and the candidates' score bookkeeping.
// Std-only (no torch), so both are unit-tested with scripted score sequences.
// PhaseTracker is called once per neuron-phase epoch with the validation accuracy (higher is
// better); the engine acts on the returned Decision (save best, load best, add, finish).

#include "dw/core/result.h"

#include <span>
#include <string>
#include <vector>

namespace dw::engine {

struct TrackerConfig
{
    bool traditional = false;
    int maxDendrites = 100;
    // Attempts at one addition, as the library's max_dendrite_tries: 2 = the first and one retry.
    int maxTries = 2;
    int nPatience = 10;
    std::vector<double> thresholds = {0.001, 0.0001, 0.0};
    // No switch before the cycle's learning rate has been lowered once (the library's
    // dont_give_up_unless_learning_rate_lowered, simplified as spec section 5 says).
    bool lrLoweredBeforeGivingUp = true;
};

// Improvement test of section 5: s beats b when s*(1-rel) > b and s - 1e-5 > b.
bool beats(double s, double b, double rel);

// Why a phase or a run ended: the machine-readable words of switch records and summaries.
namespace reason {
inline constexpr const char* kNPatience = "n_patience";       // N-phase: no improvement
inline constexpr const char* kPPatience = "p_patience";       // P-phase: no candidate improved
inline constexpr const char* kCapAtN = "cap_at_n";            // P-phase as long as the first N
inline constexpr const char* kEarlyStop = "early_stop";       // traditional: the tracker stopped
inline constexpr const char* kMaxDendrites = "max_dendrites"; // last dendrite helped, cap reached
inline constexpr const char* kMaxTries = "max_tries";         // last dendrite failed, no attempt
inline constexpr const char* kEpochsMax = "epochs_max";       // the safety net, not the tracker
inline constexpr const char* kStopped = "stopped";            // the user stopped or paused
inline constexpr const char* kFailed = "failed";              // NaN loss or an error
} // namespace reason

class PhaseTracker
{
public:
    enum class Action
    {
        Continue, // keep training this architecture
        Add,      // rule 2: load best, reset tries, add a dendrite (gd) / enter P (cc)
        Retry,    // rule 3: load best (discard the failed dendrite), tries += 1, add again
        Finish,   // rules 1, 2 at max_dendrites, 3 without attempts left: load best, finish
    };
    struct Decision
    {
        bool newCycleBest = false;
        bool newGlobalBest = false; // the engine saves the `best` checkpoint
        bool waitingForLr = false;  // patience ran out but the learning rate was never lowered
        Action action = Action::Continue;
        std::string reason; // reason::k* of a Finish
        std::string note;   // human-readable reason of a switch
    };

    explicit PhaseTracker(TrackerConfig config = {});

    // One N-phase epoch with validation score `score` of the current architecture with `k`
    // dendrites per wrapped layer. `lrLowered`: the scheduler lowered the learning rate at least
    // once in this cycle (only read with lrLoweredBeforeGivingUp).
    Decision onEpoch(double score, int k, bool lrLowered = true);
    // After a restructure (dendrite added, or best reloaded and a dendrite added): starts a new
    // cycle. `k` is the dendrite count of the new architecture.
    void onRestructure(int k);

    double globalBest() const { return m_globalBest; }
    int globalBestK() const { return m_globalBestK; }
    double cycleBest() const { return m_cycleBest; }
    int tries() const { return m_tries; }
    int epochsSinceImprovement() const { return m_sinceImprovement; }
    int cycle() const { return m_cycle; }
    const TrackerConfig& config() const { return m_config; }
    double thresholdFor(int k) const;

    std::string toJson() const;
    Status fromJson(const std::string& json);

private:
    TrackerConfig m_config;
    double m_globalBest = -1.0;
    int m_globalBestK = 0;
    double m_cycleBest = -1.0;
    int m_sinceImprovement = 0;
    bool m_cycleSetGlobalBest = false;
    int m_tries = 0;
    int m_cycle = 0;
};

// The per-batch score bookkeeping of perforatedbp 3.0.7 (spec section 4), for one wrapped layer.
// `score` is |S_n| per neuron after this batch; `best` and `prev` are the per-neuron running
// best and reference. best_n <- max(best_n, score_n); the layer improved when some neuron has
// best_n * (1 - rel) > prev_n and some (not necessarily the same) neuron has
// best_n - abs > prev_n; then prev_n <- max(best_n, prev_n) for every neuron. Returns whether the
// layer improved on this batch.
bool bookkeepScores(std::span<const double> score, std::vector<double>& best,
                    std::vector<double>& prev, double rel = 0.1, double abs = 1e-5);

// End of a P epoch (spec section 4): the phase ends after p_patience epochs in which no layer
// improved, or with cap_at_n after as many epochs as the first N-phase took. `noImprove` counts
// the epochs without improvement so far, `phaseEpochs` the epochs of this P-phase. Returns the
// reason::k* that ends it, or an empty string.
std::string pPhaseEnd(int noImprove, int pPatience, bool capAtN, int phaseEpochs, int firstNEpochs);

} // namespace dw::engine
