// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/audio/portaudio_backend.h"

#include <portaudio.h>

#ifdef DW_HAVE_ALSA
#include <alsa/asoundlib.h>
#endif

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace dw::audio {

namespace {

#ifdef DW_HAVE_ALSA
void silentAlsaHandler(const char*, int, const char*, int, const char*, ...) {}
#endif

bool verbose()
{
    const char* v = std::getenv("DW_AUDIO_VERBOSE");
    return v && *v && std::string(v) != "0";
}

// Redirects fd 2 to /dev/null for its lifetime (JACK prints "Cannot connect to server" from
// inside Pa_Initialize, with no PortAudio hook to silence it). Process-wide: kept short.
class StderrSilencer
{
public:
    StderrSilencer()
    {
        if (verbose())
            return;
        std::fflush(stderr);
        m_saved = ::dup(2);
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (m_saved >= 0 && null >= 0)
            ::dup2(null, 2);
        if (null >= 0)
            ::close(null);
    }
    ~StderrSilencer()
    {
        if (m_saved < 0)
            return;
        std::fflush(stderr);
        ::dup2(m_saved, 2);
        ::close(m_saved);
    }
    StderrSilencer(const StderrSilencer&) = delete;
    StderrSilencer& operator=(const StderrSilencer&) = delete;

private:
    int m_saved = -1;
};

Status initialisePortAudio()
{
#ifdef DW_HAVE_ALSA
    if (!verbose())
        snd_lib_error_set_handler(&silentAlsaHandler);
#endif
    StderrSilencer quiet;
    const PaError err = Pa_Initialize();
    if (err != paNoError)
        return makeError(std::string("cannot initialise PortAudio: ") + Pa_GetErrorText(err),
                         "check the audio system (ALSA/JACK); run with DW_AUDIO_VERBOSE=1 for "
                         "the driver's messages");
    return {};
}

std::string hostErrorText(PaError err)
{
    std::string s = Pa_GetErrorText(err);
    if (err == paUnanticipatedHostError) {
        if (const PaHostErrorInfo* h = Pa_GetLastHostErrorInfo(); h && h->errorText)
            s += std::string(": ") + h->errorText;
    }
    return s;
}

bool isBusy(PaError err)
{
    if (err == paDeviceUnavailable)
        return true;
    if (err == paUnanticipatedHostError) {
        const PaHostErrorInfo* h = Pa_GetLastHostErrorInfo();
        return h && (h->errorCode == -EBUSY || h->errorCode == EBUSY);
    }
    return false;
}

} // namespace

struct PortAudioBackend::Impl {
    bool initialised = false;
    PaStream* capture = nullptr;
    std::atomic<bool> stopping{false};
    PaStream* playback = nullptr;
    std::vector<float> playBuffer;
    std::atomic<size_t> playPos{0};
    int channels = 1;
    bool captureIsJack = false;
    std::vector<PaStream*> abandoned; // dead JACK streams PortAudio cannot close without hanging
};

PortAudioBackend::PortAudioBackend() : m_impl(std::make_unique<Impl>()) {}

Result<std::unique_ptr<PortAudioBackend>> PortAudioBackend::create()
{
    if (auto s = initialisePortAudio(); !s)
        return s.error();
    std::unique_ptr<PortAudioBackend> b(new PortAudioBackend());
    b->m_impl->initialised = true;
    return b;
}

PortAudioBackend::~PortAudioBackend()
{
    stopCapture();
    stopPlayback();
    // Pa_Terminate would try to close an abandoned stream and block forever: leak instead.
    if (m_impl->initialised && m_impl->abandoned.empty())
        Pa_Terminate();
}

Status PortAudioBackend::rescan()
{
    if (isCapturing() || m_impl->playback)
        return makeError("cannot rescan audio devices while recording or playing",
                         "stop recording/playback first");
    if (!m_impl->abandoned.empty())
        return makeError("cannot rescan audio devices after the JACK server vanished "
                         "mid-recording",
                         "restart the program to use audio devices again");
    if (m_impl->initialised) {
        Pa_Terminate();
        m_impl->initialised = false;
    }
    if (auto s = initialisePortAudio(); !s)
        return s;
    m_impl->initialised = true;
    return {};
}

Result<std::vector<DeviceInfo>> PortAudioBackend::listDevices()
{
    const PaDeviceIndex count = Pa_GetDeviceCount();
    if (count < 0)
        return makeError("cannot list audio devices: " + hostErrorText(count),
                         "check the audio system (ALSA/JACK) and retry");
    const PaDeviceIndex defIn = Pa_GetDefaultInputDevice();
    const PaDeviceIndex defOut = Pa_GetDefaultOutputDevice();
    std::vector<DeviceInfo> out;
    for (PaDeviceIndex i = 0; i < count; ++i) {
        const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
        if (!info)
            continue;
        DeviceInfo d;
        d.index = i;
        d.name = info->name ? info->name : "?";
        if (const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi); api && api->name)
            d.hostApi = api->name;
        d.maxInputChannels = info->maxInputChannels;
        d.maxOutputChannels = info->maxOutputChannels;
        d.defaultSampleRate = info->defaultSampleRate;
        d.isDefaultInput = i == defIn;
        d.isDefaultOutput = i == defOut;
        out.push_back(std::move(d));
    }
    return out;
}

int PortAudioBackend::onCapture(const void* input, unsigned long frames, unsigned long flags,
                                void* self)
{
    // Real-time thread: copy, count, return. Nothing else.
    auto* b = static_cast<PortAudioBackend*>(self);
    if (flags & paInputOverflow)
        b->reportOverflow(1);
    if (input)
        b->pushFrames(static_cast<const float*>(input), frames);
    return paContinue;
}

void PortAudioBackend::onCaptureFinished(void* self)
{
    auto* b = static_cast<PortAudioBackend*>(self);
    if (!b->m_impl->stopping.load(std::memory_order_acquire))
        b->raiseFault(DeviceFault::Vanished);
}

Status PortAudioBackend::openStream(const CaptureConfig& config)
{
    if (!m_impl->initialised)
        return makeError("PortAudio is not initialised", "restart the program");
    PaDeviceIndex dev = config.device;
    if (dev < 0) {
        auto def = defaultInputDevice();
        if (!def)
            return def.error();
        dev = *def;
    }
    const PaDeviceIndex count = Pa_GetDeviceCount();
    const PaDeviceInfo* info = dev < count ? Pa_GetDeviceInfo(dev) : nullptr;
    if (!info)
        return makeError("audio device " + std::to_string(dev) + " does not exist",
                         "list the devices (dendrite record --list-devices) and pick one");
    const std::string devName = info->name ? info->name : "?";
    if (info->maxInputChannels <= 0)
        return makeError("audio device " + std::to_string(dev) + " ('" + devName +
                             "') has no input channels",
                         "pick an input device (a microphone)");

    // Prefer mono at the requested rate; fall back to the device's rate and 1-2 channels.
    PaStreamParameters p{};
    p.device = dev;
    p.sampleFormat = paFloat32;
    p.suggestedLatency = info->defaultLowInputLatency;
    struct Try {
        int channels;
        double rate;
    };
    const int maxCh = std::min(2, info->maxInputChannels);
    const Try tries[] = {{1, double(config.sampleRate)},
                         {maxCh, double(config.sampleRate)},
                         {1, info->defaultSampleRate},
                         {maxCh, info->defaultSampleRate}};
    PaError lastErr = paInvalidSampleRate;
    for (const Try& t : tries) {
        p.channelCount = t.channels;
        lastErr = Pa_IsFormatSupported(&p, nullptr, t.rate);
        if (lastErr != paFormatIsSupported)
            continue;
        prepareRing(int(std::lround(t.rate)), t.channels, devName, config.ringSeconds);
        m_impl->stopping.store(false);
        PaStream* stream = nullptr;
        auto cb = [](const void* in, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                     PaStreamCallbackFlags flags, void* self) -> int {
            return PortAudioBackend::onCapture(in, frames, flags, self);
        };
        PaError err;
        {
            StderrSilencer quiet;
            err = Pa_OpenStream(&stream, &p, nullptr, t.rate, unsigned(config.framesPerBuffer),
                                paClipOff, cb, this);
        }
        if (err != paNoError) {
            if (isBusy(err))
                return makeError("the audio device '" + devName + "' is busy (" +
                                     hostErrorText(err) + ")",
                                 "close the other program using it, or pick another device");
            return makeError("cannot open audio device '" + devName + "': " + hostErrorText(err),
                             "pick another device, or check that it is connected");
        }
        Pa_SetStreamFinishedCallback(stream, [](void* self) {
            PortAudioBackend::onCaptureFinished(self);
        });
        err = Pa_StartStream(stream);
        if (err != paNoError) {
            Pa_CloseStream(stream);
            if (isBusy(err))
                return makeError("the audio device '" + devName + "' is busy",
                                 "close the other program using it, or pick another device");
            return makeError("cannot start audio device '" + devName + "': " +
                                 hostErrorText(err),
                             "pick another device, or check that it is connected");
        }
        m_impl->capture = stream;
        const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
        m_impl->captureIsJack = api && api->type == paJACK;
        return {};
    }
    if (isBusy(lastErr))
        return makeError("the audio device '" + devName + "' is busy",
                         "close the other program using it, or pick another device");
    return makeError("audio device '" + devName + "' supports none of the tried formats (" +
                         hostErrorText(lastErr) + ")",
                     "pick another device");
}

void PortAudioBackend::closeStream()
{
    if (!m_impl->capture)
        return;
    m_impl->stopping.store(true, std::memory_order_release);
    Pa_AbortStream(m_impl->capture); // fails harmlessly if the device already vanished
    Pa_CloseStream(m_impl->capture);
    m_impl->capture = nullptr;
}

void PortAudioBackend::abandonStream()
{
    if (!m_impl->capture)
        return;
    if (!m_impl->captureIsJack) {
        closeStream();
        return;
    }
    // PortAudio's JACK host API waits for a process callback that never comes once the server
    // is gone (Pa_AbortStream/Pa_CloseStream block forever): keep the dead stream, never touch it.
    m_impl->stopping.store(true, std::memory_order_release);
    m_impl->abandoned.push_back(m_impl->capture);
    m_impl->capture = nullptr;
}

DeviceFault PortAudioBackend::pollFault()
{
    if (!m_impl->capture)
        return DeviceFault::None;
    const PaError active = Pa_IsStreamActive(m_impl->capture);
    if (active == 1)
        return DeviceFault::None;
    return active == 0 ? DeviceFault::Vanished : DeviceFault::HostError;
}

Status PortAudioBackend::play(std::span<const int16_t> samples, int sampleRate)
{
    stopPlayback();
    const PaDeviceIndex dev = Pa_GetDefaultOutputDevice();
    if (dev == paNoDevice)
        return makeError("no audio output device found (PortAudio)",
                         "connect headphones or speakers, or start JACK, and retry");
    const PaDeviceInfo* info = Pa_GetDeviceInfo(dev);
    m_impl->playBuffer.resize(samples.size());
    for (size_t i = 0; i < samples.size(); ++i)
        m_impl->playBuffer[i] = float(samples[i]) / 32768.0f;
    m_impl->playPos.store(0);
    PaStreamParameters p{};
    p.device = dev;
    p.channelCount = 1;
    p.sampleFormat = paFloat32;
    p.suggestedLatency = info ? info->defaultHighOutputLatency : 0.1;
    auto cb = [](const void*, void* out, unsigned long frames, const PaStreamCallbackTimeInfo*,
                 PaStreamCallbackFlags, void* self) -> int {
        auto* impl = static_cast<Impl*>(self);
        auto* o = static_cast<float*>(out);
        const size_t pos = impl->playPos.load(std::memory_order_relaxed);
        const size_t n = std::min<size_t>(frames, impl->playBuffer.size() - pos);
        std::copy_n(impl->playBuffer.data() + pos, n, o);
        std::fill(o + n, o + frames, 0.0f);
        impl->playPos.store(pos + n, std::memory_order_release);
        return pos + n >= impl->playBuffer.size() ? paComplete : paContinue;
    };
    PaStream* stream = nullptr;
    PaError err;
    {
        StderrSilencer quiet;
        err = Pa_OpenStream(&stream, nullptr, &p, sampleRate, 512, paClipOff, cb, m_impl.get());
    }
    if (err == paNoError)
        err = Pa_StartStream(stream);
    if (err != paNoError) {
        if (stream)
            Pa_CloseStream(stream);
        return makeError("cannot play audio: " + hostErrorText(err),
                         "check the output device (the device may not support " +
                             std::to_string(sampleRate) + " Hz)");
    }
    m_impl->playback = stream;
    return {};
}

void PortAudioBackend::stopPlayback()
{
    if (!m_impl->playback)
        return;
    Pa_AbortStream(m_impl->playback);
    Pa_CloseStream(m_impl->playback);
    m_impl->playback = nullptr;
}

bool PortAudioBackend::isPlaying() const
{
    return m_impl->playback && Pa_IsStreamActive(m_impl->playback) == 1;
}

} // namespace dw::audio
