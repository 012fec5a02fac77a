// SPDX-License-Identifier: GPL-3.0-or-later
// The streaming keyword detector of dw/core/live.h: a sliding window, probability smoothing,
// threshold, refractory period and re-arming. No torch, no threads, no clock.
#include "dw/core/live.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace dw {

bool isKeywordLabel(const std::string& label)
{
    std::string s;
    for (char c : label)
        if (c != '_' && c != '-' && c != ' ')
            s += char(std::tolower(static_cast<unsigned char>(c)));
    static const char* const kNonKeywords[] = {
        "noise", "unknown", "silence", "background", "backgroundnoise", "other", "none", "filler"};
    for (const char* n : kNonKeywords)
        if (s == n)
            return false;
    return !s.empty();
}

Status DetectorConfig::validate() const
{
    if (!(threshold > 0.0 && threshold < 1.0)) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", threshold);
        return makeError(std::string("detection threshold ") + text + " is outside (0, 1)",
                         "give a probability between 0 and 1, e.g. 0.6", 2);
    }
    if (smoothing < 1)
        return makeError("smoothing over " + std::to_string(smoothing) + " windows is not possible",
                         "give 1 (no smoothing) or more windows, e.g. 3", 2);
    if (smoothing > 100)
        return makeError("smoothing over " + std::to_string(smoothing) + " windows is too long",
                         "give at most 100 windows, e.g. 3", 2);
    if (hopMs < 10 || hopMs > 1000)
        return makeError("hop of " + std::to_string(hopMs) + " ms is outside 10..1000 ms",
                         "give a hop such as 250 ms", 2);
    if (!(refractorySeconds >= 0.0) || refractorySeconds > 60.0)
        return makeError("refractory period must be 0..60 s", "e.g. 1 s", 2);
    return {};
}

StreamDetector::StreamDetector(WindowClassifier& classifier, const DetectorConfig& config)
    : m_classifier(classifier), m_config(config)
{}

Result<std::unique_ptr<StreamDetector>> StreamDetector::create(WindowClassifier& classifier,
                                                               const DetectorConfig& config)
{
    if (auto s = config.validate(); !s)
        return s.error();
    const auto& labels = classifier.labels();
    if (labels.empty())
        return makeError("the model has no classes", "load a trained run", 3);
    if (std::none_of(labels.begin(), labels.end(), isKeywordLabel))
        return makeError("the model has no keyword class (only noise/unknown-like labels)",
                         "train a run with at least one keyword label", 3);
    if (classifier.sampleRate() < 1000 || classifier.windowSamples() < 1)
        return makeError("the model's window is invalid", "retrain the run", 3);
    std::unique_ptr<StreamDetector> d(new StreamDetector(classifier, config));
    d->m_rate = classifier.sampleRate();
    d->m_window = classifier.windowSamples();
    d->m_hop = int(std::lround(double(config.hopMs) * d->m_rate / 1000.0));
    if (d->m_hop < 1 || d->m_hop > d->m_window)
        return makeError("hop of " + std::to_string(config.hopMs) +
                             " ms is longer than the model's window",
                         "give a hop no longer than the window, e.g. 250 ms", 2);
    for (const auto& l : labels)
        d->m_keyword.push_back(isKeywordLabel(l));
    d->reset();
    return d;
}

void StreamDetector::reset()
{
    m_buffer.assign(size_t(m_window), 0);
    m_ordered.assign(size_t(m_window), 0);
    m_head = 0;
    m_samples = 0;
    m_nextWindowEnd = m_window;
    m_windows = 0;
    m_history.clear();
    m_lastDetection = -1e300;
    m_armed = true;
    m_detections.clear();
}

Status StreamDetector::setThreshold(double threshold)
{
    DetectorConfig c = m_config;
    c.threshold = threshold;
    if (auto s = c.validate(); !s)
        return s;
    m_config = c;
    return {};
}

Status StreamDetector::setSmoothing(int windows)
{
    DetectorConfig c = m_config;
    c.smoothing = windows;
    if (auto s = c.validate(); !s)
        return s;
    m_config = c;
    while (m_history.size() > size_t(windows))
        m_history.pop_front();
    return {};
}

double StreamDetector::streamSeconds() const
{
    return double(m_samples) / double(m_rate);
}

double StreamDetector::falseAcceptsPerHour() const
{
    const double hours = streamSeconds() / 3600.0;
    return hours > 0 ? double(m_detections.size()) / hours : 0.0;
}

Status StreamDetector::feed(std::span<const int16_t> samples,
                            const std::function<void(const LiveWindow&)>& onWindow)
{
    Status status;
    size_t i = 0;
    while (i < samples.size()) {
        const size_t n = std::min<size_t>(samples.size() - i, size_t(m_nextWindowEnd - m_samples));
        // Copy into the ring in at most two pieces.
        size_t done = 0;
        while (done < n) {
            const size_t k = std::min(n - done, m_buffer.size() - m_head);
            std::copy_n(samples.begin() + long(i + done), k, m_buffer.begin() + long(m_head));
            m_head = (m_head + k) % m_buffer.size();
            done += k;
        }
        i += n;
        m_samples += static_cast<long long>(n);
        if (m_samples == m_nextWindowEnd) {
            m_nextWindowEnd += m_hop;
            classifyLast(onWindow, status);
            if (!status)
                return status;
        }
    }
    return status;
}

void StreamDetector::classifyLast(const std::function<void(const LiveWindow&)>& onWindow,
                                  Status& status)
{
    // Oldest sample first: m_head is the oldest position once the ring is full.
    const size_t tail = m_buffer.size() - m_head;
    std::copy_n(m_buffer.begin() + long(m_head), tail, m_ordered.begin());
    std::copy_n(m_buffer.begin(), m_head, m_ordered.begin() + long(tail));
    const size_t C = m_classifier.labels().size();
    LiveWindow w;
    w.time = streamSeconds();
    w.probabilities.assign(C, 0.0f);
    if (auto s = m_classifier.classify(m_ordered, w.probabilities); !s) {
        status = s;
        return;
    }
    ++m_windows;
    m_history.push_back(w.probabilities);
    while (m_history.size() > size_t(m_config.smoothing))
        m_history.pop_front();
    w.smoothed.assign(C, 0.0f);
    for (const auto& h : m_history)
        for (size_t c = 0; c < C; ++c)
            w.smoothed[c] += h[c];
    for (auto& v : w.smoothed)
        v /= float(m_history.size());

    int best = -1;
    for (size_t c = 0; c < C; ++c)
        if (m_keyword[c] && (best < 0 || w.smoothed[c] > w.smoothed[size_t(best)]))
            best = int(c);
    const bool above = best >= 0 && double(w.smoothed[size_t(best)]) > m_config.threshold;
    // One utterance is one detection: after firing, the detector re-arms only once every
    // keyword has fallen to the threshold or below, and not before the refractory period ends.
    const bool refractoryOver =
        w.time - m_lastDetection >= m_config.refractorySeconds - 0.5 / double(m_rate);
    if (!above && refractoryOver)
        m_armed = true;
    if (above && m_armed && refractoryOver) {
        Detection d;
        d.time = w.time;
        d.classIndex = best;
        d.label = m_classifier.labels()[size_t(best)];
        d.probability = w.smoothed[size_t(best)];
        m_detections.push_back(d);
        m_lastDetection = w.time;
        m_armed = false;
        w.detected = true;
    }
    if (onWindow)
        onWindow(w);
}

} // namespace dw
