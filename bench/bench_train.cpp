// SPDX-License-Identifier: GPL-3.0-or-later
// Training steps per second of the Edge Impulse 1-D baseline (batch 32, Adam, one thread,
// synthetic 50x13 inputs, 12 classes) in the LibTorch engine. Ours only: the python3-torch peer
// (bench/train_torch_peer.py, same model, batch and data) runs as its own process, alternating
// with this one, in bench/train_vs_torch.py, which prints the RESULT line.
//   bench_train [SECONDS]     (default 1 s)
// Prints steps_per_s=X steps_per_cpu_s=Y (CPU time: time spent waiting for a core on this
// shared machine is not counted).
#include "dw/core/training.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    if (seconds <= 0)
        seconds = 1.0;
    dw::TrainConfig c; // ei1d, lr 0.005, batch 32, dropout 0.25
    c.threads = 1;
    auto x = dw::benchmarkTrainSteps(c, 50, 13, 12, 4096, 50, seconds);
    if (!x) {
        std::fprintf(stderr, "error: %s\n", x.error().text().c_str());
        return 1;
    }
    std::printf("LibTorch C++ engine: %.0f steps/s, %.0f per CPU second (EI 1-D, batch 32, "
                "1 thread)\n",
                x->perSecond, x->perCpuSecond);
    std::printf("steps_per_s=%.3f steps_per_cpu_s=%.3f\n", x->perSecond, x->perCpuSecond);
    return 0;
}
