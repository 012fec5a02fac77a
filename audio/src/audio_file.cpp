// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding with libsndfile and conversion to the clip format (16 kHz mono int16).
#include "dw/audio/import.h"
#include "dw/core/atomic_file.h"
#include "dw/core/names.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <unistd.h>

namespace dw::audio {
namespace fs = std::filesystem;

namespace {
struct SndfileCloser
{
    void operator()(SNDFILE* f) const { sf_close(f); }
};

std::string majorName(int format)
{
    switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
        return "WAV";
    case SF_FORMAT_WAVEX:
        return "WAV";
    case SF_FORMAT_W64:
        return "W64";
    case SF_FORMAT_RF64:
        return "RF64";
    case SF_FORMAT_AIFF:
        return "AIFF";
    case SF_FORMAT_AU:
        return "AU";
    case SF_FORMAT_FLAC:
        return "FLAC";
    case SF_FORMAT_OGG:
        return "Ogg";
    case SF_FORMAT_CAF:
        return "CAF";
    case SF_FORMAT_RAW:
        return "raw";
    default:
        break;
    }
    SF_FORMAT_INFO info{};
    info.format = format & SF_FORMAT_TYPEMASK;
    if (sf_command(nullptr, SFC_GET_FORMAT_MAJOR, &info, sizeof info) == 0 && info.name)
        return info.name;
    return "audio";
}

std::string subtypeName(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
        return "PCM 8-bit";
    case SF_FORMAT_PCM_U8:
        return "PCM 8-bit unsigned";
    case SF_FORMAT_PCM_16:
        return "PCM 16-bit";
    case SF_FORMAT_PCM_24:
        return "PCM 24-bit";
    case SF_FORMAT_PCM_32:
        return "PCM 32-bit";
    case SF_FORMAT_FLOAT:
        return "float 32-bit";
    case SF_FORMAT_DOUBLE:
        return "float 64-bit";
    case SF_FORMAT_ULAW:
        return "mu-law";
    case SF_FORMAT_ALAW:
        return "A-law";
    case SF_FORMAT_VORBIS:
        return "Vorbis";
    case SF_FORMAT_OPUS:
        return "Opus";
    default:
        return "encoded";
    }
}

// Avoids GCC 12's false -Wrestrict on `"literal" + std::string&&`.
std::string q(const fs::path& p)
{
    std::string s = "'";
    s += displayPath(p);
    s += "'";
    return s;
}

std::string channelsName(int ch)
{
    if (ch == 1)
        return "mono";
    if (ch == 2)
        return "stereo";
    return std::to_string(ch) + " channels";
}
} // namespace

bool DecodedAudio::converted() const
{
    return originalRate != sampleRate || originalChannels != 1 ||
           originalFormat.find("PCM 16-bit") == std::string::npos;
}

std::string DecodedAudio::conversionNote() const
{
    if (!converted())
        return {};
    return std::to_string(originalRate) + " Hz " + channelsName(originalChannels) + " " +
           originalFormat + " -> " + std::to_string(sampleRate) + " Hz mono PCM 16-bit";
}

const std::vector<std::string>& audioFileExtensions()
{
    static const std::vector<std::string> exts = {".wav",  ".wave", ".flac", ".ogg",  ".oga",
                                                  ".opus", ".aif",  ".aiff", ".aifc", ".au",
                                                  ".snd",  ".caf",  ".w64",  ".rf64", ".mp3"};
    return exts;
}

std::vector<int16_t> floatToPcm16(std::span<const float> in)
{
    std::vector<int16_t> out(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        float v = in[i];
        if (!std::isfinite(v))
            v = 0.0f;
        const long s = std::lround(double(v) * 32768.0);
        out[i] = int16_t(std::clamp<long>(s, -32768, 32767));
    }
    return out;
}

Result<std::vector<float>> resampleMono(std::span<const float> in, int fromRate, int toRate)
{
    if (fromRate <= 0 || toRate <= 0)
        return makeError("cannot resample from " + std::to_string(fromRate) + " Hz to " +
                             std::to_string(toRate) + " Hz",
                         "the file's sample rate is invalid");
    if (fromRate == toRate || in.empty())
        return std::vector<float>(in.begin(), in.end());
    const double ratio = double(toRate) / double(fromRate);
    if (src_is_valid_ratio(ratio) == 0)
        return makeError("cannot resample from " + std::to_string(fromRate) + " Hz to " +
                             std::to_string(toRate) + " Hz (ratio out of range)",
                         "convert the file to a common rate (8-96 kHz) first");
    std::vector<float> out(size_t(std::ceil(double(in.size()) * ratio)) + 64);
    SRC_DATA d{};
    d.data_in = in.data();
    d.input_frames = long(in.size());
    d.data_out = out.data();
    d.output_frames = long(out.size());
    d.src_ratio = ratio;
    d.end_of_input = 1;
    if (int err = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1); err != 0)
        return makeError(std::string("resampling failed: ") + src_strerror(err));
    out.resize(size_t(d.output_frames_gen));
    return out;
}

Result<DecodedAudio> decodeAudioFile(const fs::path& path, int targetRate)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        return makeError(q(path) + " does not exist", "check the path");
    // Only regular files: a FIFO named x.wav would block sf_open forever (issue 18). Opened
    // without blocking and checked on the open descriptor, so nothing swapped in can block.
    if (const std::string kind = nonRegularFileKind(path); !kind.empty())
        return makeError(q(path) + " is not a regular file (" + kind + ")",
                         "give an audio file (WAV, FLAC, Ogg, ...)");
    auto fd = openRegularFile(path, "an audio file (WAV, FLAC, Ogg, ...)");
    if (!fd)
        return fd.error();
    struct FdCloser
    {
        int fd;
        ~FdCloser() { ::close(fd); }
    } fdCloser{*fd};
    const auto bytes = fs::file_size(path, ec);
    if (!ec && bytes == 0)
        return makeError(q(path) + " is empty (0 bytes)", "re-record or re-export it");

    SF_INFO info{};
    // SF_FALSE: the descriptor is ours to close (after sf_close, declared later).
    std::unique_ptr<SNDFILE, SndfileCloser> f(sf_open_fd(*fd, SFM_READ, &info, SF_FALSE));
    if (!f)
        return makeError(q(path) + " is not a readable audio file (" + sf_strerror(nullptr) + ")",
                         "it may be corrupt or in a format libsndfile cannot read; "
                         "convert it to WAV or FLAC");
    if (info.frames <= 0)
        return makeError(q(path) + " holds no audio (0 samples)", "re-record or re-export it");
    if (info.channels <= 0 || info.samplerate <= 0)
        return makeError(q(path) + " has an invalid header (" + std::to_string(info.channels) +
                         " channels, " + std::to_string(info.samplerate) + " Hz)");

    DecodedAudio out;
    out.sampleRate = targetRate;
    out.originalRate = info.samplerate;
    out.originalChannels = info.channels;
    out.originalFormat = majorName(info.format) + " " + subtypeName(info.format);
    out.originalFrames = info.frames;

    const bool pcm16Mono = info.channels == 1 &&
                           (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16 &&
                           info.samplerate == targetRate;
    if (pcm16Mono) {
        // Fast path (the common case, and the 10-minute recording): no float round trip.
        out.samples.resize(size_t(info.frames));
        const sf_count_t got = sf_readf_short(f.get(), out.samples.data(), info.frames);
        if (got <= 0)
            return makeError(q(path) + " could not be decoded (" + sf_strerror(f.get()) + ")",
                             "it may be truncated or corrupt");
        out.samples.resize(size_t(got));
        return out;
    }

    const size_t ch = size_t(info.channels);
    std::vector<float> mono;
    mono.reserve(size_t(info.frames));
    std::vector<float> block(4096 * ch);
    for (;;) {
        const sf_count_t got = sf_readf_float(f.get(), block.data(), 4096);
        if (got <= 0)
            break;
        for (sf_count_t i = 0; i < got; ++i) {
            float sum = 0.0f;
            for (size_t c = 0; c < ch; ++c)
                sum += block[size_t(i) * ch + c];
            mono.push_back(sum / float(ch));
        }
    }
    if (mono.empty())
        return makeError(q(path) + " could not be decoded (" + sf_strerror(f.get()) + ")",
                         "it may be truncated or corrupt");
    auto rs = resampleMono(mono, info.samplerate, targetRate);
    if (!rs)
        return makeError(q(path) + ": " + rs.error().message, rs.error().hint);
    out.samples = floatToPcm16(*rs);
    return out;
}

} // namespace dw::audio
