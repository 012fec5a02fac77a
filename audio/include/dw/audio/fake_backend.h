// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A backend with no sound card (architecture rule 3): one fake input device that plays a signal
// (a WAV file or generated samples) at real-time pace from a clock thread, pushing blocks into
// the same SPSC ring the PortAudio callback uses. It can pretend there is no device, that the
// device is busy, or that it vanishes mid-stream, so every capture path is testable.
// Playback is simulated: it "plays" for the buffer's duration and records what it was given.

#include "dw/audio/backend.h"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

namespace dw::audio {

struct FakeOptions {
    int sampleRate = 16000;  // the fake device's rate (e.g. 48000 to exercise resampling)
    int channels = 1;        // the fake device's channel count (2 to exercise mix-down)
    int blockFrames = 256;   // frames per clock tick
    double speed = 1.0;      // 1 = real time; tests may run faster
    bool loop = false;       // at the end of the signal: loop it, or continue with silence
    double failAfterSeconds = -1.0; // >= 0: the device vanishes after this much audio
    bool noDevices = false;  // listDevices() is empty: "no input device"
    bool busy = false;       // startCapture() fails with "device busy"
    std::string deviceName = "Fake microphone";
};

class FakeBackend final : public Backend
{
public:
    // `interleaved` holds options.channels channels at options.sampleRate, in [-1, 1].
    FakeBackend(std::vector<float> interleaved, FakeOptions options = {});
    // Plays a WAV file (any rate/channels libsndfile reads; the device takes the file's format).
    static Result<std::unique_ptr<FakeBackend>> fromWav(const std::filesystem::path& path,
                                                        FakeOptions options = {});
    ~FakeBackend() override;

    std::string name() const override { return "Fake"; }
    Result<std::vector<DeviceInfo>> listDevices() override;

    Status play(std::span<const int16_t> samples, int sampleRate) override;
    void stopPlayback() override;
    bool isPlaying() const override;

    // Makes the device vanish now (as if unplugged); any thread.
    void failNow() { m_failRequested.store(true, std::memory_order_relaxed); }
    // Changes what later sessions play (not while capturing).
    void setSignal(std::vector<float> interleaved) { m_signal = std::move(interleaved); }
    FakeOptions& options() { return m_options; }
    // Frames pushed so far in the current session (device rate).
    uint64_t framesPushed() const { return m_pushed.load(std::memory_order_relaxed); }
    // The last buffer given to play() (for tests).
    std::vector<int16_t> lastPlayed() const;

    // A speech-like test signal at `rate` Hz: `count` bursts ("utterances") of ~0.45 s of
    // modulated harmonics, one every `period` seconds starting at `firstOnset`, over faint noise.
    // Returns mono samples in [-1, 1]; onsets (seconds) are written to `onsets` if given.
    static std::vector<float> speechLike(double seconds, int rate, double firstOnset,
                                         double period, std::vector<double>* onsets = nullptr,
                                         unsigned seed = 1);

protected:
    Status openStream(const CaptureConfig& config) override;
    void closeStream() override;

private:
    void run();

    std::vector<float> m_signal;
    FakeOptions m_options;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_failRequested{false};
    std::atomic<uint64_t> m_pushed{0};
    mutable std::mutex m_playMutex;
    std::vector<int16_t> m_played;
    std::chrono::steady_clock::time_point m_playEnd{};
};

} // namespace dw::audio
