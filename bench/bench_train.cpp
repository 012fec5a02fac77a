// SPDX-License-Identifier: GPL-3.0-or-later
// Training steps per second of the Edge Impulse 1-D baseline (batch 32, Adam, one thread,
// synthetic 50x13 inputs, 12 classes) in the LibTorch engine, against the same model, batch and
// data in Debian's python3-torch (bench/train_torch_peer.py) measured in the same run, in
// interleaved rounds.
#include "dw/core/training.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
    if (seconds <= 0)
        seconds = 3.0;
    dw::TrainConfig c; // ei1d, lr 0.005, batch 32, dropout 0.25
    c.threads = 1;
    // Debian's interpreter (python3-torch); a python3 earlier on PATH (pyenv) may lack torch.
    std::string py3 = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    // Three interleaved rounds (C++, Python, C++, ...) of seconds/3 each, median per engine: load
    // that comes and goes on a shared machine then hits both alike (both time wall clock).
    const int rounds = 3;
    std::vector<double> cppRuns, pyRuns;
    for (int r = 0; r < rounds; ++r) {
        auto cpp = dw::benchmarkTrainSteps(c, 50, 13, 12, 4096, 50, seconds / rounds);
        if (!cpp) {
            std::fprintf(stderr, "error: %s\n", cpp.error().text().c_str());
            return 1;
        }
        cppRuns.push_back(*cpp);
        std::string cmd = "OMP_NUM_THREADS=1 " + py3 + " " DW_SOURCE_DIR
                          "/bench/train_torch_peer.py " + std::to_string(seconds / rounds);
        if (FILE* p = popen(cmd.c_str(), "r")) {
            char line[512];
            while (std::fgets(line, sizeof line, p))
                if (const char* k = std::strstr(line, "\"steps_per_s\": "))
                    pyRuns.push_back(std::atof(k + 15));
            pclose(p);
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    const double* cpp = nullptr;
    const double cppMed = median(cppRuns);
    cpp = &cppMed;
    const double py = median(pyRuns);
    std::printf("LibTorch C++ engine: %.0f steps/s (EI 1-D, batch 32, 1 thread; median of %d)\n",
                *cpp, rounds);
    if (py <= 0) {
        std::printf("python3-torch peer unavailable (install python3-torch)\n");
        std::printf("RESULT name=train_steps what=\"Training steps/s, EI 1-D, batch 32, 1 thread "
                    "(python3-torch peer unavailable)\" ours=\"%.0f steps/s\" peer=n/a ratio=n/a "
                    "target=\">= 1.5x\" status=BELOW_TARGET\n",
                    *cpp);
        return 0;
    }
    double ratio = *cpp / py;
    std::printf("python3-torch peer:  %.0f steps/s\n", py);
    std::printf("ratio C++ / Python:  %.2fx (target >= 1.5x)\n", ratio);
    std::printf("RESULT name=train_steps what=\"Training steps/s, EI 1-D, batch 32, Adam, 1 thread, "
                "vs python3-torch\" ours=\"%.0f steps/s\" peer=\"%.0f steps/s\" ratio=%.2f "
                "target=\">= 1.5x\" status=%s\n",
                *cpp, py, ratio, ratio >= 1.5 ? "met" : "BELOW_TARGET");
    return 0;
}
