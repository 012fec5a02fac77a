// SPDX-License-Identifier: GPL-3.0-or-later
// Edge Impulse compatible MFCC / MFE, step by step as kws-pipeline.md section 2. The golden
// numbers in tests/data/mfcc come from tools/mfcc_reference.py, an independent numpy version of
// the same text; runtime/dw_mfcc.c is the C99 twin that ships to boards.
#include "dw/core/features.h"
#include "dw/core/hash.h"

#include "mfcc_fft.h"

#include "dw_mfcc.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <numbers>

namespace dw {

namespace {

constexpr int kMaxFrames = 500;
constexpr int kMinFft = 16;
constexpr int kMaxFft = 4096;
constexpr int kMaxFilters = 512;
constexpr int kMaxCepstral = 512;
constexpr int kMaxWin = 1001;
constexpr double kMaxFrameSeconds = 10.0;
constexpr int kMinRate = 1000;
constexpr int kMaxRate = 192000;
constexpr double kFloor = 1e-10; // spec: a zero energy becomes 1e-10; also the std epsilon
constexpr int kUsageCode = 2;    // dw::cli::kUsage: a bad value given by the user

// Natural log of n positive, normal, finite floats (the floored mel energies) in a loop that
// compilers vectorise: exponent from the bits, mantissa folded into [sqrt(1/2), sqrt(2)], log(m) =
// 2 atanh(t) with t = (m - 1) / (m + 1), |t| <= 0.172, odd series to t^11. Within 2e-6 of
// std::log over 1e-10 .. 1e9 (the features' tolerance is 1e-3); replaces 32 calls per frame.
void logPositive(float* v, int n)
{
    for (int i = 0; i < n; ++i) {
        uint32_t bits;
        std::memcpy(&bits, &v[i], sizeof bits);
        uint32_t mb = (bits & 0x7fffffu) | 0x3f800000u;  // the mantissa as a float in [1, 2)
        const uint32_t big = mb > 0x3fb504f3u ? 1u : 0u; // above sqrt(2): halve it
        mb -= big << 23;
        const int32_t e = int32_t(bits >> 23) - 127 + int32_t(big);
        float m;
        std::memcpy(&m, &mb, sizeof m);
        const float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
        const float s =
            t *
            (2.0f + t2 * (2.0f / 3 +
                          t2 * (2.0f / 5 + t2 * (2.0f / 7 + t2 * (2.0f / 9 + t2 * (2.0f / 11))))));
        v[i] = s + float(e) * 0.693147180559945f;
    }
}

const char* const kNames[] = {"kind",          "window",         "num_cepstral", "frame_length",
                              "frame_stride",  "num_filters",    "fft_length",   "win_size",
                              "low_frequency", "high_frequency", "pre_cof",      "sample_rate"};

std::string fmt(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.10g", v);
    return b;
}

Error bad(const std::string& message, const std::string& hint)
{
    return makeError(message, hint, kUsageCode);
}

bool isPowerOfTwo(int v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

// Spec "round": half away from zero, the same as tools/mfcc_reference.py's floor(x + 0.5).
int roundSamples(double seconds, int rate)
{
    return static_cast<int>(std::floor(seconds * rate + 0.5));
}

double effectiveHigh(const FeatureConfig& c)
{
    return c.high_frequency > 0 ? c.high_frequency : c.sample_rate / 2.0;
}

double hzToMel(double hz)
{
    return 1127.0 * std::log(1.0 + hz / 700.0);
}
double melToHz(double mel)
{
    return 700.0 * (std::exp(mel / 1127.0) - 1.0);
}

// Checks one parameter on its own (ranges); combinations are checked in validate().
Status checkField(const FeatureConfig& c, const std::string& name)
{
    auto intRange = [&](int v, int lo, int hi, const char* unit = "") -> Status {
        if (v < lo || v > hi)
            return bad(name + " " + std::to_string(v) + unit +
                           (v < 0 ? " is negative" : " is out of range"),
                       "allowed " + std::to_string(lo) + ".." + std::to_string(hi) + unit);
        return {};
    };
    auto seconds = [&](double v) -> Status {
        if (!std::isfinite(v) || v <= 0 || v > kMaxFrameSeconds)
            return bad(name + " " + fmt(v) + " s" +
                           (v < 0    ? " is negative"
                            : v == 0 ? " is zero"
                                     : " is out of range"),
                       "allowed more than 0 and at most " + fmt(kMaxFrameSeconds) +
                           " seconds, e.g. 0.02");
        if (c.sample_rate < kMinRate || c.sample_rate > kMaxRate)
            return {}; // reported as a sample_rate error
        const int n = roundSamples(v, c.sample_rate);
        if (n < 1)
            return bad(name + " " + fmt(v) + " s is shorter than one sample at " +
                           std::to_string(c.sample_rate) + " Hz",
                       "allowed at least " + fmt(1.0 / c.sample_rate) + " s");
        return {};
    };
    if (name == "kind") {
        if (c.kind != "mfcc" && c.kind != "mfe")
            return bad("kind '" + c.kind + "' is unknown", "allowed mfcc or mfe");
    } else if (name == "window") {
        if (c.window != "none" && c.window != "hann")
            return bad("window '" + c.window + "' is unknown", "allowed none or hann");
    } else if (name == "num_cepstral") {
        return intRange(c.num_cepstral, 1, kMaxCepstral);
    } else if (name == "frame_length") {
        return seconds(c.frame_length);
    } else if (name == "frame_stride") {
        return seconds(c.frame_stride);
    } else if (name == "num_filters") {
        return intRange(c.num_filters, 2, kMaxFilters);
    } else if (name == "fft_length") {
        if (!isPowerOfTwo(c.fft_length) || c.fft_length < kMinFft || c.fft_length > kMaxFft)
            return bad("fft_length " + std::to_string(c.fft_length) +
                           (c.fft_length < 0              ? " is negative"
                            : !isPowerOfTwo(c.fft_length) ? " is not a power of two"
                                                          : " is out of range"),
                       "allowed a power of two from " + std::to_string(kMinFft) + " to " +
                           std::to_string(kMaxFft) + ", e.g. 256 or 512");
    } else if (name == "win_size") {
        if (c.win_size < 0 || c.win_size > kMaxWin)
            return bad("win_size " + std::to_string(c.win_size) +
                           (c.win_size < 0 ? " is negative" : " is out of range"),
                       "allowed 0 (no normalisation) or an odd number of frames 1.." +
                           std::to_string(kMaxWin) + ", e.g. 101");
        if (c.win_size != 0 && c.win_size % 2 == 0)
            return bad("win_size " + std::to_string(c.win_size) + " is even",
                       "allowed 0 (no normalisation) or an odd number of frames 1.." +
                           std::to_string(kMaxWin) + ", e.g. " + std::to_string(c.win_size + 1));
    } else if (name == "low_frequency" || name == "high_frequency") {
        const double v = name == "low_frequency" ? c.low_frequency : c.high_frequency;
        if (!std::isfinite(v) || v < 0 || v > c.sample_rate / 2.0)
            return bad(name + " " + fmt(v) + " Hz" +
                           (v < 0 ? " is negative" : " is above half the sample rate"),
                       "allowed 0.." + fmt(c.sample_rate / 2.0) + " Hz" +
                           (name == "high_frequency" ? " (0 means half the sample rate)" : ""));
    } else if (name == "pre_cof") {
        if (!std::isfinite(c.pre_cof) || c.pre_cof < 0 || c.pre_cof > 1)
            return bad("pre_cof " + fmt(c.pre_cof) +
                           (c.pre_cof < 0 ? " is negative" : " is out of range"),
                       "allowed 0 (no pre-emphasis) to 1, e.g. 0.98");
    } else if (name == "sample_rate") {
        return intRange(c.sample_rate, kMinRate, kMaxRate, " Hz");
    }
    return {};
}

// Sparse triangular filters over the power spectrum bins (spec step 6).
struct FilterBank
{
    int bins = 0;
    std::vector<int> first;  // first bin of filter i
    std::vector<int> offset; // into weights; filter i has offset[i+1]-offset[i] weights
    std::vector<float> weights;
    int emptyFilter = -1; // index of the first all-zero filter, -1 if none
};

FilterBank buildFilterBank(const FeatureConfig& c)
{
    FilterBank fb;
    fb.bins = c.fft_length / 2 + 1;
    const int nf = c.num_filters;
    const double lo = hzToMel(c.low_frequency);
    const double hi = hzToMel(effectiveHigh(c));
    std::vector<int> index(nf + 2);
    for (int i = 0; i < nf + 2; ++i) {
        // numpy.linspace: lo + i*step, with the last point exactly hi.
        const double mel = i == nf + 1 ? hi : lo + i * ((hi - lo) / (nf + 1));
        double hz = melToHz(mel);
        if (i == nf + 1)
            hz -= 0.001;
        index[i] = static_cast<int>(std::floor((c.fft_length + 1) * hz / c.sample_rate));
    }
    fb.first.resize(nf);
    fb.offset.assign(nf + 1, 0);
    for (int i = 0; i < nf; ++i) {
        const int left = index[i], mid = index[i + 1], right = index[i + 2];
        int first = -1, last = -1;
        auto value = [&](int b) {
            if (b > left && b <= mid)
                return double(b - left) / (mid - left);
            if (b >= mid && b < right)
                return double(right - b) / (right - mid);
            return 0.0;
        };
        for (int b = std::max(0, left); b <= std::min(fb.bins - 1, right); ++b) {
            if (value(b) != 0) {
                if (first < 0)
                    first = b;
                last = b;
            }
        }
        if (first < 0) {
            if (fb.emptyFilter < 0)
                fb.emptyFilter = i;
            first = 0;
            last = -1;
        }
        fb.first[i] = first;
        for (int b = first; b <= last; ++b)
            fb.weights.push_back(static_cast<float>(value(b)));
        fb.offset[i + 1] = static_cast<int>(fb.weights.size());
    }
    return fb;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// FeatureConfig

Status FeatureConfig::set(const std::string& name, const std::string& value)
{
    FeatureConfig c = *this;
    auto asInt = [&](int& out) -> Status {
        int v = 0;
        const char* b = value.data();
        const char* e = b + value.size();
        auto r = std::from_chars(b, e, v);
        if (value.empty() || r.ec != std::errc() || r.ptr != e)
            return bad(name + " '" + value + "' is not a whole number",
                       "write for example --set " + name + "=" + std::to_string(out));
        out = v;
        return {};
    };
    auto asDouble = [&](double& out) -> Status {
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v))
            return bad(name + " '" + value + "' is not a number",
                       "write for example --set " + name + "=" + fmt(out));
        out = v;
        return {};
    };
    Status parsed;
    if (name == "kind")
        c.kind = value;
    else if (name == "window")
        c.window = value;
    else if (name == "num_cepstral")
        parsed = asInt(c.num_cepstral);
    else if (name == "frame_length")
        parsed = asDouble(c.frame_length);
    else if (name == "frame_stride")
        parsed = asDouble(c.frame_stride);
    else if (name == "num_filters")
        parsed = asInt(c.num_filters);
    else if (name == "fft_length")
        parsed = asInt(c.fft_length);
    else if (name == "win_size")
        parsed = asInt(c.win_size);
    else if (name == "low_frequency")
        parsed = asDouble(c.low_frequency);
    else if (name == "high_frequency")
        parsed = asDouble(c.high_frequency);
    else if (name == "pre_cof")
        parsed = asDouble(c.pre_cof);
    else if (name == "sample_rate")
        parsed = asInt(c.sample_rate);
    else {
        std::string list;
        for (const char* n : kNames)
            list += (list.empty() ? "" : ", ") + std::string(n);
        return bad("unknown feature parameter '" + name + "'", "known parameters: " + list);
    }
    if (!parsed)
        return parsed;
    if (auto s = checkField(c, name); !s)
        return s;
    *this = std::move(c);
    return {};
}

Status FeatureConfig::validate(int samples) const
{
    if (auto s = checkField(*this, "sample_rate"); !s)
        return s;
    for (const char* n : kNames)
        if (auto s = checkField(*this, n); !s)
            return s;
    const double nyquist = sample_rate / 2.0;
    const double high = effectiveHigh(*this);
    if (low_frequency >= high)
        return bad("low_frequency " + fmt(low_frequency) + " Hz is not below high_frequency " +
                       fmt(high) + " Hz",
                   "allowed low_frequency 0.." + fmt(high) +
                       " Hz (exclusive), or raise "
                       "high_frequency (at most " +
                       fmt(nyquist) + ")");
    if (kind == "mfcc" && num_cepstral > num_filters)
        return bad("num_cepstral " + std::to_string(num_cepstral) + " is more than num_filters " +
                       std::to_string(num_filters),
                   "allowed num_cepstral 1.." + std::to_string(num_filters) +
                       " (or raise num_filters)");
    const FilterBank fb = buildFilterBank(*this);
    if (fb.emptyFilter >= 0) {
        int maxOk = 0;
        for (int nf = num_filters - 1; nf >= 2 && maxOk == 0; --nf) {
            FeatureConfig t = *this;
            t.num_filters = nf;
            if (buildFilterBank(t).emptyFilter < 0)
                maxOk = nf;
        }
        return bad("num_filters " + std::to_string(num_filters) + " is too many for fft_length " +
                       std::to_string(fft_length) + " between " + fmt(low_frequency) + " and " +
                       fmt(high) + " Hz: mel filter " + std::to_string(fb.emptyFilter) +
                       " covers no FFT bin",
                   maxOk > 0 ? "allowed num_filters 2.." + std::to_string(maxOk) +
                                   " here, or raise fft_length"
                             : "raise fft_length or widen low_frequency..high_frequency");
    }
    const int L = roundSamples(frame_length, sample_rate);
    const int S = roundSamples(frame_stride, sample_rate);
    if (samples < 1)
        return bad("the clip has " + std::to_string(samples) + " samples",
                   "features need a clip of at least one frame (" + std::to_string(L) +
                       " samples)");
    if (L > samples)
        return bad("frame_length " + fmt(frame_length) + " s (" + std::to_string(L) +
                       " samples) is longer than the clip (" + std::to_string(samples) +
                       " samples)",
                   "allowed frame_length up to " + fmt(double(samples) / sample_rate) + " s");
    const int frames = (samples - L) / S + 1;
    if (frames > kMaxFrames) {
        const double minStride = double(samples - L) / (kMaxFrames - 1) / sample_rate;
        return bad("frame_stride " + fmt(frame_stride) + " s gives " + std::to_string(frames) +
                       " frames for a clip of " + std::to_string(samples) + " samples",
                   "at most " + std::to_string(kMaxFrames) +
                       " frames are allowed: use "
                       "frame_stride >= " +
                       fmt(std::ceil(minStride * 1e5) / 1e5) + " s");
    }
    return {};
}

std::string FeatureConfig::toJson() const
{
    nlohmann::json j;
    j["kind"] = kind;
    j["window"] = window;
    j["num_cepstral"] = num_cepstral;
    j["frame_length"] = frame_length;
    j["frame_stride"] = frame_stride;
    j["num_filters"] = num_filters;
    j["fft_length"] = fft_length;
    j["win_size"] = win_size;
    j["low_frequency"] = low_frequency;
    j["high_frequency"] = high_frequency;
    j["pre_cof"] = pre_cof;
    j["sample_rate"] = sample_rate;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<FeatureConfig> FeatureConfig::fromJson(const std::string& json,
                                              std::vector<std::string>* skipped)
{
    nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError("feature configuration is not a JSON object",
                         "write it as {\"num_cepstral\": 13, ...}", 3);
    FeatureConfig c;
    for (const auto& [key, v] : j.items()) {
        std::string text;
        if (v.is_string())
            text = v.get<std::string>();
        else if (v.is_number())
            text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        else {
            Error e =
                makeError("feature parameter '" + key +
                              "' has a value that is not a number "
                              "or a string: " +
                              v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                          "fix it in the configuration, e.g. \"" + key + "\": 13", 3);
            if (!skipped)
                return e;
            skipped->push_back(e.message + ": kept the default");
            continue;
        }
        // A whole-number double such as 13.0 for an int parameter is fine.
        if (v.is_number_float() &&
            (key == "num_cepstral" || key == "num_filters" || key == "fft_length" ||
             key == "win_size" || key == "sample_rate")) {
            const double d = v.get<double>();
            if (d == std::floor(d) && std::abs(d) < 1e9)
                text = std::to_string(static_cast<long long>(d));
        }
        if (auto s = c.set(key, text); !s) {
            Error e = s.error();
            e.code = 3;
            if (!skipped)
                return e;
            skipped->push_back(e.text() + ": kept the default");
        }
    }
    return c;
}

std::string FeatureConfig::hash() const
{
    // FNV-1a 64 of the canonical JSON (keys sorted, shortest round-trip numbers). The basis is
    // one digit short of FNV's offset basis since the first release; it is kept because it
    // names the feature caches and runs already on users' disks.
    return hex64(fnv1a64(toJson(), 1469598103934665603ull));
}

int FeatureConfig::frameCount(int samples) const
{
    // Out-of-range fields (set directly, not through set()) must not overflow the rounding.
    if (sample_rate <= 0 || sample_rate > kMaxRate || !(frame_length > 0) || !(frame_stride > 0) ||
        frame_length > kMaxFrameSeconds || frame_stride > kMaxFrameSeconds)
        return 0;
    const int L = roundSamples(frame_length, sample_rate);
    const int S = roundSamples(frame_stride, sample_rate);
    if (L < 1 || S < 1 || samples < L)
        return 0;
    return (samples - L) / S + 1;
}

int FeatureConfig::coefficientCount() const
{
    return kind == "mfe" ? num_filters : num_cepstral;
}

Status FeatureConfig::toRuntime(dw_mfcc_config& out) const
{
    // Config-level rules only: a 1 s clip, or one frame if frames are longer than that.
    const bool sane = frame_length > 0 && frame_length <= kMaxFrameSeconds && sample_rate > 0 &&
                      sample_rate <= kMaxRate;
    if (auto s = validate(std::max(16000, sane ? roundSamples(frame_length, sample_rate) : 0)); !s)
        return s;
    dw_mfcc_config r{};
    r.kind = kind == "mfe" ? DW_MFCC_KIND_MFE : DW_MFCC_KIND_MFCC;
    r.window = window == "hann" ? DW_MFCC_WINDOW_HANN : DW_MFCC_WINDOW_NONE;
    r.num_cepstral = num_cepstral;
    r.frame_length = static_cast<float>(frame_length);
    r.frame_stride = static_cast<float>(frame_stride);
    r.num_filters = num_filters;
    r.fft_length = fft_length;
    r.win_size = win_size;
    r.low_frequency = static_cast<float>(low_frequency);
    r.high_frequency = static_cast<float>(high_frequency);
    r.pre_cof = static_cast<float>(pre_cof);
    r.sample_rate = sample_rate;
    // The runtime rounds float seconds: make sure it lands on the same sample counts.
    auto runtimeSamples = [&](float s) { return static_cast<int>(double(s) * sample_rate + 0.5); };
    if (runtimeSamples(r.frame_length) != roundSamples(frame_length, sample_rate) ||
        runtimeSamples(r.frame_stride) != roundSamples(frame_stride, sample_rate))
        return bad("frame_length " + fmt(frame_length) + " / frame_stride " + fmt(frame_stride) +
                       " s sit on a half-sample boundary at " + std::to_string(sample_rate) +
                       " Hz, which float and double round differently",
                   "pick a length that is a whole number of samples, e.g. 0.02");
    out = r;
    return {};
}

std::string FeatureConfig::runtimeInitializer() const
{
    auto f = [](double v) {
        std::string s = fmt(v);
        if (s.find_first_of(".eEn") == std::string::npos)
            s += ".0";
        return s + "f";
    };
    return std::string("{") + (kind == "mfe" ? "DW_MFCC_KIND_MFE" : "DW_MFCC_KIND_MFCC") + ", " +
           (window == "hann" ? "DW_MFCC_WINDOW_HANN" : "DW_MFCC_WINDOW_NONE") + ", " +
           std::to_string(num_cepstral) + ", " + f(frame_length) + ", " + f(frame_stride) + ", " +
           std::to_string(num_filters) + ", " + std::to_string(fft_length) + ", " +
           std::to_string(win_size) + ", " + f(low_frequency) + ", " + f(high_frequency) + ", " +
           f(pre_cof) + ", " + std::to_string(sample_rate) + "}";
}

// ---------------------------------------------------------------------------------------------
// MfccExtractor

struct MfccExtractor::Impl
{
    FeatureConfig cfg;
    bool mfcc = true;
    int L = 0, S = 0, M = 0; // frame, stride, samples that enter the FFT
    int coeffs = 0;
    int samples = -1, frames = 0;
    float preCof = 0;
    detail::RealFft fft;
    FilterBank fb;
    std::vector<float> window; // [M], empty for "none"
    int coeffsPadded = 0;      // coeffs rounded up to a multiple of 8
    std::vector<float> dct;    // [num_filters][coeffsPadded], transposed, zero padded (mfcc)
    std::vector<float> acc;    // [coeffsPadded]
    std::vector<float> frame;  // [fft_length], zero tail
    std::vector<float> power;  // [bins]
    std::vector<float> logMel; // [num_filters]
    // Normalisation (step 8), sized by plan().
    std::vector<int> sym; // padded position -> frame
    std::vector<double> v, m, p1, p2;

    explicit Impl(const FeatureConfig& c) : cfg(c), fft(c.fft_length) {}

    void plan(int n)
    {
        samples = n;
        frames = cfg.frameCount(n);
        if (cfg.win_size > 0 && frames > 0) {
            const int pad = (cfg.win_size - 1) / 2;
            const int total = frames + 2 * pad;
            sym.resize(total);
            // numpy.pad(mode="symmetric") repeated as needed: the infinite mirror extension
            // with period 2*frames (edge frame included in each mirror).
            for (int j = 0; j < total; ++j) {
                int i = (j - pad) % (2 * frames);
                if (i < 0)
                    i += 2 * frames;
                sym[j] = i < frames ? i : 2 * frames - 1 - i;
            }
            v.resize(frames);
            m.resize(frames);
            p1.resize(total + 1);
            p2.resize(total + 1);
        }
    }

    void normalise(float* out)
    {
        const int win = cfg.win_size;
        const int total = static_cast<int>(sym.size());
        const double inv = 1.0 / win;
        for (int c = 0; c < coeffs; ++c) {
            for (int f = 0; f < frames; ++f)
                v[f] = out[size_t(f) * coeffs + c];
            p1[0] = 0;
            for (int j = 0; j < total; ++j)
                p1[j + 1] = p1[j] + v[sym[j]];
            for (int f = 0; f < frames; ++f)
                m[f] = v[f] - (p1[f + win] - p1[f]) * inv;
            p1[0] = p2[0] = 0;
            for (int j = 0; j < total; ++j) {
                const double x = m[sym[j]];
                p1[j + 1] = p1[j] + x;
                p2[j + 1] = p2[j] + x * x;
            }
            for (int f = 0; f < frames; ++f) {
                const double mean = (p1[f + win] - p1[f]) * inv;
                const double var = std::max(0.0, (p2[f + win] - p2[f]) * inv - mean * mean);
                out[size_t(f) * coeffs + c] = static_cast<float>(m[f] / (std::sqrt(var) + kFloor));
            }
        }
    }
};

MfccExtractor::MfccExtractor() = default;
MfccExtractor::MfccExtractor(MfccExtractor&& o) noexcept : m_impl(o.m_impl)
{
    o.m_impl = nullptr;
}
MfccExtractor& MfccExtractor::operator=(MfccExtractor&& o) noexcept
{
    if (this != &o) {
        delete m_impl;
        m_impl = o.m_impl;
        o.m_impl = nullptr;
    }
    return *this;
}
MfccExtractor::~MfccExtractor()
{
    delete m_impl;
}

Result<MfccExtractor> MfccExtractor::create(const FeatureConfig& config, int samples)
{
    if (auto s = config.validate(samples); !s)
        return s.error();
    MfccExtractor e;
    e.m_impl = new Impl(config);
    Impl& d = *e.m_impl;
    const FeatureConfig& c = d.cfg;
    d.mfcc = c.kind == "mfcc";
    d.L = roundSamples(c.frame_length, c.sample_rate);
    d.S = roundSamples(c.frame_stride, c.sample_rate);
    d.M = std::min(d.L, c.fft_length);
    d.coeffs = c.coefficientCount();
    d.preCof = static_cast<float>(c.pre_cof);
    d.fb = buildFilterBank(c);
    if (c.window == "hann") {
        // Symmetric Hann over the samples that enter the FFT (numpy.hanning(M)).
        d.window.resize(d.M);
        for (int n = 0; n < d.M; ++n)
            d.window[n] = d.M == 1 ? 1.0f
                                   : static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi *
                                                                             n / (d.M - 1)));
    }
    if (d.mfcc) {
        // Orthonormal DCT-II rows (scipy.fft.dct(norm="ortho")).
        const int nf = c.num_filters;
        d.coeffsPadded = (d.coeffs + 7) / 8 * 8;
        d.dct.assign(size_t(d.coeffsPadded) * nf, 0.0f);
        d.acc.assign(d.coeffsPadded, 0.0f);
        for (int k = 0; k < d.coeffs; ++k) {
            const double s = std::sqrt((k == 0 ? 1.0 : 2.0) / nf);
            for (int n = 0; n < nf; ++n)
                d.dct[size_t(n) * d.coeffsPadded + k] = static_cast<float>(
                    s * std::cos(std::numbers::pi * k * (2 * n + 1) / (2.0 * nf)));
        }
    }
    d.frame.assign(c.fft_length, 0.0f);
    d.power.assign(d.fft.bins(), 0.0f);
    d.logMel.assign(c.num_filters, 0.0f);
    d.plan(samples);
    return e;
}

void MfccExtractor::compute(std::span<const float> x, std::span<float> out)
{
    Impl& d = *m_impl;
    const int n = static_cast<int>(x.size());
    if (n != d.samples)
        d.plan(n);
    const size_t need = size_t(d.frames) * d.coeffs;
    if (d.frames < 1 || d.frames > kMaxFrames || out.size() < need) {
        // Contract violation (wrong clip length or buffer): never read or write out of bounds.
        std::fill(out.begin(), out.end(), 0.0f);
        return;
    }
    const FeatureConfig& c = d.cfg;
    const int nf = c.num_filters;
    const float scale = 1.0f / static_cast<float>(c.fft_length);
    const float* in = x.data();
    float* frame = d.frame.data();
    const float* win = d.window.empty() ? nullptr : d.window.data();
    for (int f = 0; f < d.frames; ++f) {
        const int start = f * d.S;
        // Steps 2-4: circular pre-emphasis (sample 0 uses the clip's last sample), window,
        // crop to / zero-pad up to fft_length (the tail of `frame` stays zero).
        const float* cur = in + start;
        frame[0] = cur[0] - d.preCof * (start == 0 ? in[n - 1] : cur[-1]);
        for (int i = 1; i < d.M; ++i)
            frame[i] = cur[i] - d.preCof * cur[i - 1];
        if (win)
            for (int i = 0; i < d.M; ++i)
                frame[i] *= win[i];
        // Step 5: power spectrum and frame energy.
        float* pw = d.power.data();
        d.fft.power(frame, pw, scale);
        float energy = 0;
        for (int b = 0; b < d.fft.bins(); ++b)
            energy += pw[b];
        if (energy == 0)
            energy = static_cast<float>(kFloor);
        // Steps 6-7: sparse triangular filters, floor, log.
        for (int i = 0; i < nf; ++i) {
            const float* w = d.fb.weights.data() + d.fb.offset[i];
            const float* p = pw + d.fb.first[i];
            const int len = d.fb.offset[i + 1] - d.fb.offset[i];
            float e = 0;
            for (int b = 0; b < len; ++b)
                e += w[b] * p[b];
            // Zero becomes the floor (spec); logPositive wants normal floats (> 1.2e-38).
            d.logMel[i] = e == 0 ? static_cast<float>(kFloor) : std::max(e, 1.17549435e-38f);
        }
        logPositive(d.logMel.data(), nf);
        float* row = out.data() + size_t(f) * d.coeffs;
        if (d.mfcc) {
            // DCT as a sum of scaled columns, padded to a multiple of 8 coefficients: the inner
            // loop has a fixed shape and vectorises.
            float* acc = d.acc.data();
            const int cp = d.coeffsPadded;
            std::fill(acc, acc + cp, 0.0f);
            for (int i = 0; i < nf; ++i) {
                const float* col = d.dct.data() + size_t(i) * cp;
                const float v = d.logMel[i];
                for (int k = 0; k < cp; ++k)
                    acc[k] += col[k] * v;
            }
            std::copy(acc, acc + d.coeffs, row);
            row[0] = std::log(energy); // EI quirk: c0 is replaced by the log frame energy
        } else {
            std::copy(d.logMel.begin(), d.logMel.end(), row);
        }
    }
    if (c.win_size > 0)
        d.normalise(out.data());
}

const FeatureConfig& MfccExtractor::config() const
{
    return m_impl->cfg;
}
int MfccExtractor::frames() const
{
    return m_impl->frames;
}
int MfccExtractor::coeffs() const
{
    return m_impl->coeffs;
}

Result<FeatureMatrix> computeFeatures(std::span<const float> samples, const FeatureConfig& config)
{
    auto ex = MfccExtractor::create(config, static_cast<int>(samples.size()));
    if (!ex)
        return ex.error();
    FeatureMatrix m;
    m.frames = ex->frames();
    m.coeffs = ex->coeffs();
    m.data.assign(size_t(m.frames) * m.coeffs, 0.0f);
    ex->compute(samples, m.data);
    return m;
}

} // namespace dw
