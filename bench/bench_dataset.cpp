// SPDX-License-Identifier: GPL-3.0-or-later
// Dataset feature extraction of a whole project (WAV read + MFCC of every clip, the work behind
// loadFeatureDataset), single thread against all cores, in the same run. The feature cache is
// bypassed: the project is opened through a scratch folder holding a copy of its manifest and a
// link to its clips, and that folder's cache is removed before every pass.
// Target: parallel scaling close to the core count (reported as speed-up / cores).
//   bench_dataset PROJECT_DIR [--rounds N]
#include "dw/core/dataset.h"
#include "dw/core/project.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: bench_dataset PROJECT_DIR [--rounds N]\n");
        return 2;
    }
    const fs::path src = fs::absolute(argv[1]);
    int rounds = 3;
    for (int i = 2; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--rounds") == 0)
            rounds = std::max(1, std::atoi(argv[i + 1]));
    if (!fs::exists(src / "project.json") || !fs::exists(src / "clips")) {
        std::fprintf(stderr, "error: '%s' is not a project folder (no project.json or clips/)\n"
                             "  hint: create one with dendrite demo-data --out DIR\n",
                     src.c_str());
        return 2;
    }
    std::error_code ec;
    const fs::path tmp = fs::temp_directory_path() / ("dw-bench-dataset-" + std::to_string(getpid()));
    fs::create_directories(tmp, ec);
    fs::copy_file(src / "project.json", tmp / "project.json", ec);
    fs::create_directory_symlink(src / "clips", tmp / "clips", ec);
    if (ec) {
        std::fprintf(stderr, "error: cannot prepare %s: %s\n", tmp.c_str(), ec.message().c_str());
        return 1;
    }
    auto project = dw::Project::open(tmp);
    if (!project) {
        std::fprintf(stderr, "error: %s\n", project.error().text().c_str());
        fs::remove_all(tmp, ec);
        return 1;
    }
    const dw::FeatureConfig cfg; // the defaults (EI MFCC)
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    size_t clips = 0;
    // Wall time: the parallel pass is about using every core at once.
    auto pass = [&](int threads) {
        std::vector<double> s;
        for (int r = 0; r < rounds; ++r) {
            fs::remove_all(tmp / "cache", ec);
            const auto t0 = std::chrono::steady_clock::now();
            auto d = dw::loadFeatureDataset(*project, cfg, threads);
            const double sec =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!d) {
                std::fprintf(stderr, "error: %s\n", d.error().text().c_str());
                return -1.0;
            }
            clips = d->size();
            s.push_back(sec);
        }
        std::sort(s.begin(), s.end());
        return s[s.size() / 2];
    };
    const double one = pass(1);
    const double all = one > 0 ? pass(cores) : -1;
    fs::remove_all(tmp, ec);
    if (one <= 0 || all <= 0)
        return 1;
    const double speedup = one / all;
    const double efficiency = speedup / cores;
    std::printf("project %s: %zu clips\n", src.c_str(), clips);
    std::printf("1 thread : %.2f s (%.0f clips/s)\n", one, double(clips) / one);
    std::printf("%d threads: %.2f s (%.0f clips/s), speed-up %.2fx, %.0f %% of %d cores\n", cores,
                all, double(clips) / all, speedup, 100 * efficiency, cores);
    std::printf("RESULT name=dataset_features what=\"Feature extraction, whole project (%zu "
                "clips), %d threads vs 1\" ours=\"%.2f s\" peer=\"%.2f s\" ratio=%.2f "
                "target=\">= %.1fx (0.8 x %d cores)\" status=%s\n",
                clips, cores, all, one, speedup, 0.8 * cores, cores,
                efficiency >= 0.8 ? "met" : "BELOW_TARGET");
    return 0;
}
