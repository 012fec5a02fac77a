# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the peer benchmarks (mfcc_vs_numpy.py, train_vs_torch.py): run ours and a peer each
as its own process, alternating (A B A B ..., the order flipped every other pair), so nothing of
ours runs while the peer does and a load change on this shared machine hits both sides; medians
and the spread over the runs."""
import re
import statistics
import subprocess


def run(cmd, env=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    return p.stdout


def value(text, key):
    """The number after KEY= (or "KEY": ) in a program's output."""
    m = re.search(r'"?\b%s"?[=:] ?([0-9.eE+-]+)' % re.escape(key), text)
    if not m:
        raise RuntimeError("no %s in output:\n%s" % (key, text))
    return float(m.group(1))


def alternate(runs, ours, peer, ours_env=None, peer_env=None):
    """Runs the two commands `runs` times each, alternating; returns their outputs as two lists."""
    a, b = [], []
    for i in range(runs):
        if i % 2 == 0:
            a.append(run(ours, ours_env))
            b.append(run(peer, peer_env))
        else:
            b.append(run(peer, peer_env))
            a.append(run(ours, ours_env))
    return a, b


def spread(v, fmt="%.1f"):
    return (fmt + "-" + fmt) % (min(v), max(v))


median = statistics.median
