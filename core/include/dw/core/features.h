// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Edge Impulse compatible MFCC (and MFE), exactly as ../shared/spec/kws-pipeline.md section 2.
// Parameter names are Edge Impulse's (perforated-backprop.md section 8).

#include "dw/core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

struct dw_mfcc_config; // runtime/dw_mfcc.h (C99, ships to boards)

namespace dw {

struct FeatureConfig
{
    std::string kind = "mfcc";   // "mfcc" | "mfe" (log mel energies)
    std::string window = "none"; // "none" (rectangular, EI) | "hann"
    int num_cepstral = 13;
    double frame_length = 0.02; // seconds
    double frame_stride = 0.02; // seconds
    int num_filters = 32;
    int fft_length = 256;        // power of two
    int win_size = 101;          // normalisation window in frames, odd; 0 disables
    double low_frequency = 0.0;  // Hz
    double high_frequency = 0.0; // Hz; 0 means fs/2
    double pre_cof = 0.98;       // pre-emphasis; 0 disables
    int sample_rate = 16000;

    // Sets one parameter by its Edge Impulse name; an Error says which values are allowed.
    Status set(const std::string& name, const std::string& value);
    // Checks every rule of the spec for a clip of `samples` samples.
    Status validate(int samples = 16000) const;
    std::string toJson() const;
    // Strict: the first bad or unknown parameter is the Error. With `skipped`, a bad parameter
    // keeps its default and adds one line there ("num_cepstral 400 ...: kept the default 13"),
    // so one bad value never costs the user the rest of the block (a manifest's repair).
    static Result<FeatureConfig> fromJson(const std::string& json,
                                          std::vector<std::string>* skipped = nullptr);
    // Short stable hash of every parameter: names the feature cache.
    std::string hash() const;
    // Output shape for a clip of `samples` samples.
    int frameCount(int samples = 16000) const;
    int coefficientCount() const; // num_cepstral for mfcc, num_filters for mfe

    // The same configuration for the C99 runtime (runtime/dw_mfcc.h), which computes the same
    // features within 1e-3. An Error if a value does not survive the conversion to float
    // (frame or stride sample counts would differ).
    Status toRuntime(dw_mfcc_config& out) const;
    // A C initializer for dw_mfcc_config, e.g. "{DW_MFCC_KIND_MFCC, DW_MFCC_WINDOW_NONE, 13,
    // 0.02f, ...}", for exported headers.
    std::string runtimeInitializer() const;
};

// Row-major [frames][coeffs].
struct FeatureMatrix
{
    int frames = 0;
    int coeffs = 0;
    std::vector<float> data;
    float at(int frame, int coeff) const { return data[size_t(frame) * coeffs + coeff]; }
};

// Computes features of one clip. `samples` are the raw int16 values as floats (spec step 1).
// Thread-safe (no shared state). Precomputes nothing: use MfccExtractor in loops.
Result<FeatureMatrix> computeFeatures(std::span<const float> samples, const FeatureConfig& config);

// Reusable extractor: validates once, precomputes the filterbank/DCT/FFT tables; compute() does
// no allocation after the first call for a given clip length. One instance per thread.
class MfccExtractor
{
public:
    static Result<MfccExtractor> create(const FeatureConfig& config, int samples = 16000);
    MfccExtractor(MfccExtractor&&) noexcept;
    MfccExtractor& operator=(MfccExtractor&&) noexcept;
    ~MfccExtractor();
    // out must hold frameCount*coefficientCount floats.
    void compute(std::span<const float> samples, std::span<float> out);
    const FeatureConfig& config() const;
    int frames() const;
    int coeffs() const;

private:
    MfccExtractor();
    struct Impl;
    Impl* m_impl = nullptr;
};

} // namespace dw
