// SPDX-License-Identifier: GPL-3.0-or-later
// MFCC time per 1 s clip on one core: core's MfccExtractor and the C99 runtime. Ours only: the
// numpy peer (bench/mfcc_numpy_peer.py) runs as its own process, alternating with this one, in
// bench/mfcc_vs_numpy.py, which prints the RESULT lines. (A peer started from inside this
// process was slowed by it: 2,699 us per clip in one run against ~180 us on its own.)
//
//   bench_mfcc [--check PEER_DUMP.csv] [CLIP.wav ...]   (default: the 1 s clips in tests/data/mfcc)
//
// Prints core_us=X runtime_us=Y (medians of the rounds, CPU time); with --check, also
// max_diff=D, the largest |core - peer| over the first clip's features (must be <= 1e-3).
#include "dw/core/features.h"
#include "dw/core/project.h"

#include "dw_mfcc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? NAN : v[v.size() / 2];
}

// This thread's CPU time in us: on a shared, overloaded machine wall time mostly measures the
// wait for a core; CPU time measures the work (the peer uses time.process_time() likewise).
double cpuUs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) * 1e-3;
}

// Mean CPU time per clip (us) of each round; a round makes `repeat` passes over the clips.
template <typename F> std::vector<double> timeRounds(int rounds, int repeat, size_t clips, F&& f)
{
    std::vector<double> us;
    for (int r = 0; r < rounds; ++r) {
        const double t0 = cpuUs();
        for (int i = 0; i < repeat; ++i)
            for (size_t c = 0; c < clips; ++c)
                f(c);
        us.push_back((cpuUs() - t0) / (double(repeat) * double(clips)));
    }
    return us;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> paths;
    std::string check;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--check" && i + 1 < argc)
            check = argv[++i];
        else
            paths.push_back(argv[i]);
    }
    const fs::path data = fs::path(DW_SOURCE_DIR) / "tests" / "data" / "mfcc";
    if (paths.empty())
        paths = {(data / "tone_noise_1s.wav").string(), (data / "yes_1s.wav").string()};

    std::vector<std::vector<float>> clips;
    std::vector<std::vector<int16_t>> pcm;
    for (const auto& p : paths) {
        auto a = dw::readWavPcm16(p);
        if (!a) {
            std::fprintf(stderr, "error: %s\n", a.error().text().c_str());
            return 3;
        }
        if (a->samples.size() != 16000 || a->sampleRate != 16000) {
            std::fprintf(stderr, "error: '%s' is not a 1 s clip at 16 kHz\n", p.c_str());
            return 3;
        }
        pcm.push_back(a->samples);
        clips.emplace_back(a->samples.begin(), a->samples.end());
    }

    const dw::FeatureConfig cfg; // Edge Impulse defaults: 50 x 13
    auto ex = dw::MfccExtractor::create(cfg);
    if (!ex) {
        std::fprintf(stderr, "error: %s\n", ex.error().text().c_str());
        return 1;
    }
    std::vector<float> out(size_t(ex->frames()) * ex->coeffs());
    dw_mfcc_config rc{};
    (void)cfg.toRuntime(rc);
    std::vector<uint64_t> scratch(dw_mfcc_scratch_size(&rc, 16000) / 8 + 1);
    dw_mfcc rt;
    if (dw_mfcc_init(&rt, &rc, 16000, scratch.data(), scratch.size() * 8) != DW_MFCC_OK) {
        std::fprintf(stderr, "error: runtime init failed\n");
        return 1;
    }
    std::vector<float> outRt(out.size());
    volatile float sink = 0;

    const int rounds = 9, repeat = 200;
    std::printf("bench_mfcc: %zu clip(s) of 1 s at 16 kHz, defaults (%d x %d), %d rounds x %d "
                "repeats, one thread, CPU time\n",
                clips.size(), ex->frames(), ex->coeffs(), rounds, repeat);
    auto core = [&](size_t c) {
        ex->compute(clips[c], out);
        sink = sink + out[7];
    };
    auto runtime = [&](size_t c) {
        dw_mfcc_compute(&rt, pcm[c].data(), 16000, outRt.data());
        sink = sink + outRt[7];
    };
    timeRounds(1, 50, clips.size(), core); // warm-up
    timeRounds(1, 50, clips.size(), runtime);
    const std::vector<double> coreUs = timeRounds(rounds, repeat, clips.size(), core);
    const std::vector<double> rtUs = timeRounds(rounds, repeat, clips.size(), runtime);

    // Both sides must compute the same numbers (the first clip), or a ratio means nothing.
    if (!check.empty()) {
        std::ifstream in(check);
        std::vector<double> peer;
        std::string line, cell;
        while (std::getline(in, line)) {
            std::stringstream ss(line);
            while (std::getline(ss, cell, ','))
                peer.push_back(std::atof(cell.c_str()));
        }
        ex->compute(clips[0], out);
        if (peer.size() != out.size()) {
            std::fprintf(stderr, "error: '%s' has %zu values, core computes %zu\n", check.c_str(),
                         peer.size(), out.size());
            return 1;
        }
        double worst = 0;
        for (size_t i = 0; i < out.size(); ++i)
            worst = std::max(worst, std::abs(double(out[i]) - peer[i]));
        std::printf("max_diff=%g\n", worst);
        if (!(worst <= 1e-3))
            return 1;
    }
    std::printf("core MfccExtractor : %.2f us per clip (median of %zu rounds, fastest %.2f)\n",
                median(coreUs), coreUs.size(), *std::min_element(coreUs.begin(), coreUs.end()));
    std::printf("C99 runtime dw_mfcc: %.2f us per clip (median of %zu rounds)\n", median(rtUs),
                rtUs.size());
    std::printf("core_us=%.3f runtime_us=%.3f\n", median(coreUs), median(rtUs));
    return 0;
}
