// SPDX-License-Identifier: GPL-3.0-or-later
// Synthesised keyword dataset. Why each ingredient is there:
//  - many voices x voice variants x speed x pitch x intonation: the model must generalise over
//    speakers, and the split is by speaker, so test speakers are unseen (as in Speech Commands);
//  - confusable unknown words ("yet", "know", "cup", "town"...): keywords are not trivially told
//    apart from other speech;
//  - coloured noise, hum, band noise and babble at random SNR, random band limits and echoes:
//    without them a synthetic set is too clean and every model scores ~100 %.
#include "dw/audio/demo_data.h"

#include "dw/audio/import.h"
#include "dw/core/names.h"
#include "dw/core/project.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dw::audio {
namespace fs = std::filesystem;

namespace {
constexpr int kRate = 16000;
constexpr int kWindow = 16000;
constexpr double kPi = 3.14159265358979323846;

// ---- child processes -----------------------------------------------------------------------

// Runs argv (PATH lookup), returns its stdout. stderr goes to /dev/null. posix_spawn is safe in
// a multi-threaded process; the pipe is O_CLOEXEC so that a TTS process started concurrently by
// another worker never inherits this one's write end (which would delay EOF).
Result<std::string> runCapture(const std::vector<std::string>& argv, bool anyExitStatus = false)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return makeError(std::string("cannot create a pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return makeError("cannot run '" + argv[0] + "': " + std::strerror(rc),
                         "install it (Debian: apt-get install " + argv[0] + ")");
    }
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        out.append(buf, size_t(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!anyExitStatus && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        return makeError("'" + argv[0] + "' failed (exit status " +
                         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
    return out;
}

// ---- random numbers: portable (std distributions differ between standard libraries) --------

struct Rng
{
    std::mt19937_64 g;
    explicit Rng(uint64_t seed) : g(seed) {}
    double uniform() { return double(g() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    int below(int n) { return int(uniform() * n) % std::max(1, n); }
    bool chance(double p) { return uniform() < p; }
    double normal()
    {
        const double u1 = std::max(1e-300, uniform());
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
    }
};

uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t streamSeed(uint64_t seed, uint64_t stream, uint64_t index)
{
    return mix64(mix64(seed) ^ mix64(stream * 0x100000001b3ull + index));
}

// ---- TTS -------------------------------------------------------------------------------------

struct Speaker
{
    bool flite = false;
    std::string voice;   // espeak-ng language voice ("en-us") or flite voice ("slt")
    std::string variant; // espeak-ng variant ("m3"), may be empty
    std::string name() const
    {
        if (flite)
            return "flite:" + voice;
        return "espeak-ng:" + voice + (variant.empty() ? "" : "+" + variant);
    }
};

struct SpeakParams
{
    Speaker speaker;
    std::string text;
    int speed = 170; // words per minute (espeak-ng -s); flite: duration stretch = 170 / speed
    int pitch = 50;  // 0-99 (espeak-ng -p); flite: mean f0 = 70 + pitch * 1.5 Hz
    int gap = 0;     // word gap, 10 ms units (espeak-ng -g)
};

// Parses a RIFF/WAVE byte string (espeak-ng --stdout streams one with unknown sizes).
Result<std::vector<float>> parseWav(const std::string& b, int& rate)
{
    auto le32 = [&](size_t p) {
        return uint32_t(uint8_t(b[p])) | uint32_t(uint8_t(b[p + 1])) << 8 |
               uint32_t(uint8_t(b[p + 2])) << 16 | uint32_t(uint8_t(b[p + 3])) << 24;
    };
    auto le16 = [&](size_t p) { return uint16_t(uint8_t(b[p]) | uint8_t(b[p + 1]) << 8); };
    if (b.size() < 44 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0)
        return makeError("the TTS output is not a WAV stream");
    size_t p = 12;
    int channels = 1, bits = 16;
    rate = 0;
    while (p + 8 <= b.size()) {
        const std::string id = b.substr(p, 4);
        uint32_t size = le32(p + 4);
        p += 8;
        if (id == "fmt " && p + 16 <= b.size()) {
            channels = le16(p + 2);
            rate = int(le32(p + 4));
            bits = le16(p + 14);
        } else if (id == "data") {
            if (bits != 16 || channels < 1 || rate <= 0)
                return makeError("unexpected TTS WAV format");
            const size_t avail = b.size() - p;
            const size_t bytes = std::min<size_t>(size, avail);
            const size_t frames = bytes / (2 * size_t(channels));
            std::vector<float> out(frames);
            for (size_t i = 0; i < frames; ++i) {
                const size_t q = p + i * 2 * size_t(channels);
                out[i] = float(int16_t(le16(q))) / 32768.0f;
            }
            return out;
        }
        p += size + (size & 1u);
    }
    return makeError("the TTS output has no audio data");
}

Result<std::vector<float>> speak(const SpeakParams& sp, const fs::path& tmpDir, uint64_t tag)
{
    std::vector<float> audio;
    int rate = 0;
    if (!sp.speaker.flite) {
        const std::string voice =
            sp.speaker.voice + (sp.speaker.variant.empty() ? "" : "+" + sp.speaker.variant);
        auto out = runCapture({"espeak-ng", "-v", voice, "-s", std::to_string(sp.speed), "-p",
                               std::to_string(sp.pitch), "-g", std::to_string(sp.gap), "--stdout",
                               sp.text});
        if (!out)
            return out.error();
        auto w = parseWav(*out, rate);
        if (!w)
            return w.error();
        audio = std::move(*w);
    } else {
        const fs::path tmp = tmpDir / ("flite-" + std::to_string(tag) + ".wav");
        char stretch[32], f0[32];
        std::snprintf(stretch, sizeof stretch, "duration_stretch=%.3f", 170.0 / sp.speed);
        std::snprintf(f0, sizeof f0, "int_f0_target_mean=%d", 70 + sp.pitch * 3 / 2);
        auto out = runCapture({"flite", "-voice", sp.speaker.voice, "--setf", stretch, "--setf", f0,
                               "-t", sp.text, "-o", tmp.string()});
        if (!out)
            return out.error();
        auto d = decodeAudioFile(tmp, kRate);
        std::error_code ec;
        fs::remove(tmp, ec);
        if (!d)
            return d.error();
        audio.resize(d->samples.size());
        for (size_t i = 0; i < audio.size(); ++i)
            audio[i] = float(d->samples[i]) / 32768.0f;
        rate = kRate;
    }
    auto rs = resampleMono(audio, rate, kRate);
    if (!rs)
        return rs.error();
    // Trim the TTS's leading and trailing silence (keep 20 ms), so the random placement in the
    // window is what decides where the word sits.
    std::vector<float>& x = *rs;
    float peak = 0.0f;
    for (float v : x)
        peak = std::max(peak, std::fabs(v));
    if (peak < 1e-4f)
        return makeError("the TTS produced silence for '" + sp.text + "'");
    const float thr = std::max(1e-3f, 0.02f * peak);
    size_t b = 0, e = x.size();
    while (b < e && std::fabs(x[b]) < thr)
        ++b;
    while (e > b && std::fabs(x[e - 1]) < thr)
        --e;
    const size_t margin = kRate / 50;
    b = b > margin ? b - margin : 0;
    e = std::min(x.size(), e + margin);
    std::vector<float> trimmed(x.begin() + long(b), x.begin() + long(e));
    if (trimmed.size() > size_t(kWindow) - 400) {
        const size_t off = (trimmed.size() - (kWindow - 400)) / 2;
        trimmed = std::vector<float>(trimmed.begin() + long(off),
                                     trimmed.begin() + long(off) + (kWindow - 400));
    }
    return trimmed;
}

// ---- signal helpers --------------------------------------------------------------------------

double rms(const std::vector<float>& x, size_t b = 0, size_t e = SIZE_MAX)
{
    e = std::min(e, x.size());
    if (e <= b)
        return 0.0;
    double s = 0.0;
    for (size_t i = b; i < e; ++i)
        s += double(x[i]) * x[i];
    return std::sqrt(s / double(e - b));
}

void normaliseRms(std::vector<float>& x)
{
    const double r = rms(x);
    if (r > 1e-12)
        for (auto& v : x)
            v = float(v / r);
}

enum class NoiseType
{
    White,
    Pink,
    Brown,
    Hum,
    Band,
    Babble
};
const char* noiseName(NoiseType t)
{
    switch (t) {
    case NoiseType::White:
        return "white";
    case NoiseType::Pink:
        return "pink";
    case NoiseType::Brown:
        return "brown";
    case NoiseType::Hum:
        return "hum";
    case NoiseType::Band:
        return "band";
    case NoiseType::Babble:
        return "babble";
    }
    return "white";
}
constexpr int kNoiseTypes = 6;

std::vector<float> makeNoise(NoiseType type, Rng& r, const std::vector<std::vector<float>>& pool)
{
    std::vector<float> x(kWindow, 0.0f);
    switch (type) {
    case NoiseType::White:
        for (auto& v : x)
            v = float(r.normal());
        break;
    case NoiseType::Pink: {
        // Paul Kellet's economy pink filter.
        double b0 = 0, b1 = 0, b2 = 0;
        for (auto& v : x) {
            const double w = r.normal();
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            v = float(b0 + b1 + b2 + w * 0.1848);
        }
        break;
    }
    case NoiseType::Brown: {
        double b = 0;
        for (auto& v : x) {
            b = 0.995 * b + 0.1 * r.normal();
            v = float(b);
        }
        break;
    }
    case NoiseType::Hum: {
        const double f0 = (r.chance(0.5) ? 50.0 : 60.0) * r.uniform(0.99, 1.01);
        double amp[8], ph[8];
        for (int k = 0; k < 8; ++k) {
            amp[k] = r.uniform(0.0, 1.0) / (k + 1);
            ph[k] = r.uniform(0.0, 2 * kPi);
        }
        for (size_t i = 0; i < x.size(); ++i) {
            double v = 0.0;
            for (int k = 0; k < 8; ++k)
                v += amp[k] * std::sin(2 * kPi * f0 * (k + 1) * double(i) / kRate + ph[k]);
            x[i] = float(v + 0.03 * r.normal());
        }
        break;
    }
    case NoiseType::Band: {
        // Fan / engine / running water: white noise through a resonant band-pass (RBJ biquad),
        // with a slow amplitude wobble.
        const double fc = std::exp(r.uniform(std::log(150.0), std::log(3000.0)));
        const double q = r.uniform(0.5, 4.0);
        const double w0 = 2 * kPi * fc / kRate, alpha = std::sin(w0) / (2 * q);
        const double a0 = 1 + alpha, b0 = alpha / a0, b2 = -alpha / a0;
        const double a1 = -2 * std::cos(w0) / a0, a2 = (1 - alpha) / a0;
        const double wob = r.uniform(0.2, 3.0), depth = r.uniform(0.0, 0.5);
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double in = r.normal();
            const double y = b0 * in + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = in;
            y2 = y1;
            y1 = y;
            x[i] = float(y * (1.0 + depth * std::sin(2 * kPi * wob * double(i) / kRate)));
        }
        break;
    }
    case NoiseType::Babble: {
        // Several other words, overlapping, at random offsets: "people talking in the room".
        const int talkers = 3 + r.below(4);
        for (int t = 0; t < talkers && !pool.empty(); ++t) {
            const auto& u = pool[size_t(r.below(int(pool.size())))];
            const double g = r.uniform(0.3, 1.0);
            const long off = long(r.uniform(-0.5, 1.0) * kWindow);
            for (size_t i = 0; i < u.size(); ++i) {
                const long j = off + long(i);
                if (j >= 0 && j < kWindow)
                    x[size_t(j)] += float(g * u[i]);
            }
        }
        for (auto& v : x)
            v += float(0.01 * r.normal());
        break;
    }
    }
    normaliseRms(x);
    return x;
}

// Background: one noise type, sometimes two mixed. Returns RMS 1 and the types used.
// Behind a word, babble is left out: other words at equal loudness would make the label a lie.
std::vector<float> makeBackground(Rng& r, const std::vector<std::vector<float>>& pool,
                                  std::string& what, bool behindWord = false)
{
    const int types = behindWord ? kNoiseTypes - 1 : kNoiseTypes; // Babble is the last type
    const auto t1 = NoiseType(r.below(types));
    auto x = makeNoise(t1, r, pool);
    what = noiseName(t1);
    if (r.chance(0.4)) {
        const auto t2 = NoiseType(r.below(types));
        const auto y = makeNoise(t2, r, pool);
        const double g = std::pow(10.0, r.uniform(-12.0, 0.0) / 20.0);
        for (size_t i = 0; i < x.size(); ++i)
            x[i] += float(g * y[i]);
        normaliseRms(x);
        what += std::string("+") + noiseName(t2);
    }
    return x;
}

// Channel: random band limits (cheap microphones, phone lines) and a short echo (a room).
void applyChannel(std::vector<float>& x, Rng& r)
{
    if (r.chance(0.4)) {
        const double fc = r.uniform(2500.0, 7000.0);
        const double a = std::exp(-2 * kPi * fc / kRate);
        double y = 0;
        for (auto& v : x) {
            y = (1 - a) * v + a * y;
            v = float(y);
        }
    }
    if (r.chance(0.4)) {
        const double fc = r.uniform(60.0, 400.0);
        const double a = std::exp(-2 * kPi * fc / kRate);
        double prevIn = 0, y = 0;
        for (auto& v : x) {
            y = a * (y + v - prevIn);
            prevIn = v;
            v = float(y);
        }
    }
    if (r.chance(0.15)) {
        const size_t d = size_t(r.uniform(300.0, 1500.0));
        const double g = r.uniform(0.15, 0.45);
        for (size_t i = d; i < x.size(); ++i)
            x[i] += float(g * x[i - d]);
    }
}

std::vector<int16_t> finish(std::vector<float>& x, Rng& r)
{
    float peak = 0.0f;
    for (float v : x)
        peak = std::max(peak, std::fabs(v));
    const double target = std::pow(10.0, r.uniform(-18.0, -1.0) / 20.0);
    const double g = peak > 1e-9f ? target / peak : 0.0;
    for (auto& v : x)
        v = float(v * g);
    return floatToPcm16(x);
}

// ---- the word lists --------------------------------------------------------------------------

const std::vector<std::string> kPunctuation = {"", ".", "!", "?", ","};

std::vector<std::string> listVariants()
{
    // Names in column 5 ("!v/m3"); the ones with spaces in their file name are left out.
    std::vector<std::string> out;
    auto text = runCapture({"espeak-ng", "--voices=variant"});
    if (!text)
        return out;
    std::istringstream in(*text);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        const auto pos = line.find("!v/");
        if (pos == std::string::npos)
            continue;
        std::string rest = line.substr(pos + 3);
        std::string name = rest.substr(0, rest.find(' '));
        // A file name with a space ("Mr serious") shows as two words followed by more text.
        const std::string after = rest.substr(name.size());
        const auto firstNonSpace = after.find_first_not_of(' ');
        if (firstNonSpace != std::string::npos && after[firstNonSpace] != '(')
            continue;
        // Only the natural-sounding variants: with all ~100 (whisper, croak, robots, demons) the
        // set tested voice effects rather than words and the baseline could not fit even its
        // training split (0.55 test). Measured with this list: see README.
        static const char* const kNatural[] = {"m1", "m2",    "m3",     "m4",    "m5", "m6",
                                               "m7", "m8",    "f1",     "f2",    "f3", "f4",
                                               "f5", "klatt", "klatt2", "klatt3"};
        bool natural = false;
        for (const char* c : kNatural)
            natural = natural || name == c;
        if (natural)
            out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> listEnglishVoices()
{
    // Language column of `espeak-ng --voices=en`, eSpeak's own voices only (gmw/...): the MBROLA
    // ones need voice data that Debian does not install by default.
    std::vector<std::string> out;
    auto text = runCapture({"espeak-ng", "--voices=en"});
    if (!text)
        return out;
    std::istringstream in(*text);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string pty, lang, ageGender, name, file;
        f >> pty >> lang >> ageGender >> name >> file;
        if (file.rfind("gmw/", 0) == 0 && !lang.empty())
            out.push_back(lang);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string firstLine(const std::string& s)
{
    std::string l = s.substr(0, s.find('\n'));
    if (auto p = l.find("  Data at"); p != std::string::npos)
        l = l.substr(0, p);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r'))
        l.pop_back();
    return l;
}

struct Produced
{
    std::vector<int16_t> samples;
    std::string source;
    std::string identity;
    std::optional<Error> error;
};

} // namespace

const std::vector<std::string>& demoLabels()
{
    static const std::vector<std::string> l = {"yes", "no",  "up",   "down", "left",    "right",
                                               "on",  "off", "stop", "go",   "unknown", "noise"};
    return l;
}

const std::vector<std::string>& demoUnknownWords()
{
    // Speech Commands' auxiliary words, plus near-misses of the keywords (the hard negatives).
    static const std::vector<std::string> w = {
        "bed",       "bird",   "cat",    "dog",   "eight",   "five",   "four",    "happy",
        "house",     "marvin", "nine",   "one",   "seven",   "sheila", "six",     "three",
        "tree",      "two",    "wow",    "zero",  "learn",   "follow", "forward", "backward",
        "visual",    "yet",    "yeah",   "know",  "now",     "cup",    "town",    "lift",
        "write",     "light",  "own",    "of",    "top",     "shop",   "goal",    "dawn",
        "left over", "yellow", "window", "water", "morning", "table",  "music",   "orange"};
    return w;
}

namespace {
std::string trimmed(const std::string& s)
{
    const size_t a = s.find_first_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, s.find_last_not_of(" \t") - a + 1);
}
} // namespace

Result<std::vector<std::string>> parseKeywords(const std::string& list)
{
    const std::string allowed = "letters a-z, spaces, hyphens and apostrophes";
    std::vector<std::string> out;
    size_t from = 0;
    for (;;) {
        const size_t comma = list.find(',', from);
        const std::string w =
            list.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        // Trimmed, runs of spaces folded, lower-cased.
        std::string k;
        for (char ch : w) {
            const auto c = static_cast<unsigned char>(ch);
            if (std::isspace(c)) {
                if (!k.empty() && k.back() != ' ')
                    k += ' ';
                continue;
            }
            if (!(c < 128 && std::isalpha(c)) && c != '-' && c != '\'')
                return makeError("keyword '" + escapeInvalidUtf8(trimmed(w)) + "' holds '" +
                                     escapeInvalidUtf8(std::string(1, ch)) +
                                     "', which the synthesiser cannot be trusted to speak",
                                 "use " + allowed + " (write numbers as words: \"five\")", 2);
            k += char(std::tolower(c));
        }
        while (!k.empty() && k.back() == ' ')
            k.pop_back();
        if (k.empty())
            return makeError(list.find_first_not_of(" \t,") == std::string::npos
                                 ? std::string("no keyword given")
                                 : "an empty keyword in '" + escapeInvalidUtf8(list) + "'",
                             "write one or more comma-separated keywords, e.g. --keywords "
                             "\"hello world\" or --keywords \"on, off\"",
                             2);
        const std::string label = keywordLabel(k);
        if (label.find_first_not_of("_") == std::string::npos)
            return makeError("keyword '" + k + "' has no letters", "use " + allowed, 2);
        if (label == "unknown" || label == "noise")
            return makeError("'" + k +
                                 "' is a reserved label (every keyword project has unknown and "
                                 "noise)",
                             "choose another keyword", 2);
        for (const auto& prev : out)
            if (keywordLabel(prev) == label)
                return makeError("keyword '" + k + "' is given twice", "list each keyword once", 2);
        if (label.size() > 40)
            return makeError("keyword '" + k + "' is longer than 40 characters",
                             "a keyword is a word or a short phrase", 2);
        out.push_back(k);
        if (comma == std::string::npos)
            break;
        from = comma + 1;
    }
    if (out.size() > 20)
        return makeError(std::to_string(out.size()) + " keywords is more than 20",
                         "a keyword spotter on a board has a handful of classes; give at most 20",
                         2);
    return out;
}

std::string keywordLabel(const std::string& keyword)
{
    std::string l;
    for (char c : keyword) {
        if (c == '\'')
            continue;
        l += (c == ' ' || c == '-') ? '_' : c;
    }
    return l;
}

Result<DemoDataResult> createDemoProject(const DemoDataOptions& opt,
                                         const std::function<void(int, int)>& progress)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (opt.perClass < 1 || opt.perClass > 100000)
        return makeError("--per-class " + std::to_string(opt.perClass) + " is out of range",
                         "use 1 to 100000 clips per class (default 300)", 2);
    if (!(opt.snrMinDb <= opt.snrMaxDb))
        return makeError("the SNR range is empty", "give a minimum below the maximum", 2);

    auto version = runCapture({"espeak-ng", "--version"});
    if (!version)
        return makeError("espeak-ng is not installed or does not run",
                         "install it: apt-get install espeak-ng (run.sh does this)");
    DemoDataResult result;
    result.espeakVersion = firstLine(*version);

    const auto voices = listEnglishVoices();
    auto variants = listVariants();
    if (voices.empty())
        return makeError("espeak-ng lists no English voices",
                         "reinstall espeak-ng-data (apt-get install --reinstall espeak-ng-data)");
    variants.insert(variants.begin(), std::string()); // the voice's own default
    std::vector<Speaker> speakers;
    for (const auto& v : voices)
        for (const auto& var : variants)
            speakers.push_back({false, v, var});
    std::vector<Speaker> fliteSpeakers;
    if (opt.useFlite) {
        if (auto fv = runCapture({"flite", "--version"}, true);
            fv && fv->find("flite") != std::string::npos) {
            for (const char* v : {"kal", "kal16", "awb", "rms", "slt"})
                fliteSpeakers.push_back({true, v, {}});
            std::string l = *fv;
            if (auto p = l.find("version:"); p != std::string::npos)
                l = l.substr(p + 9);
            result.fliteVersion = firstLine(l);
        }
    }
    for (const auto& v : voices)
        result.voices.push_back("espeak-ng:" + v);
    for (const auto& s : fliteSpeakers)
        result.voices.push_back(s.name());

    // Labels and the words spoken for them: the 12-class demo, or the user's keywords plus
    // unknown (other words, never a keyword) and noise.
    std::vector<std::string> labels = demoLabels();
    std::vector<std::string> spoken = labels;
    std::vector<std::string> unknownWords = demoUnknownWords();
    if (!opt.keywords.empty()) {
        labels.clear();
        spoken.clear();
        std::set<std::string> taken;
        for (const auto& k : opt.keywords) {
            labels.push_back(keywordLabel(k));
            spoken.push_back(k);
            taken.insert(k);
        }
        labels.insert(labels.end(), {"unknown", "noise"});
        spoken.insert(spoken.end(), {"unknown", "noise"});
        std::vector<std::string> others;
        for (const auto& l : demoLabels())
            if (l != "unknown" && l != "noise" && !taken.count(l))
                others.push_back(l);
        for (const auto& w : demoUnknownWords())
            if (!taken.count(w))
                others.push_back(w);
        unknownWords = std::move(others);
    }

    auto proj = Project::create(opt.out, labels);
    if (!proj)
        return proj.error();
    Project& project = *proj;
    project.setAutoSave(false);

    std::error_code ec;
    const fs::path tmpDir =
        fs::temp_directory_path(ec) / ("dendrite-demo-" + std::to_string(::getpid()));
    fs::create_directories(tmpDir, ec);

    const int jobs =
        opt.jobs > 0 ? opt.jobs : std::max(1, int(std::thread::hardware_concurrency()));
    const int nLabels = int(labels.size());
    const int total = nLabels * opt.perClass;

    auto pickSpeaker = [&](Rng& r) -> Speaker {
        if (!fliteSpeakers.empty() && r.chance(0.12))
            return fliteSpeakers[size_t(r.below(int(fliteSpeakers.size())))];
        return speakers[size_t(r.below(int(speakers.size())))];
    };
    auto pickParams = [&](Rng& r, const std::string& word) {
        SpeakParams sp;
        sp.speaker = pickSpeaker(r);
        sp.text = word + kPunctuation[size_t(r.below(int(kPunctuation.size())))];
        sp.speed = 130 + r.below(71);
        sp.pitch = 15 + r.below(71);
        sp.gap = r.below(11);
        return sp;
    };

    // Babble material: a pool of other words, generated first (in parallel too).
    const int poolSize = 48;
    std::vector<std::vector<float>> pool(poolSize);
    {
        std::atomic<int> next{0};
        std::vector<std::thread> th;
        for (int t = 0; t < jobs; ++t)
            th.emplace_back([&] {
                for (int i = next++; i < poolSize; i = next++) {
                    Rng r(streamSeed(opt.seed, 1, uint64_t(i)));
                    const auto& w = unknownWords[size_t(r.below(int(unknownWords.size())))];
                    auto sp = pickParams(r, w);
                    sp.speaker = speakers[size_t(r.below(int(speakers.size())))];
                    auto a = speak(sp, tmpDir, uint64_t(1000000 + i));
                    if (a) {
                        normaliseRms(*a);
                        pool[size_t(i)] = std::move(*a);
                    }
                }
            });
        for (auto& t : th)
            t.join();
        pool.erase(
            std::remove_if(pool.begin(), pool.end(), [](const auto& v) { return v.empty(); }),
            pool.end());
    }

    // One clip: everything derives from (seed, index), so the order of work does not matter.
    auto produce = [&](int index) -> Produced {
        Produced p;
        const std::string& label = labels[size_t(index % nLabels)];
        for (int attempt = 0; attempt < 4; ++attempt) {
            Rng r(streamSeed(opt.seed, 2 + uint64_t(attempt) * 1000003ull, uint64_t(index)));
            std::vector<float> x(kWindow, 0.0f);
            std::string bgName;
            if (label == "noise") {
                x = makeBackground(r, pool, bgName);
                if (r.chance(0.3)) {
                    // A knock or a click: noise has transients too, not only steady hiss.
                    const size_t at = size_t(r.uniform(0.0, kWindow - 1600.0));
                    const double len = r.uniform(100.0, 1200.0), g = r.uniform(1.0, 6.0);
                    for (size_t i = 0; i < 1600; ++i)
                        x[at + i] += float(g * r.normal() * std::exp(-double(i) / len));
                    bgName += "+transient";
                }
                applyChannel(x, r);
                p.source = "synthetic noise: " + bgName;
                p.identity = "noise-" + std::to_string(index);
            } else {
                const std::string word =
                    label == "unknown" ? unknownWords[size_t(r.below(int(unknownWords.size())))]
                                       : spoken[size_t(index % nLabels)];
                const SpeakParams sp = pickParams(r, word);
                auto a = speak(sp, tmpDir, uint64_t(index) * 8 + uint64_t(attempt));
                if (!a) {
                    p.error = a.error();
                    continue;
                }
                std::vector<float>& s = *a;
                normaliseRms(s);
                // Random time shift: anywhere the whole word fits in the window.
                const size_t off = size_t(r.uniform(0.0, double(kWindow - s.size())));
                for (size_t i = 0; i < s.size(); ++i)
                    x[off + i] = s[i];
                const double snr = r.uniform(opt.snrMinDb, opt.snrMaxDb);
                auto bg = makeBackground(r, pool, bgName, true);
                const double g = 1.0 / std::pow(10.0, snr / 20.0); // speech RMS is 1
                for (size_t i = 0; i < x.size(); ++i)
                    x[i] += float(g * bg[i]);
                applyChannel(x, r);
                char buf[160];
                std::snprintf(buf, sizeof buf, " \"%s\" s%d p%d g%d, %s noise at %.1f dB SNR",
                              sp.text.c_str(), sp.speed, sp.pitch, sp.gap, bgName.c_str(), snr);
                p.source = sp.speaker.name() + buf;
                // The split identity is the speaker: test speakers are unseen in training.
                p.identity = sp.speaker.name();
            }
            p.samples = finish(x, r);
            p.error.reset();
            return p;
        }
        return p;
    };

    // Workers fill slots; this thread writes them in index order (byte-identical projects).
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::optional<Produced>> slots(static_cast<size_t>(total));
    std::atomic<int> next{0};
    int written = 0;
    bool stop = false;
    const int ahead = 256; // bounded look-ahead keeps memory small
    std::vector<std::thread> workers;
    for (int t = 0; t < jobs; ++t) {
        workers.emplace_back([&] {
            for (;;) {
                const int i = next++;
                if (i >= total)
                    return;
                {
                    std::unique_lock lk(m);
                    cv.wait(lk, [&] { return stop || i < written + ahead; });
                    if (stop)
                        return;
                }
                Produced p = (opt.cancel && opt.cancel->load()) ? Produced{} : produce(i);
                if (opt.cancel && opt.cancel->load() && !p.error)
                    p.error = makeError("cancelled");
                std::lock_guard lk(m);
                slots[size_t(i)] = std::move(p);
                cv.notify_all();
            }
        });
    }

    std::optional<Error> failure;
    std::vector<int> perLabelCount(size_t(nLabels), 0);
    for (int i = 0; i < total; ++i) {
        Produced p;
        {
            std::unique_lock lk(m);
            cv.wait(lk, [&] { return slots[size_t(i)].has_value(); });
            p = std::move(*slots[size_t(i)]);
            slots[size_t(i)].reset();
        }
        if (p.error) {
            if (!(opt.cancel && opt.cancel->load()))
                failure = *p.error;
            break;
        }
        const int li = i % nLabels;
        char hint[64];
        std::snprintf(hint, sizeof hint, "%s_%05d", labels[size_t(li)].c_str(),
                      perLabelCount[size_t(li)]++);
        auto c = project.addClip(labels[size_t(li)], p.samples, p.source, p.identity, hint);
        if (!c) {
            failure = c.error();
            break;
        }
        {
            std::lock_guard lk(m);
            written = i + 1;
        }
        cv.notify_all();
        ++result.clips;
        if (progress)
            progress(i + 1, total);
    }
    {
        std::lock_guard lk(m);
        stop = true;
    }
    cv.notify_all();
    for (auto& t : workers)
        t.join();
    fs::remove_all(tmpDir, ec);

    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.counts = project.counts();

    nlohmann::json prov;
    prov["generator"] = "dendrite demo-data";
    prov["seed"] = opt.seed;
    prov["per_class"] = opt.perClass;
    prov["clips"] = result.clips;
    prov["complete"] = result.clips == total;
    prov["espeak_ng_version"] = result.espeakVersion;
    prov["espeak_ng_voices"] = voices;
    std::vector<std::string> variantNames(variants.begin() + 1, variants.end());
    prov["espeak_ng_variants"] = variantNames;
    prov["flite_version"] = result.fliteVersion;
    std::vector<std::string> fl;
    for (const auto& s : fliteSpeakers)
        fl.push_back(s.voice);
    prov["flite_voices"] = fl;
    prov["speed_wpm"] = {130, 200};
    prov["pitch"] = {15, 85};
    prov["word_gap_10ms"] = {0, 10};
    prov["snr_db"] = {opt.snrMinDb, opt.snrMaxDb};
    prov["noise_types"] = {"white", "pink", "brown", "hum", "band", "babble"};
    prov["channel"] = "random low-pass 2.5-7 kHz (40 %), high-pass 60-400 Hz (40 %), "
                      "echo 19-94 ms (15 %); peak -18..-1 dBFS";
    prov["time_shift"] = "uniform: the whole word anywhere in the 1 s window";
    prov["split_identity"] = "speaker (voice+variant); noise clips: clip index";
    prov["unknown_words"] = unknownWords;
    if (!opt.keywords.empty())
        prov["keywords"] = opt.keywords;
    prov["babble_pool"] = int(pool.size());
    nlohmann::json counts;
    for (const auto& [l, c] : result.counts)
        counts[l] = {{"train", c[0]}, {"validation", c[1]}, {"test", c[2]}};
    prov["counts"] = counts;
    prov["seconds"] = std::round(result.seconds * 10.0) / 10.0;
    prov["jobs"] = jobs;
    project.setProvenanceJson(prov.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (auto s = project.save(); !s)
        return s.error();
    if (failure)
        return *failure;
    return result;
}

} // namespace dw::audio
