#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""MFCC per 1 s clip: ours (bench_mfcc: core's MfccExtractor and the C99 runtime) against the
vectorised numpy peer (mfcc_numpy_peer.py), each in its own process, alternating ours, peer,
ours, peer ... so nothing of ours runs while the peer does and a change of the machine's load
hits both sides. Medians over the runs, with the spread (fastest-slowest run).

    mfcc_vs_numpy.py BENCH_MFCC [--runs N] [CLIP.wav ...]

Prints one line per run and the RESULT lines for bench/report.py. Exit 1 if either side fails or
the two compute different features (> 1e-3 on the first clip).
"""
import os
import sys
import tempfile

from peers import alternate, median, run, spread, value

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "mfcc_numpy_peer.py")
PYTHON = os.environ.get("DW_PYTHON") or ("/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK)
                                         else "python3")
# The target of the performance issue: <= 20 us per clip and >= 9x the standalone numpy peer.
TARGET_US, TARGET_RATIO = 20.0, 9.0


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bench, runs, clips = argv[0], 5, []
    it = iter(argv[1:])
    for a in it:
        if a == "--runs":
            runs = int(next(it))
        else:
            clips.append(a)
    if not clips:
        data = os.path.join(HERE, "..", "tests", "data", "mfcc")
        clips = [os.path.join(data, "tone_noise_1s.wav"), os.path.join(data, "yes_1s.wav")]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    peer_cmd = [PYTHON, PEER, "--rounds", "5", "--repeat", "200"] + clips
    try:
        # Same numbers first: the peer dumps the first clip's features, ours checks them.
        with tempfile.TemporaryDirectory() as tmp:
            dump = os.path.join(tmp, "peer.csv")
            run([PYTHON, PEER, "--rounds", "1", "--repeat", "1", "--dump", dump] + clips, env)
            diff = value(run([bench, "--check", dump] + clips), "max_diff")
        ours, theirs = alternate(runs, [bench] + clips, peer_cmd, None, env)
        core = [value(o, "core_us") for o in ours]
        rt = [value(o, "runtime_us") for o in ours]
        peer = [value(o, "numpy_us_per_clip") for o in theirs]
        for i in range(runs):
            print("run %d: core %.2f us, runtime %.2f us, numpy peer %.1f us per clip"
                  % (i + 1, core[i], rt[i], peer[i]))
    except RuntimeError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    c, r, p = median(core), median(rt), median(peer)
    print("max |core - numpy peer| on clip 0: %g (must be <= 1e-3)" % diff)
    print("medians of %d alternating runs: core %.2f us (%s), runtime %.2f us (%s), numpy %.1f us "
          "(%s)" % (runs, c, spread(core), r, spread(rt), p, spread(peer)))
    for name, who, us, v in (("mfcc", "core MfccExtractor", c, core),
                             ("mfcc_runtime", "C99 runtime dw_mfcc", r, rt)):
        ratio = p / us
        ok = us <= TARGET_US and ratio >= TARGET_RATIO
        print('RESULT name=%s what="MFCC per 1 s clip, %s vs the numpy peer in its own process '
              '(medians of %d alternating runs; ours %s us, peer %s us), one core" ours="%.1f us" '
              'peer="%.0f us" ratio=%.1f target=">= %gx and <= %g us" status=%s'
              % (name, who, runs, spread(v), spread(peer), us, p, ratio, TARGET_RATIO, TARGET_US,
                 "met" if ok else "BELOW_TARGET"))
    return 0 if diff <= 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
