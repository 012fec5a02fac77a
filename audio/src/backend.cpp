// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/audio/backend.h"

#include <samplerate.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace dw::audio {

std::string DeviceInfo::label() const
{
    std::string s = name + " (" + hostApi;
    if (maxInputChannels > 0)
        s += ", " + std::to_string(maxInputChannels) + " in";
    if (maxOutputChannels > 0)
        s += ", " + std::to_string(maxOutputChannels) + " out";
    if (defaultSampleRate > 0)
        s += ", " + std::to_string(int(std::lround(defaultSampleRate))) + " Hz";
    return s + ")";
}

// Mix-down and resampling on the consumer thread. libsamplerate keeps its filter state between
// calls, so blocks of any size join without clicks.
struct Backend::Converter {
    SRC_STATE* src = nullptr;
    double ratio = 1.0;
    std::vector<float> interleaved;
    std::vector<float> mono;
    std::vector<float> resampled;
    std::chrono::steady_clock::time_point lastProgress;
    uint64_t lastFrames = 0;

    ~Converter()
    {
        if (src)
            src_delete(src);
    }
};

Backend::Backend() = default;
Backend::~Backend() = default;

Result<int> Backend::defaultInputDevice()
{
    auto devices = listDevices();
    if (!devices)
        return devices.error();
    const DeviceInfo* firstInput = nullptr;
    for (const auto& d : *devices) {
        if (d.maxInputChannels <= 0)
            continue;
        if (d.isDefaultInput)
            return d.index;
        if (!firstInput)
            firstInput = &d;
    }
    if (firstInput)
        return firstInput->index;
    return makeError("no audio input device found (" + name() + ")",
                     "connect a microphone and retry; headless, start JACK "
                     "(jackd --no-realtime -d dummy -r 16000) or use a WAV file as input");
}

void Backend::prepareRing(int deviceRate, int deviceChannels, const std::string& deviceName,
                          double ringSeconds)
{
    m_deviceRate = deviceRate;
    m_deviceChannels = std::max(1, deviceChannels);
    m_deviceName = deviceName;
    const double seconds = std::max(0.5, ringSeconds);
    m_ring.allocate(size_t(seconds * deviceRate) * size_t(m_deviceChannels));
    m_deviceFrames.store(0, std::memory_order_relaxed);
    m_fault.store(0, std::memory_order_relaxed);
}

Status Backend::startCapture(const CaptureConfig& config)
{
    stopCapture();
    if (config.sampleRate < 1000 || config.sampleRate > 384000)
        return makeError("capture rate " + std::to_string(config.sampleRate) + " Hz is invalid",
                         "use a rate between 1000 and 384000 Hz (16000 for keyword clips)");
    m_targetRate = config.sampleRate;
    m_delivered = 0;
    m_faultReported = false;
    if (auto s = openStream(config); !s)
        return s;
    auto conv = std::make_unique<Converter>();
    conv->ratio = double(m_targetRate) / double(m_deviceRate);
    if (m_deviceRate != m_targetRate) {
        int err = 0;
        conv->src = src_new(SRC_SINC_MEDIUM_QUALITY, 1, &err);
        if (!conv->src) {
            closeStream();
            return makeError(std::string("cannot create the resampler: ") + src_strerror(err),
                             "use a device that runs at " + std::to_string(m_targetRate) + " Hz");
        }
    }
    conv->lastProgress = std::chrono::steady_clock::now();
    m_converter = std::move(conv);
    m_capturing = true;
    return {};
}

void Backend::stopCapture()
{
    if (!m_capturing)
        return;
    closeStream();
    m_capturing = false;
}

CaptureStats Backend::stats() const
{
    CaptureStats s;
    s.deviceFrames = m_deviceFrames.load(std::memory_order_relaxed);
    s.droppedSamples = m_ring.overruns();
    s.deliveredSamples = m_delivered;
    s.deviceRate = m_deviceRate;
    s.deviceChannels = m_deviceChannels;
    s.deviceName = m_deviceName;
    return s;
}

Error Backend::faultError(DeviceFault fault) const
{
    const std::string dev = "'" + m_deviceName + "'";
    switch (fault) {
    case DeviceFault::Vanished:
        return makeError("the audio device " + dev + " disappeared during recording",
                         "reconnect it (or pick another device) and record again; the audio "
                         "recorded so far is kept");
    case DeviceFault::Stalled:
        return makeError("the audio device " + dev + " stopped delivering audio",
                         "check the cable or the sound server (JACK/PulseAudio) and record again; "
                         "the audio recorded so far is kept");
    case DeviceFault::HostError:
    default:
        return makeError("the audio device " + dev + " reported an error and stopped",
                         "pick another device and record again; the audio recorded so far is "
                         "kept");
    }
}

Status Backend::drain(std::vector<int16_t>& out)
{
    Converter* c = m_converter.get();
    if (!c)
        return {};
    const size_t ch = size_t(m_deviceChannels);
    const size_t avail = m_ring.readAvailable() / ch * ch;
    if (avail > 0) {
        c->interleaved.resize(avail);
        const size_t got = m_ring.pop(c->interleaved.data(), avail);
        const size_t frames = got / ch;
        c->mono.resize(frames);
        for (size_t f = 0; f < frames; ++f) {
            float sum = 0.0f;
            for (size_t k = 0; k < ch; ++k)
                sum += c->interleaved[f * ch + k];
            c->mono[f] = sum / float(ch);
        }
        const std::vector<float>* src = &c->mono;
        if (c->src) {
            c->resampled.resize(size_t(std::ceil(double(frames) * c->ratio)) + 64);
            SRC_DATA d{};
            d.data_in = c->mono.data();
            d.input_frames = long(frames);
            d.data_out = c->resampled.data();
            d.output_frames = long(c->resampled.size());
            d.src_ratio = c->ratio;
            d.end_of_input = 0;
            // SRC consumes all input when the output buffer is large enough; loop defensively.
            size_t produced = 0;
            while (d.input_frames > 0) {
                if (src_process(c->src, &d) != 0)
                    break;
                produced += size_t(d.output_frames_gen);
                d.data_in += d.input_frames_used;
                d.input_frames -= d.input_frames_used;
                d.data_out += d.output_frames_gen;
                d.output_frames -= d.output_frames_gen;
                if (d.input_frames_used == 0 && d.output_frames_gen == 0)
                    break;
            }
            c->resampled.resize(produced);
            src = &c->resampled;
        }
        // Grow geometrically: reserving exactly the new size reallocated and copied the whole
        // session (2 MB after a minute) on every drain, 4 ms of the GUI thread's 25 ms tick.
        const size_t need = out.size() + src->size();
        if (need > out.capacity())
            out.reserve(std::max(need, 2 * out.capacity()));
        for (float v : *src) {
            const float s = std::clamp(v, -1.0f, 1.0f) * 32767.0f;
            out.push_back(int16_t(std::lround(s)));
        }
        m_delivered += src->size();
    }

    if (!m_capturing || m_faultReported)
        return {};
    // Faults are reported only once the ring is empty, so no captured audio is lost.
    int fault = m_fault.load(std::memory_order_acquire);
    if (fault == 0)
        fault = int(pollFault());
    const auto now = std::chrono::steady_clock::now();
    const uint64_t frames = m_deviceFrames.load(std::memory_order_relaxed);
    if (frames != c->lastFrames) {
        c->lastFrames = frames;
        c->lastProgress = now;
    } else if (fault == 0 && now - c->lastProgress > std::chrono::milliseconds(2500)) {
        fault = int(DeviceFault::Stalled);
    }
    if (fault != 0 && m_ring.readAvailable() < ch) {
        m_faultReported = true;
        const Error e = faultError(DeviceFault(fault));
        abandonStream();
        m_capturing = false;
        return e;
    }
    return {};
}

} // namespace dw::audio
