// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The N, P, N, P ... alternation of a run as blocks of consecutive epochs (pure data, no Qt
// widgets): the timeline strip and the shaded spans of every plot are drawn from these.

#include "dw/core/training.h"

#include <string>
#include <vector>

namespace dw::ui {

struct PhaseSpan
{
    char phase = 'N';   // 'N' or 'P'
    int firstEpoch = 0; // inclusive, 1-based like EpochRecord::epoch
    int lastEpoch = 0;  // inclusive
    int dendrites = 0;  // max K over the wrapped layers during the span
    // Why the span ended (SwitchRecord::reason of the switch after its last epoch, e.g.
    // "p_patience"); empty while it runs or for records written before reasons existed.
    std::string endReason;
    std::string outcome;       // the structural switches after it: "added", "reverted", "N->P", ...
    std::string label() const; // e.g. "N  K=0", "P  K=0 -> 1"
    std::string longLabel() const; // label() plus why it ended: "P  K=0 -> 1 · p_patience"
};

// A new span starts when the phase changes, or after an epoch that a structural switch
// ("added", "reverted", "N->P", "P->N") followed, so gd runs (no P) still show one block per
// dendrite count and a reverted attempt starts a fresh block.
std::vector<PhaseSpan> phaseSpans(const std::vector<EpochRecord>& epochs,
                                  const std::vector<SwitchRecord>& switches);

// Incremental form for live runs: feed epochs and switches in arrival order.
class PhaseSpanBuilder
{
public:
    // Returns true when this epoch started a new span (false: it extended the last one).
    bool addEpoch(const EpochRecord& e);
    void addSwitch(const SwitchRecord& s);
    const std::vector<PhaseSpan>& spans() const { return m_spans; }
    void clear();

private:
    std::vector<PhaseSpan> m_spans;
    int m_breakAfter = -1; // epoch after which a structural switch happened
};

bool isStructuralSwitch(const std::string& kind);

} // namespace dw::ui
