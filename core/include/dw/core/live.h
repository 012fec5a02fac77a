// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Live classification (kws-pipeline.md section 5, issue 8 item 4): a trained run's network in the
// portable C99 runtime (runtime/dw_mfcc.h + dw_nn.h, float32 or int8) classifying 1 s windows of
// 16 kHz int16 samples, and a streaming detector that slides that window over a stream every hop,
// smooths the class probabilities over the last windows and reports keyword detections.
//
// Threads: a WindowClassifier and a StreamDetector belong to one thread at a time (the CLI loop,
// or the GUI's live worker); nothing here blocks on anything but its own computation.
// LiveModel::load() runs LibTorch once (reads best.pt, builds the runtime graph the same way as
// export/verify do); classification then uses the C runtime only.

#include "dw/core/result.h"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dw {

// Classifies one window of mono int16 samples into class probabilities (summing to 1).
class WindowClassifier
{
public:
    virtual ~WindowClassifier() = default;
    virtual const std::vector<std::string>& labels() const = 0;
    virtual int sampleRate() const = 0;    // Hz the window is sampled at (e.g. 16000)
    virtual int windowSamples() const = 0; // samples per window (e.g. 16000 = 1 s)
    // window.size() == windowSamples(); probabilities.size() == labels().size().
    virtual Status classify(std::span<const int16_t> window, std::span<float> probabilities) = 0;
};

struct LiveModelOptions
{
    bool int8 = false;          // int8 runtime graph instead of float32
    int calibrationClips = 500; // int8: at most this many training clips
    // int8 calibration data: the project the run was trained in. Empty: the run's own project
    // (<project>/runs/<run>) when it has one. Without a project int8 is refused.
    std::filesystem::path project;
};

// A run's best.pt in the C runtime: the run's MFCC settings (dw_mfcc) + its network (dw_nn).
class LiveModel final : public WindowClassifier
{
public:
    // Errors: no run folder, no best.pt, a network the runtime cannot run, MFCC settings the
    // runtime refuses, int8 without a project to calibrate on.
    static Result<std::unique_ptr<LiveModel>> load(const std::filesystem::path& runDir,
                                                   const LiveModelOptions& options = {});
    ~LiveModel() override;

    const std::vector<std::string>& labels() const override;
    int sampleRate() const override;
    int windowSamples() const override;
    Status classify(std::span<const int16_t> window, std::span<float> probabilities) override;

    bool isInt8() const;
    std::string description() const; // e.g. "float32, ei1d: conv1d 8 ... (13 x 50 MFCC)"

private:
    struct Impl;
    explicit LiveModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

// True for labels that name a keyword; false for the "nothing said" classes: noise, unknown,
// silence, background (any case, with or without underscores, e.g. "_silence_", "_unknown_",
// "background_noise").
bool isKeywordLabel(const std::string& label);

struct DetectorConfig
{
    double threshold = 0.6; // a keyword fires when its smoothed probability exceeds this
    int smoothing = 3;      // average over the last N windows (1 = no smoothing)
    int hopMs = 250;        // a window is classified every hop
    // After a detection no other one for this long, and none until every keyword's smoothed
    // probability has fallen to the threshold (so one utterance is one detection).
    double refractorySeconds = 1.0;
    Status validate() const; // threshold in (0, 1), smoothing >= 1, hop 10..1000 ms
};

struct Detection
{
    double time = 0; // seconds into the stream at the end of the window that fired
    int classIndex = -1;
    std::string label;
    float probability = 0; // smoothed
};

// One classified window.
struct LiveWindow
{
    double time = 0;                  // seconds into the stream at the window's end
    std::vector<float> probabilities; // raw, this window
    std::vector<float> smoothed;      // mean over the last `smoothing` windows
    bool detected = false;            // this window produced a detection (detections().back())
};

// Slides the classifier's window over a stream. Pure: no threads, no clock (the stream's own
// sample count is its time), so a fake classifier tests it exactly.
class StreamDetector
{
public:
    // `classifier` must outlive the detector. Errors: a bad config, a classifier with no labels
    // or no keyword label, a hop longer than the window.
    static Result<std::unique_ptr<StreamDetector>> create(WindowClassifier& classifier,
                                                          const DetectorConfig& config = {});

    // Appends samples (any chunk size, at the classifier's rate). Every time a hop's worth of
    // new samples has arrived and at least one window is available, the last window is
    // classified; `onWindow` (optional) sees each one. A classifier error stops and is returned.
    Status feed(std::span<const int16_t> samples,
                const std::function<void(const LiveWindow&)>& onWindow = {});

    // Threshold and smoothing may change between feeds (the GUI's spin boxes); validated.
    Status setThreshold(double threshold);
    Status setSmoothing(int windows);
    void reset(); // a new stream: time 0, no history, no detections

    const DetectorConfig& config() const { return m_config; }
    const std::vector<std::string>& labels() const { return m_classifier.labels(); }
    const std::vector<Detection>& detections() const { return m_detections; }
    long long windows() const { return m_windows; }
    double streamSeconds() const; // samples fed / rate
    // Detections per hour of stream, for a stream known to hold no keyword; 0 before any audio.
    double falseAcceptsPerHour() const;

private:
    StreamDetector(WindowClassifier& classifier, const DetectorConfig& config);
    void classifyLast(const std::function<void(const LiveWindow&)>& onWindow, Status& status);

    WindowClassifier& m_classifier;
    DetectorConfig m_config;
    int m_rate = 16000;
    int m_window = 16000;
    int m_hop = 4000;
    std::vector<int16_t> m_buffer;  // the last window's samples (ring, m_window long)
    size_t m_head = 0;              // next write position in m_buffer
    std::vector<int16_t> m_ordered; // window in time order, handed to the classifier
    long long m_samples = 0;        // fed so far
    long long m_nextWindowEnd = 0;  // sample count at which the next window is classified
    long long m_windows = 0;
    std::deque<std::vector<float>> m_history;
    std::vector<bool> m_keyword;
    double m_lastDetection = -1e300;
    bool m_armed = true; // re-armed once every keyword fell to the threshold after a detection
    std::vector<Detection> m_detections;
};

} // namespace dw
