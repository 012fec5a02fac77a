// SPDX-License-Identifier: GPL-3.0-or-later
// Training steps per second of the Edge Impulse 1-D baseline (batch 32, Adam, one thread,
// synthetic 50x13 inputs, 12 classes) in the LibTorch engine, against the same model, batch and
// data in Debian's python3-torch (bench/train_torch_peer.py) measured in the same run.
//   bench_train [SECONDS [ROUNDS]]     (defaults 3 s in 9 rounds)
// The engines alternate in short rounds (C++ first in even rounds, Python first in odd ones) and
// each round gives one paired ratio; the headline is the median paired ratio of steps per CPU
// second (time a process spent waiting for a core on this shared machine is not counted, load
// that comes and goes hits both alike). Wall-clock rates are printed too.
#include "dw/core/training.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

struct Rate
{
    double wall = 0, cpu = 0;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    if (v.empty())
        return 0;
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double field(const char* line, const char* key)
{
    const char* k = std::strstr(line, key);
    return k ? std::atof(k + std::strlen(key)) : 0.0;
}

// One round of the python3-torch peer; zero rates when it is unavailable.
Rate pythonRound(const std::string& py3, double seconds)
{
    Rate r;
    std::string cmd = "OMP_NUM_THREADS=1 " + py3 + " " DW_SOURCE_DIR "/bench/train_torch_peer.py " +
                      std::to_string(seconds) + " 2>/dev/null";
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char line[512];
        while (std::fgets(line, sizeof line, p)) {
            if (std::strstr(line, "\"steps_per_s\": ")) {
                r.wall = field(line, "\"steps_per_s\": ");
                r.cpu = field(line, "\"steps_per_cpu_s\": ");
            }
        }
        pclose(p);
    }
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
    if (seconds <= 0)
        seconds = 3.0;
    int rounds = argc > 2 ? std::atoi(argv[2]) : 9;
    if (rounds < 1)
        rounds = 9;
    dw::TrainConfig c; // ei1d, lr 0.005, batch 32, dropout 0.25
    c.threads = 1;
    // Debian's interpreter (python3-torch); a python3 earlier on PATH (pyenv) may lack torch.
    std::string py3 = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const double slice = std::max(0.2, seconds / rounds);
    std::vector<double> cppWall, cppCpu, pyWall, pyCpu, ratioCpu, ratioWall;
    for (int r = 0; r < rounds; ++r) {
        Rate cpp, py;
        for (int half = 0; half < 2; ++half) {
            if ((half == 0) == (r % 2 == 0)) {
                auto x = dw::benchmarkTrainSteps(c, 50, 13, 12, 4096, 50, slice);
                if (!x) {
                    std::fprintf(stderr, "error: %s\n", x.error().text().c_str());
                    return 1;
                }
                cpp = {x->perSecond, x->perCpuSecond};
            } else {
                py = pythonRound(py3, slice);
            }
        }
        cppWall.push_back(cpp.wall);
        cppCpu.push_back(cpp.cpu);
        std::printf("round %d: C++ %.0f steps/s (%.0f per CPU s), python %.0f (%.0f)\n", r + 1,
                    cpp.wall, cpp.cpu, py.wall, py.cpu);
        if (py.wall > 0 && py.cpu > 0) {
            pyWall.push_back(py.wall);
            pyCpu.push_back(py.cpu);
            ratioWall.push_back(cpp.wall / py.wall);
            ratioCpu.push_back(cpp.cpu / py.cpu);
        }
    }
    std::printf("LibTorch C++ engine: %.0f steps/s, %.0f per CPU second (EI 1-D, batch 32, "
                "1 thread; medians of %d rounds)\n",
                median(cppWall), median(cppCpu), rounds);
    if (ratioCpu.empty()) {
        std::printf("python3-torch peer unavailable (install python3-torch)\n");
        std::printf("RESULT name=train_steps what=\"Training steps/s, EI 1-D, batch 32, 1 thread "
                    "(python3-torch peer unavailable)\" ours=\"%.0f steps/s\" peer=n/a ratio=n/a "
                    "target=\">= 1.5x\" status=BELOW_TARGET\n",
                    median(cppCpu));
        return 0;
    }
    auto sorted = ratioCpu;
    std::sort(sorted.begin(), sorted.end());
    const double ratio = median(ratioCpu);
    std::printf("python3-torch peer:  %.0f steps/s, %.0f per CPU second\n", median(pyWall),
                median(pyCpu));
    std::printf("ratio C++ / Python per CPU second: median %.2fx (rounds %.2f..%.2f); "
                "wall clock: median %.2fx (target >= 1.5x)\n",
                ratio, sorted.front(), sorted.back(), median(ratioWall));
    std::printf("RESULT name=train_steps what=\"Training steps per CPU second, EI 1-D, batch 32, "
                "Adam, 1 thread, vs python3-torch (median of %d paired rounds; wall-clock ratio "
                "%.2fx)\" ours=\"%.0f steps/s\" peer=\"%.0f steps/s\" ratio=%.2f "
                "target=\">= 1.5x\" status=%s\n",
                int(ratioCpu.size()), median(ratioWall), median(cppCpu), median(pyCpu), ratio,
                ratio >= 1.5 ? "met" : "BELOW_TARGET");
    return 0;
}
