// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/core/splitter.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace dw {

namespace {
struct Segment {
    int64_t first; // frame index
    int64_t last;  // inclusive
    double peak;
};
} // namespace

std::vector<Utterance> findUtterances(std::span<const int16_t> signal,
                                      const SplitterConfig& config)
{
    std::vector<Utterance> out;
    const int64_t n = int64_t(signal.size());
    const int64_t hop = std::max<int64_t>(1, std::llround(config.frameSeconds * config.sampleRate));
    if (n == 0)
        return out;
    const int64_t frames = (n + hop - 1) / hop;
    std::vector<double> level(static_cast<size_t>(frames));
    for (int64_t f = 0; f < frames; ++f) {
        const int64_t b = f * hop;
        const int64_t e = std::min(n, b + hop);
        double sum = 0.0;
        for (int64_t i = b; i < e; ++i) {
            const double v = signal[size_t(i)] / 32768.0;
            sum += v * v;
        }
        level[size_t(f)] = 10.0 * std::log10(sum / double(e - b) + 1e-12);
    }

    // Noise floor: a low percentile, so that a recording that is mostly speech still has a
    // floor below its speech and a recording that is mostly silence has its silence as floor.
    std::vector<double> sorted = level;
    const size_t k = size_t(double(sorted.size() - 1) * 0.10);
    std::nth_element(sorted.begin(), sorted.begin() + long(k), sorted.end());
    const double floorDb = sorted[k];
    const double threshold = std::max(floorDb + config.thresholdDb, config.absoluteFloorDb);

    std::vector<Segment> segs;
    for (int64_t f = 0; f < frames; ++f) {
        if (level[size_t(f)] <= threshold)
            continue;
        const int64_t gapFrames = std::llround(config.mergeGapSeconds * config.sampleRate / hop);
        if (!segs.empty() && f - segs.back().last - 1 <= gapFrames) {
            segs.back().last = f;
            segs.back().peak = std::max(segs.back().peak, level[size_t(f)]);
        } else {
            segs.push_back({f, f, level[size_t(f)]});
        }
    }

    const int64_t minLen = std::llround(config.minUtteranceSeconds * config.sampleRate);
    const int64_t pad = std::llround(config.paddingSeconds * config.sampleRate);
    const int64_t w = config.windowSamples;
    const int64_t maxShift = std::llround(config.maxShiftSeconds * config.sampleRate);
    std::mt19937_64 rng(config.seed);
    for (const auto& s : segs) {
        const int64_t rawStart = s.first * hop;
        const int64_t rawEnd = std::min(n, (s.last + 1) * hop);
        if (rawEnd - rawStart < minLen)
            continue;
        Utterance u;
        u.start = std::max<int64_t>(0, rawStart - pad);
        u.end = std::min(n, rawEnd + pad);
        u.peakDb = s.peak;
        int64_t ws = (u.start + u.end) / 2 - w / 2;
        if (maxShift > 0) {
            // Portable uniform draw (the distributions of <random> differ between libraries).
            const double r = double(rng() >> 11) * (1.0 / 9007199254740992.0);
            ws += std::llround((2.0 * r - 1.0) * double(maxShift));
            if (u.end - u.start <= w)
                ws = std::clamp(ws, u.end - w, u.start);
        }
        if (n >= w)
            ws = std::clamp<int64_t>(ws, 0, n - w);
        else
            ws = std::clamp<int64_t>(ws, n - w, 0);
        u.windowStart = ws;
        out.push_back(u);
    }
    return out;
}

std::vector<int16_t> extractWindow(std::span<const int16_t> signal, const Utterance& u,
                                   const SplitterConfig& config)
{
    std::vector<int16_t> out(size_t(std::max(0, config.windowSamples)), 0);
    const int64_t n = int64_t(signal.size());
    for (int64_t i = 0; i < int64_t(out.size()); ++i) {
        const int64_t j = u.windowStart + i;
        if (j >= 0 && j < n)
            out[size_t(i)] = signal[size_t(j)];
    }
    return out;
}

} // namespace dw
