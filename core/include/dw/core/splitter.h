// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Energy-based utterance splitter (Edge Impulse's "Split sample"): finds utterances in a long
// mono int16 signal and places a fixed-length window (1 s by default) around each one.
// Std-only, no state, thread-safe; used by the importer and by the GUI's recording page.

#include <cstdint>
#include <span>
#include <vector>

namespace dw {

struct SplitterConfig {
    int sampleRate = 16000;
    int windowSamples = 16000;      // length of each output window
    double frameSeconds = 0.01;     // energy frame (and hop) length
    // An utterance is where the frame level exceeds the noise floor (a low percentile of the
    // frame levels) by thresholdDb, and exceeds absoluteFloorDb (dBFS) in any case.
    double thresholdDb = 12.0;
    double absoluteFloorDb = -55.0;
    double minUtteranceSeconds = 0.06; // shorter bursts (clicks) are ignored
    double mergeGapSeconds = 0.20;  // pauses shorter than this join two parts of one utterance
    double paddingSeconds = 0.05;   // added on both sides of each utterance's bounds
    // Random shift of each window by up to +-maxShiftSeconds, kept so that the padded utterance
    // stays inside the window when it fits. 0 = centred. Deterministic for a seed.
    double maxShiftSeconds = 0.0;
    uint64_t seed = 0;
};

struct Utterance {
    int64_t start = 0;       // first sample of the (padded) utterance, in the signal
    int64_t end = 0;         // one past the last sample
    int64_t windowStart = 0; // first sample of the output window; may be < 0 or run past the
                             // signal's end for short signals (zero-padded by extractWindow)
    double peakDb = -120.0;  // loudest frame, dBFS
};

// Utterances in time order; windows never start before 0 or end after the signal when the
// signal is at least one window long.
std::vector<Utterance> findUtterances(std::span<const int16_t> signal,
                                      const SplitterConfig& config = {});

// The window of one utterance: exactly config.windowSamples samples, zero where the window
// runs past the signal.
std::vector<int16_t> extractWindow(std::span<const int16_t> signal, const Utterance& u,
                                   const SplitterConfig& config = {});

} // namespace dw
