// SPDX-License-Identifier: GPL-3.0-or-later
// Single-clip inference: the exported C runtime (float32 and int8) against LibTorch's batch-1
// forward of the same network, measured in the same process on one thread.
//   bench_inference [RUN_DIR] [--iterations N]
// Without RUN_DIR it times an untrained Edge Impulse 1-D baseline (50 x 13 MFCC, 3 classes).
// Prints one line per engine and the speed ratios; the target is the runtime >= 5x LibTorch.
// Instruction counts (repeatable on a noisy machine): bench/callgrind_inference.sh.
#include "dw/core/export.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    std::string run;
    int iterations = 2000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--iterations" && i + 1 < argc)
            iterations = std::atoi(argv[++i]);
        else if (a == "--help" || a == "-h") {
            std::printf("usage: bench_inference [RUN_DIR] [--iterations N]\n");
            return 0;
        } else
            run = a;
    }
    auto t = dw::timeInference(run, iterations);
    if (!t) {
        std::fprintf(stderr, "error: %s\n", t.error().text().c_str());
        return 1;
    }
    std::printf("model: %s (%lld MACs), %d iterations, 1 thread\n", t->model.c_str(), t->macs,
                t->iterations);
    std::printf("libtorch batch-1 forward : %9.1f us/clip\n", t->torchMicros);
    std::printf("C runtime float32        : %9.1f us/clip  (%.1fx faster)\n", t->floatMicros,
                t->torchMicros / t->floatMicros);
    std::printf("C runtime int8           : %9.1f us/clip  (%.1fx faster)\n", t->int8Micros,
                t->torchMicros / t->int8Micros);
    const double ratio = t->torchMicros / t->floatMicros;
    std::printf("ratio float runtime vs libtorch: %.2f (target >= 5: %s)\n", ratio,
                ratio >= 5.0 ? "met" : "NOT met");
    return 0;
}
