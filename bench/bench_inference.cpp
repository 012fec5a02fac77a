// SPDX-License-Identifier: GPL-3.0-or-later
// Single-clip inference: the exported C runtime (float32 and int8) against LibTorch's batch-1
// forward of the same network, measured in the same process and the same run.
//   bench_inference [RUN_DIR] [--iterations N] [--classes N]
// Without RUN_DIR it times an untrained Edge Impulse 1-D baseline (50 x 13 MFCC, N classes,
// default 12 as the demo task). Fairness: LibTorch runs in eval mode under NoGradGuard with
// set_num_threads(1), the runtime on the same thread; all three engines are warmed up, then run
// in interleaved rounds and timed by this thread's CPU time (median round).
// Target: the runtime >= 5x faster than LibTorch. Instruction counts: bench/callgrind_inference.sh.
// Prints RESULT lines for bench/run_all.sh.
#include "dw/core/export.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    std::string run;
    int iterations = 3000, classes = 12;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--iterations" && i + 1 < argc)
            iterations = std::atoi(argv[++i]);
        else if (a == "--classes" && i + 1 < argc)
            classes = std::atoi(argv[++i]);
        else if (a == "--help" || a == "-h") {
            std::printf("usage: bench_inference [RUN_DIR] [--iterations N] [--classes N]\n");
            return 0;
        } else
            run = a;
    }
    if (iterations < 1 || classes < 2) {
        std::fprintf(stderr, "error: --iterations must be >= 1 and --classes >= 2\n");
        return 2;
    }
    auto t = dw::timeInference(run, iterations, classes);
    if (!t) {
        std::fprintf(stderr, "error: %s\n", t.error().text().c_str());
        return 1;
    }
    std::printf("model: %s (%lld MACs)%s\n", t->model.c_str(), t->macs,
                run.empty() ? ", untrained" : "");
    std::printf("method: %d clips per engine in %d interleaved rounds after warm-up; one thread;\n"
                "        LibTorch eval() + NoGradGuard + set_num_threads(1); thread CPU time, "
                "median round\n",
                t->iterations, t->rounds);
    std::printf("libtorch batch-1 forward : %9.2f us/clip\n", t->torchMicros);
    const struct {
        const char* name;
        const char* label;
        double us;
    } rows[] = {{"inference_float32", "C runtime float32", t->floatMicros},
                {"inference_int8", "C runtime int8", t->int8Micros}};
    for (const auto& r : rows) {
        const double ratio = t->torchMicros / r.us;
        std::printf("%-24s : %9.2f us/clip  (%.1fx LibTorch)\n", r.label, r.us, ratio);
        std::printf("RESULT name=%s what=\"%s vs LibTorch batch-1 forward, %lld MACs\" "
                    "ours=\"%.2f us\" peer=\"%.2f us\" ratio=%.2f target=\">= 5x\" status=%s\n",
                    r.name, r.label, t->macs, r.us, t->torchMicros, ratio,
                    ratio >= 5.0 ? "met" : "BELOW_TARGET");
    }
    return 0;
}
