// SPDX-License-Identifier: GPL-3.0-or-later
#include "dw/audio/fake_backend.h"
#include "dw/core/atomic_file.h"
#include "dw/core/names.h"

#include <sndfile.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <random>

namespace dw::audio {

FakeBackend::FakeBackend(std::vector<float> interleaved, FakeOptions options)
    : m_signal(std::move(interleaved)), m_options(std::move(options))
{}

FakeBackend::~FakeBackend()
{
    stopCapture();
}

Result<std::unique_ptr<FakeBackend>> FakeBackend::fromWav(const std::filesystem::path& path,
                                                          FakeOptions options)
{
    // Only regular files (a FIFO would block sf_open forever).
    auto fd = openRegularFile(path, "a WAV/FLAC/OGG file libsndfile can read");
    if (!fd)
        return fd.error();
    SF_INFO info{};
    SNDFILE* f = sf_open_fd(*fd, SFM_READ, &info, SF_FALSE);
    if (!f) {
        ::close(*fd);
        return makeError(std::string("cannot read audio file '") + displayPath(path) +
                             "': " + sf_strerror(nullptr),
                         "give a WAV/FLAC/OGG file libsndfile can read");
    }
    std::vector<float> data(size_t(info.frames) * size_t(info.channels));
    const sf_count_t got = sf_readf_float(f, data.data(), info.frames);
    sf_close(f);
    ::close(*fd);
    data.resize(size_t(std::max<sf_count_t>(got, 0)) * size_t(info.channels));
    options.sampleRate = info.samplerate;
    options.channels = info.channels;
    return std::make_unique<FakeBackend>(std::move(data), std::move(options));
}

Result<std::vector<DeviceInfo>> FakeBackend::listDevices()
{
    std::vector<DeviceInfo> out;
    if (m_options.noDevices)
        return out;
    DeviceInfo d;
    d.index = 0;
    d.name = m_options.deviceName;
    d.hostApi = "Fake";
    d.maxInputChannels = m_options.channels;
    d.maxOutputChannels = 1;
    d.defaultSampleRate = m_options.sampleRate;
    d.isDefaultInput = true;
    d.isDefaultOutput = true;
    out.push_back(d);
    return out;
}

Status FakeBackend::openStream(const CaptureConfig& config)
{
    if (m_options.noDevices)
        return defaultInputDevice().error();
    if (config.device != -1 && config.device != 0)
        return makeError("audio device " + std::to_string(config.device) + " does not exist",
                         "list the devices and pick one of them (the fake backend has device 0)");
    if (m_options.busy)
        return makeError("the audio device '" + m_options.deviceName + "' is busy",
                         "close the other program using it, or pick another device");
    prepareRing(m_options.sampleRate, m_options.channels, m_options.deviceName, config.ringSeconds);
    m_stop.store(false);
    m_failRequested.store(false);
    m_pushed.store(0);
    m_thread = std::thread([this] { run(); });
    return {};
}

void FakeBackend::closeStream()
{
    m_stop.store(true);
    if (m_thread.joinable())
        m_thread.join();
}

void FakeBackend::run()
{
    using Clock = std::chrono::steady_clock;
    const size_t ch = size_t(std::max(1, m_options.channels));
    const size_t block = size_t(std::max(1, m_options.blockFrames));
    const size_t totalFrames = m_signal.size() / ch;
    std::vector<float> buf(block * ch); // allocated before the clock starts
    const auto start = Clock::now();
    const double framesPerSecond = m_options.sampleRate * std::max(1e-3, m_options.speed);
    const uint64_t failAt = m_options.failAfterSeconds >= 0
                                ? uint64_t(m_options.failAfterSeconds * m_options.sampleRate)
                                : UINT64_MAX;
    uint64_t pos = 0;
    while (!m_stop.load(std::memory_order_relaxed)) {
        const auto due =
            start + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(double(pos + block) / framesPerSecond));
        std::this_thread::sleep_until(due);
        if (m_stop.load(std::memory_order_relaxed))
            break;
        size_t n = block;
        if (pos + n > failAt)
            n = size_t(failAt - pos);
        for (size_t f = 0; f < n; ++f) {
            uint64_t src = pos + f;
            if (m_options.loop && totalFrames > 0)
                src %= totalFrames;
            for (size_t k = 0; k < ch; ++k)
                buf[f * ch + k] = src < totalFrames ? m_signal[src * ch + k] : 0.0f;
        }
        if (n > 0)
            pushFrames(buf.data(), n);
        pos += n;
        m_pushed.store(pos, std::memory_order_relaxed);
        if (pos >= failAt || m_failRequested.load(std::memory_order_relaxed)) {
            raiseFault(DeviceFault::Vanished);
            break;
        }
    }
}

Status FakeBackend::play(std::span<const int16_t> samples, int sampleRate)
{
    if (m_options.noDevices)
        return makeError("no audio output device found (Fake)",
                         "connect headphones or speakers and retry");
    std::lock_guard lock(m_playMutex);
    m_played.assign(samples.begin(), samples.end());
    const double seconds = sampleRate > 0 ? double(samples.size()) / sampleRate : 0.0;
    m_playEnd = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(seconds / std::max(1e-3, m_options.speed)));
    return {};
}

void FakeBackend::stopPlayback()
{
    std::lock_guard lock(m_playMutex);
    m_playEnd = std::chrono::steady_clock::now();
}

bool FakeBackend::isPlaying() const
{
    std::lock_guard lock(m_playMutex);
    return std::chrono::steady_clock::now() < m_playEnd;
}

std::vector<int16_t> FakeBackend::lastPlayed() const
{
    std::lock_guard lock(m_playMutex);
    return m_played;
}

std::vector<float> FakeBackend::speechLike(double seconds, int rate, double firstOnset,
                                           double period, std::vector<double>* onsets,
                                           unsigned seed)
{
    const size_t n = size_t(std::max(0.0, seconds) * rate);
    std::vector<float> out(n);
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.003f);
    for (auto& v : out)
        v = noise(rng);
    if (onsets)
        onsets->clear();
    const double len = 0.45;
    std::uniform_real_distribution<double> pitchJitter(0.85, 1.2);
    for (double t0 = firstOnset; t0 + len <= seconds && period > 0; t0 += period) {
        if (onsets)
            onsets->push_back(t0);
        const double f0 = 130.0 * pitchJitter(rng);
        const size_t a = size_t(t0 * rate);
        const size_t b = std::min(n, size_t((t0 + len) * rate));
        for (size_t i = a; i < b; ++i) {
            const double t = double(i - a) / rate;
            // Raised-cosine envelope with a syllable-like dip in the middle.
            const double env = 0.5 * (1.0 - std::cos(2.0 * std::numbers::pi * t / len)) *
                               (0.75 + 0.25 * std::cos(2.0 * std::numbers::pi * 3.0 * t / len));
            const double f = f0 * (1.0 + 0.15 * std::sin(2.0 * std::numbers::pi * 2.0 * t));
            double s = 0.0;
            for (int h = 1; h <= 6; ++h)
                s += std::sin(2.0 * std::numbers::pi * f * h * t) / h;
            out[i] += float(0.35 * env * s);
        }
    }
    return out;
}

} // namespace dw::audio
