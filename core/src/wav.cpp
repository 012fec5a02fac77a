// SPDX-License-Identifier: GPL-3.0-or-later
// Minimal RIFF/WAVE reader and writer for the project's own clips (16-bit PCM, mono). Anything
// else (stereo, 24-bit, float, compressed) is refused with a message naming what the file holds,
// because converting is the importer's job (`dendrite import`, audio/ with libsndfile).
#include "dw/core/atomic_file.h"
#include "dw/core/names.h"
#include "dw/core/project.h"

#include <cstring>

namespace dw {

namespace {

constexpr const char* kImportHint =
    "convert it with `dendrite import` (it resamples to 16 kHz and mixes down to mono 16-bit PCM)";

uint16_t le16(const unsigned char* p)
{
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t le32(const unsigned char* p)
{
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
void put16(std::string& s, uint16_t v)
{
    s.push_back(static_cast<char>(v & 0xff));
    s.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& s, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string formatName(uint16_t tag)
{
    switch (tag) {
    case 1:
        return "PCM";
    case 3:
        return "IEEE float";
    case 6:
        return "A-law";
    case 7:
        return "mu-law";
    case 2:
        return "MS ADPCM";
    case 0x11:
        return "IMA ADPCM";
    case 0x55:
        return "MP3";
    default:
        return "format tag 0x" + [tag] {
            char b[8];
            std::snprintf(b, sizeof b, "%04x", tag);
            return std::string(b);
        }();
    }
}

std::string channelsName(int ch)
{
    if (ch == 1)
        return "mono";
    if (ch == 2)
        return "stereo";
    return std::to_string(ch) + "-channel";
}

} // namespace

Result<Audio> readWavPcm16(const std::filesystem::path& path)
{
    // Built with append: GCC 12's -Wrestrict misfires on "'" + std::string at -O3.
    std::string name(1, '\'');
    name.append(displayPath(path)).push_back('\'');
    // A FIFO would block the read forever, a folder is no WAV (readFile checks again on the
    // open file, so a path swapped in between cannot block either).
    if (const std::string kind = nonRegularFileKind(path); !kind.empty())
        return makeError(name + " is not a regular file (" + kind + ")", "give a WAV file", 3);
    auto bytes = readFile(path);
    if (!bytes) {
        Error e = bytes.error();
        e.code = 3;
        return e;
    }
    const std::string& b = *bytes;
    const auto* p = reinterpret_cast<const unsigned char*>(b.data());
    const size_t n = b.size();
    if (n < 12 || std::memcmp(p, "RIFF", 4) != 0 || std::memcmp(p + 8, "WAVE", 4) != 0)
        return makeError(name + " is not a WAV file (no RIFF/WAVE header)", kImportHint, 3);

    bool haveFmt = false;
    uint16_t tag = 0, channels = 0, bits = 0;
    uint32_t rate = 0;
    size_t pos = 12;
    while (pos + 8 <= n) {
        const unsigned char* c = p + pos;
        const uint32_t size = le32(c + 4);
        const size_t body = pos + 8;
        if (std::memcmp(c, "fmt ", 4) == 0) {
            if (size < 16 || body + 16 > n)
                return makeError(name + " has a truncated 'fmt ' chunk",
                                 "the file is damaged; re-export or re-record it", 3);
            tag = le16(p + body);
            channels = le16(p + body + 2);
            rate = le32(p + body + 4);
            bits = le16(p + body + 14);
            // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the GUID.
            if (tag == 0xFFFE && size >= 40 && body + 26 <= n)
                tag = le16(p + body + 24);
            haveFmt = true;
        } else if (std::memcmp(c, "data", 4) == 0) {
            if (!haveFmt)
                return makeError(name + " has its data before its 'fmt ' chunk",
                                 "the file is damaged; " + std::string(kImportHint), 3);
            const std::string what = channelsName(channels) + " " + std::to_string(bits) + "-bit " +
                                     formatName(tag) + " at " + std::to_string(rate) + " Hz";
            if (tag != 1 || bits != 16 || channels != 1)
                return makeError(name + " is " + what + "; clips must be mono 16-bit PCM WAV",
                                 kImportHint, 3);
            if (rate == 0)
                return makeError(name + " says its sample rate is 0 Hz",
                                 "the file is damaged; re-export or re-record it", 3);
            // Streaming writers leave the size at 0 or 0xFFFFFFFF: read what is there.
            size_t avail = n - body;
            size_t len = (size == 0 || size > avail) ? avail : size;
            len &= ~size_t(1);
            Audio a;
            a.sampleRate = static_cast<int>(rate);
            a.samples.resize(len / 2);
            for (size_t i = 0; i < a.samples.size(); ++i)
                a.samples[i] = static_cast<int16_t>(le16(p + body + 2 * i));
            return a;
        }
        // Chunks are word aligned: an odd size is followed by one pad byte.
        pos = body + size + (size & 1u);
    }
    return makeError(name + (haveFmt ? " has no 'data' chunk" : " has no 'fmt ' chunk"),
                     "the file is damaged or not a WAV file; " + std::string(kImportHint), 3);
}

Status writeWavPcm16(const std::filesystem::path& path, const Audio& audio)
{
    if (audio.sampleRate <= 0)
        return makeError("cannot write '" + path.string() + "': sample rate " +
                             std::to_string(audio.sampleRate) + " Hz is not positive",
                         "this is a bug: please report it");
    const uint64_t dataBytes = uint64_t(audio.samples.size()) * 2;
    if (dataBytes > 0xFFFFFFFFull - 36)
        return makeError("cannot write '" + path.string() +
                             "': " + std::to_string(audio.samples.size()) +
                             " samples exceed the 4 GiB "
                             "WAV limit",
                         "split the recording into shorter clips");
    std::string s;
    s.reserve(44 + dataBytes);
    s += "RIFF";
    put32(s, static_cast<uint32_t>(36 + dataBytes));
    s += "WAVEfmt ";
    put32(s, 16);
    put16(s, 1); // PCM
    put16(s, 1); // mono
    put32(s, static_cast<uint32_t>(audio.sampleRate));
    put32(s, static_cast<uint32_t>(audio.sampleRate) * 2); // byte rate
    put16(s, 2);                                           // block align
    put16(s, 16);                                          // bits per sample
    s += "data";
    put32(s, static_cast<uint32_t>(dataBytes));
    for (int16_t v : audio.samples)
        put16(s, static_cast<uint16_t>(v));
    return writeFileAtomic(path, s);
}

} // namespace dw
