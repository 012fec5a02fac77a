#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Training steps per CPU second of the EI 1-D baseline: ours (bench_train, the LibTorch C++
engine) against Debian's python3-torch (train_torch_peer.py: same model, batch 32, Adam, one
thread, same synthetic data), each in its own process, alternating. The ratio is the median of
the paired runs' ratios; each side's median and spread are printed too.

    train_vs_torch.py BENCH_TRAIN [--runs N] [--seconds S]
"""
import os
import sys

from peers import alternate, median, run, spread, value

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else "python3"
TARGET = 2.0  # the performance issue's target


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bench, runs, seconds = argv[0], 9, 1.0
    it = iter(argv[1:])
    for a in it:
        if a == "--runs":
            runs = int(next(it))
        elif a == "--seconds":
            seconds = float(next(it))
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    peer = [PYTHON, os.path.join(HERE, "train_torch_peer.py"), str(seconds)]
    try:
        run([PYTHON, "-c", "import torch"], env)
    except RuntimeError:
        print("python3-torch peer unavailable (apt-get install python3-torch)")
        print('RESULT name=train_steps what="Training steps per CPU second, EI 1-D (python3-torch '
              'peer unavailable)" ours=n/a peer=n/a ratio=n/a target=">= %gx" status=BELOW_TARGET'
              % TARGET)
        return 0
    try:
        ours, theirs = alternate(runs, [bench, str(seconds)], peer, env, env)
    except RuntimeError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    cpp = [value(o, "steps_per_cpu_s") for o in ours]
    py = [value(o, "steps_per_cpu_s") for o in theirs]
    cpp_wall = [value(o, "steps_per_s") for o in ours]
    py_wall = [value(o, "steps_per_s") for o in theirs]
    ratios = [a / b for a, b in zip(cpp, py)]
    for i in range(runs):
        print("run %d: C++ %.0f steps per CPU s (%.0f wall), python %.0f (%.0f): %.2fx"
              % (i + 1, cpp[i], cpp_wall[i], py[i], py_wall[i], ratios[i]))
    r = median(ratios)
    wall = median([a / b for a, b in zip(cpp_wall, py_wall)])
    print("median ratio per CPU second %.2fx (runs %s), wall clock %.2fx" % (r, spread(ratios, "%.2f"),
                                                                             wall))
    print('RESULT name=train_steps what="Training steps per CPU second, EI 1-D, batch 32, Adam, '
          '1 thread, vs python3-torch in its own process (median of %d alternating pairs, '
          'ratios %s; wall-clock %.2fx)" ours="%.0f steps/s" peer="%.0f steps/s" ratio=%.2f '
          'target=">= %gx" status=%s'
          % (runs, spread(ratios, "%.2f"), wall, median(cpp), median(py), r, TARGET,
             "met" if r >= TARGET else "BELOW_TARGET"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
