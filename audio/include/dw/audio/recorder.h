// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A recording session, without Qt: starts capture on a Backend, drains it when told (a 30-60 Hz
// GUI timer, or the CLI's loop), keeps every sample of the session, measures the input level,
// and after the session proposes 1 s clips with the utterance splitter (dw/core/splitter.h).
//
// Threads: one thread (the owner's) calls every method. A device failure stops the session with
// an Error from poll(); the samples recorded up to the failure stay in samples().

#include "dw/audio/backend.h"
#include "dw/core/project.h"
#include "dw/core/splitter.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dw::audio {

// One proposed (or user-edited) clip of a session.
struct ClipProposal {
    int64_t start = 0;   // first sample in the session (may be < 0: zero-padded)
    int length = 16000;  // samples
    std::string label;
    bool keep = true;    // false: dropped by the user, not saved
    double peakDb = -120.0;
};

struct SaveReport {
    std::vector<Clip> saved;          // clips written and listed, in order
    std::vector<size_t> savedIndices; // index in the proposals of each saved clip
    std::vector<std::string> skipped; // one line per proposal not saved and why
    std::optional<Error> error;       // the write failure that stopped the save, if any

    bool ok() const { return !error.has_value(); }
};

class Recorder
{
public:
    explicit Recorder(Backend* backend = nullptr) : m_backend(backend) {}
    void setBackend(Backend* backend); // stops a running session first

    // Starts a new session (clears the previous samples).
    Status start(const CaptureConfig& config = {});
    // Drains new audio; returns how many samples arrived (>= 0) or the device's Error (the
    // session is then stopped; what was recorded is kept).
    Result<size_t> poll();
    // Stops capture and drains what is left; idempotent.
    void stop();
    bool isRecording() const { return m_recording; }

    const std::vector<int16_t>& samples() const { return m_samples; }
    int sampleRate() const { return m_rate; }
    double seconds() const { return double(m_samples.size()) / m_rate; }
    // Replaces the session's audio (e.g. to split a loaded file); stops recording first.
    void setSamples(std::vector<int16_t> samples, int sampleRate = 16000);
    void clear() { setSamples({}); }

    // Level of the audio that arrived in the last poll(), in dBFS (-120 when silent/none).
    double lastPeakDb() const { return m_lastPeakDb; }
    double lastRmsDb() const { return m_lastRmsDb; }
    CaptureStats stats() const;

    // Proposes clips on the session's audio: one window of config.windowSamples per utterance.
    std::vector<ClipProposal> propose(const SplitterConfig& config,
                                      const std::string& label) const;

    // The samples of a proposal (zero-padded where it runs outside the session).
    std::vector<int16_t> extract(const ClipProposal& p) const;

    // Saves every kept proposal with Project::addClip (atomic, listed at once). Stops at the
    // first write failure and sets report.error, saying how many were saved before it (those
    // stay on disk and listed); proposals with 0 samples or an invalid label are skipped and
    // reported.
    SaveReport save(Project& project, const std::vector<ClipProposal>& proposals,
                            const std::string& source = "recorded") const;

private:
    Backend* m_backend = nullptr;
    std::vector<int16_t> m_samples;
    int m_rate = 16000;
    bool m_recording = false;
    double m_lastPeakDb = -120.0;
    double m_lastRmsDb = -120.0;
};

// dBFS of an int16 amplitude / RMS (-120 for 0).
double toDbfs(double amplitude);

} // namespace dw::audio
