// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The phase tracker of perforated-backprop.md section 5: one state machine for traditional, gd and
// cc runs. Std-only (no torch) so it is unit-tested with scripted score sequences.
// Called once per neuron-phase epoch with the validation accuracy (higher is better). The engine
// acts on the returned Decision (save best, load best, add a dendrite, finish).

#include "dw/core/result.h"

#include <string>
#include <vector>

namespace dw::engine {

struct TrackerConfig {
    bool traditional = false;
    int maxDendrites = 100;
    int maxTries = 2;
    int nPatience = 10;
    std::vector<double> thresholds = {0.001, 0.0001, 0.0};
};

// Improvement test of section 5: s beats b when s*(1-rel) > b and s - 1e-5 > b.
bool beats(double s, double b, double rel);

class PhaseTracker
{
public:
    enum class Action {
        Continue,  // keep training this architecture
        Add,       // rule 2: load best, reset tries, add a dendrite (gd) / enter P (cc)
        Retry,     // rule 3: load best (discard the failed dendrite), tries += 1, add again
        Finish,    // rules 1 and 4: load best, finish
    };
    struct Decision {
        bool newCycleBest = false;
        bool newGlobalBest = false; // the engine saves the `best` checkpoint
        Action action = Action::Continue;
        std::string note;           // human-readable reason of a switch
    };

    explicit PhaseTracker(TrackerConfig config = {});

    // One N-phase epoch with validation score `score` of the current architecture with `k`
    // dendrites per wrapped layer.
    Decision onEpoch(double score, int k);
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

} // namespace dw::engine
