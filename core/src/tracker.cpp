// SPDX-License-Identifier: GPL-3.0-or-later
#include "tracker.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace dw::engine {

bool beats(double s, double b, double rel)
{
    return s * (1.0 - rel) > b && s - 1e-5 > b;
}

PhaseTracker::PhaseTracker(TrackerConfig config) : m_config(std::move(config))
{
    if (m_config.thresholds.empty())
        m_config.thresholds = {0.0};
    if (m_config.traditional)
        m_config.maxDendrites = 0;
}

double PhaseTracker::thresholdFor(int k) const
{
    const auto& t = m_config.thresholds;
    return t[size_t(std::clamp(k, 0, int(t.size()) - 1))];
}

PhaseTracker::Decision PhaseTracker::onEpoch(double score, int k, bool lrLowered)
{
    Decision d;
    double rel = thresholdFor(k);
    if (beats(score, m_cycleBest, rel)) {
        m_cycleBest = score;
        m_sinceImprovement = 0;
        d.newCycleBest = true;
    } else {
        ++m_sinceImprovement;
    }
    if (beats(score, m_globalBest, rel)) {
        m_globalBest = score;
        m_globalBestK = k;
        m_cycleSetGlobalBest = true;
        d.newGlobalBest = true;
    }
    if (m_sinceImprovement < m_config.nPatience)
        return d;
    if (m_config.lrLoweredBeforeGivingUp && !lrLowered) {
        d.waitingForLr = true;
        return d;
    }

    // Switch, in the library's order (spec section 5): a failed last dendrite is retried before
    // max_dendrites ends the run.
    const std::string n = std::to_string(m_config.nPatience);
    if (m_config.traditional) {
        d.action = Action::Finish;
        d.reason = reason::kEarlyStop;
        d.note = "no improvement for n_patience (" + n + ") epochs: early stop";
    } else if (m_cycleSetGlobalBest) {
        m_tries = 0;
        if (k >= m_config.maxDendrites) {
            d.action = Action::Finish;
            d.reason = reason::kMaxDendrites;
            d.note = "the last dendrite set a new global best and max_dendrites (" +
                     std::to_string(m_config.maxDendrites) + ") is reached";
        } else {
            d.action = Action::Add;
            d.note = "no improvement for n_patience (" + n +
                     ") epochs after a new global best: adding a dendrite";
        }
    } else if (m_tries < m_config.maxTries - 1) {
        d.action = Action::Retry;
        ++m_tries;
        d.note = "the last dendrite did not beat the global best: reverting it and trying a new "
                 "one (attempt " +
                 std::to_string(m_tries + 1) + " of max_tries " +
                 std::to_string(m_config.maxTries) + ")";
    } else {
        d.action = Action::Finish;
        d.reason = reason::kMaxTries;
        d.note = "the last dendrite did not beat the global best and its max_tries (" +
                 std::to_string(m_config.maxTries) + ") attempts are used";
    }
    return d;
}

void PhaseTracker::onRestructure(int k)
{
    (void)k;
    m_cycleBest = -1.0;
    m_sinceImprovement = 0;
    m_cycleSetGlobalBest = false;
    ++m_cycle;
}

std::string PhaseTracker::toJson() const
{
    nlohmann::json j;
    j["global_best"] = m_globalBest;
    j["global_best_k"] = m_globalBestK;
    j["cycle_best"] = m_cycleBest;
    j["since_improvement"] = m_sinceImprovement;
    j["cycle_set_global_best"] = m_cycleSetGlobalBest;
    j["tries"] = m_tries;
    j["cycle"] = m_cycle;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status PhaseTracker::fromJson(const std::string& text)
{
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError("tracker state is not a JSON object", "the checkpoint is damaged");
    try {
        m_globalBest = j.at("global_best").get<double>();
        m_globalBestK = j.at("global_best_k").get<int>();
        m_cycleBest = j.at("cycle_best").get<double>();
        m_sinceImprovement = j.at("since_improvement").get<int>();
        m_cycleSetGlobalBest = j.at("cycle_set_global_best").get<bool>();
        m_tries = j.at("tries").get<int>();
        m_cycle = j.at("cycle").get<int>();
    } catch (const std::exception& e) {
        return makeError(std::string("tracker state is incomplete: ") + e.what(),
                         "the checkpoint is damaged");
    }
    return Status::success();
}

bool bookkeepScores(std::span<const double> score, std::vector<double>& best,
                    std::vector<double>& prev, double rel, double abs)
{
    const size_t n = score.size();
    best.resize(n, 0.0);
    prev.resize(n, 0.0);
    bool relOk = false, absOk = false;
    for (size_t i = 0; i < n; ++i) {
        best[i] = std::max(best[i], std::fabs(score[i]));
        relOk = relOk || best[i] * (1.0 - rel) > prev[i];
        absOk = absOk || best[i] - abs > prev[i];
    }
    if (!(relOk && absOk))
        return false;
    for (size_t i = 0; i < n; ++i)
        prev[i] = std::max(best[i], prev[i]);
    return true;
}

std::string pPhaseEnd(int noImprove, int pPatience, bool capAtN, int phaseEpochs, int firstNEpochs)
{
    if (noImprove >= pPatience)
        return reason::kPPatience;
    if (capAtN && firstNEpochs > 0 && phaseEpochs >= firstNEpochs)
        return reason::kCapAtN;
    return {};
}

} // namespace dw::engine
