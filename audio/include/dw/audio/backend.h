// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The capture/playback backend interface (architecture rule 3): PortAudio for real devices,
// FakeBackend (a WAV or a synthetic signal at real-time pace) for tests and headless use.
//
// Threads: a backend is owned and driven by ONE consumer thread (the GUI thread through a
// 30-60 Hz timer, or the CLI's loop). Only the device side (PortAudio callback, fake clock thread)
// runs elsewhere, and it only copies device-rate interleaved float frames into a wait-free SPSC
// ring (dw/audio/ring.h) and bumps counters. Mix-down to mono and resampling to 16 kHz
// (libsamplerate) happen in drain(), on the consumer thread.
//
// Errors are dw::Status values with a message and a hint: no input device, device busy, device
// vanished mid-stream. Samples captured before a failure are still delivered by drain().

#include "dw/audio/ring.h"
#include "dw/core/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dw::audio {

struct DeviceInfo {
    int index = -1;          // backend-specific device number (PortAudio device index)
    std::string name;        // e.g. "system", "USB Audio: #0"
    std::string hostApi;     // e.g. "JACK Audio Connection Kit", "ALSA", "Fake"
    int maxInputChannels = 0;
    int maxOutputChannels = 0;
    double defaultSampleRate = 0.0;
    bool isDefaultInput = false;
    bool isDefaultOutput = false;

    std::string label() const; // "system (JACK Audio Connection Kit, 2 in, 16000 Hz)"
};

struct CaptureConfig {
    int device = -1;           // DeviceInfo::index; -1: the default input device
    int sampleRate = 16000;    // delivered rate (mono int16 at this rate out of drain())
    int framesPerBuffer = 512; // device block size hint
    double ringSeconds = 8.0;  // ring capacity at the device rate: how long drain() may lag
};

struct CaptureStats {
    uint64_t deviceFrames = 0; // frames the device delivered (device rate)
    uint64_t droppedSamples = 0; // ring overruns + driver overflow reports (interleaved samples)
    uint64_t deliveredSamples = 0; // mono 16 kHz samples handed out by drain()
    int deviceRate = 0;
    int deviceChannels = 0;
    std::string deviceName;
};

// Why a stream stopped on its own; set by the device side, read by drain().
enum class DeviceFault : int { None = 0, Vanished = 1, Stalled = 2, HostError = 3 };

class Backend
{
public:
    Backend();
    virtual ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    virtual std::string name() const = 0; // "PortAudio", "Fake"

    // Devices (input and output). An empty list is not an error; failing to query is.
    virtual Result<std::vector<DeviceInfo>> listDevices() = 0;
    // Index of the default input device; an Error ("no audio input device") when there is none.
    Result<int> defaultInputDevice();

    // Opens and starts capture. Errors: no input device, device busy, bad device index, rate
    // unsupported (then the device's own rate is used and resampled, so this is rare).
    Status startCapture(const CaptureConfig& config);
    // Stops and closes the stream; idempotent. Samples still in the ring stay drainable.
    void stopCapture();
    bool isCapturing() const { return m_capturing; }

    // Consumer: appends every sample captured so far as mono int16 at config.sampleRate.
    // Returns an Error when the device failed (vanished, stalled); everything captured before the
    // failure has been appended by then. Never blocks; cost is proportional to the new audio.
    Status drain(std::vector<int16_t>& out);

    CaptureStats stats() const;

    // Playback of a mono int16 buffer (non-blocking; the buffer is copied). Replaces any
    // playback in progress. An Error when there is no output device.
    virtual Status play(std::span<const int16_t> samples, int sampleRate) = 0;
    virtual void stopPlayback() = 0;
    virtual bool isPlaying() const = 0;

protected:
    // Implementations open/close their device. openStream() must call prepareRing() with the
    // device's actual rate and channel count before the device side can push().
    virtual Status openStream(const CaptureConfig& config) = 0;
    virtual void closeStream() = 0;
    // Called instead of closeStream() after a device fault; some drivers (PortAudio's JACK host
    // API once the server is gone) block forever in close, so an implementation may abandon the
    // stream instead.
    virtual void abandonStream() { closeStream(); }
    // Polled by drain(): a fault the device side cannot signal itself (e.g. stream inactive).
    virtual DeviceFault pollFault() { return DeviceFault::None; }
    // Human-readable reason for a fault (called on the consumer thread).
    virtual Error faultError(DeviceFault fault) const;

    void prepareRing(int deviceRate, int deviceChannels, const std::string& deviceName,
                     double ringSeconds);

    // ---- device side (real-time safe: no allocation, locks or logging) ----
    void pushFrames(const float* interleaved, size_t frames)
    {
        m_ring.pushDropping(interleaved, frames * size_t(m_deviceChannels));
        m_deviceFrames.fetch_add(frames, std::memory_order_relaxed);
    }
    void reportOverflow(size_t samples) { m_ring.addOverruns(samples); }
    void raiseFault(DeviceFault f)
    {
        int expected = 0;
        m_fault.compare_exchange_strong(expected, int(f), std::memory_order_release);
    }

private:
    struct Converter;
    SpscRing<float> m_ring;
    std::unique_ptr<Converter> m_converter;
    std::atomic<uint64_t> m_deviceFrames{0};
    std::atomic<int> m_fault{0};
    int m_deviceRate = 0;
    int m_deviceChannels = 1;
    int m_targetRate = 16000;
    std::string m_deviceName;
    uint64_t m_delivered = 0;
    bool m_capturing = false;
    bool m_faultReported = false;
};

} // namespace dw::audio
