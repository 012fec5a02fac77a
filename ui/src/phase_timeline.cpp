// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/ui/phase_timeline.h"

#include <algorithm>

namespace dw::ui {

std::string PhaseSpan::label() const
{
    if (phase == 'P')
        return "P  K=" + std::to_string(dendrites) + "\u2192" + std::to_string(dendrites + 1);
    return "N  K=" + std::to_string(dendrites);
}

std::string PhaseSpan::longLabel() const
{
    if (endReason.empty())
        return label();
    return label() + " \u00b7 " + endReason;
}

bool isStructuralSwitch(const std::string& kind)
{
    return kind == "added" || kind == "reverted" || kind == "N->P" || kind == "P->N";
}

bool PhaseSpanBuilder::addEpoch(const EpochRecord& e)
{
    int k = 0;
    for (int d : e.dendrites)
        k = std::max(k, d);
    const bool extend = !m_spans.empty() && m_spans.back().phase == e.phase &&
                        m_breakAfter < m_spans.back().firstEpoch &&
                        m_spans.back().lastEpoch < e.epoch;
    if (extend) {
        m_spans.back().lastEpoch = e.epoch;
        m_spans.back().dendrites = std::max(m_spans.back().dendrites, k);
        return false;
    }
    m_spans.push_back(PhaseSpan{e.phase, e.epoch, e.epoch, k, {}, {}});
    return true;
}

void PhaseSpanBuilder::addSwitch(const SwitchRecord& s)
{
    if (!m_spans.empty() && m_spans.back().lastEpoch == s.epoch) {
        PhaseSpan& last = m_spans.back();
        if (last.endReason.empty())
            last.endReason = s.reason;
        if (isStructuralSwitch(s.kind) || s.kind == "finished")
            last.outcome += (last.outcome.empty() ? "" : ", ") + s.kind;
    }
    if (isStructuralSwitch(s.kind))
        m_breakAfter = std::max(m_breakAfter, s.epoch);
}

void PhaseSpanBuilder::clear()
{
    m_spans.clear();
    m_breakAfter = -1;
}

std::vector<PhaseSpan> phaseSpans(const std::vector<EpochRecord>& epochs,
                                  const std::vector<SwitchRecord>& switches)
{
    // Replay in time order: a switch recorded "after epoch e" comes before epoch e+1.
    PhaseSpanBuilder b;
    size_t si = 0;
    std::vector<SwitchRecord> sorted = switches;
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const SwitchRecord& a, const SwitchRecord& c) { return a.epoch < c.epoch; });
    for (const EpochRecord& e : epochs) {
        while (si < sorted.size() && sorted[si].epoch < e.epoch)
            b.addSwitch(sorted[si++]);
        b.addEpoch(e);
    }
    while (si < sorted.size()) // after the last epoch: why the run ended
        b.addSwitch(sorted[si++]);
    return b.spans();
}

} // namespace dw::ui
