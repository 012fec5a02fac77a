#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Paired reading of a paired sweep's results.csv (each architecture trained as traditional, gd
# and cc with the same seed): how often dendrites were added, how each dendritic run did against
# its traditional twin, and which model types form the params-vs-accuracy frontier.
# Usage: docs/sweep/paired.py results.csv   (prints Markdown)
import csv
import sys
from collections import defaultdict

rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["trial"] != "baseline"
        and r["status"] == "finished"]
base = [r for r in csv.DictReader(open(sys.argv[1])) if r["trial"] == "baseline"]
ARCH = [k for k in rows[0].keys() if k not in (
    "trial", "mode", "params", "val", "test", "dendrites", "seconds", "test_n", "status", "run")]

groups = defaultdict(dict)
for r in rows:
    groups[tuple(r[k] for k in ARCH)][r["mode"]] = r

per_type = ", ".join(f"{m} {sum(r['mode'] == m for r in rows)}" for m in ("traditional", "gd", "cc"))
print(f"Finished trials: {len(rows)} ({per_type}).")
print()
print("| type | trials | ended with >= 1 dendrite | beat twin (test) | tied | lost | "
      "mean test diff vs twin | mean test diff where dendrites were kept | mean seconds |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in ("gd", "cc"):
    pairs = [(g[m], g["traditional"]) for g in groups.values() if m in g and "traditional" in g]
    if not pairs:
        continue
    withd = [(a, b) for a, b in pairs if int(a["dendrites"]) > 0]
    diff = [float(a["test"]) - float(b["test"]) for a, b in pairs]
    diffd = [float(a["test"]) - float(b["test"]) for a, b in withd]
    win = sum(d > 1e-9 for d in diff)
    tie = sum(abs(d) <= 1e-9 for d in diff)
    secs = [float(a["seconds"]) for a, _ in pairs]
    md = f"{sum(diffd) / len(diffd):+.3f}" if diffd else "-"
    print(f"| {m} | {len(pairs)} | {len(withd)} | {win} | {tie} | {len(pairs) - win - tie} | "
          f"{sum(diff) / len(diff):+.3f} | {md} | {sum(secs) / len(secs):.0f} |")
trad = [float(r["seconds"]) for r in rows if r["mode"] == "traditional"]
print(f"\nTraditional trials took {sum(trad) / len(trad):.0f} s on average.")


def frontier(rs, key):
    """Points not dominated in (fewer params, higher key)."""
    out, best = [], -1.0
    for r in sorted(rs, key=lambda r: (int(r["params"]), -float(r[key]))):
        if float(r[key]) > best + 1e-12:
            out.append(r)
            best = float(r[key])
    return out


for key in ("val", "test"):
    f = frontier(rows, key)
    print(f"\nFrontier by {key} accuracy (params ascending): " + ", ".join(
        f"{r['mode']} {int(r['params']):,} ({float(r[key]):.3f}"
        f"{', K=' + r['dendrites'] if int(r['dendrites']) else ''})" for r in f))
    counts = defaultdict(int)
    for r in f:
        counts[r["mode"] + (" with dendrites" if int(r["dendrites"]) else "")] += 1
    print(f"Frontier composition by {key}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
if base:
    b = base[0]
    print(f"\nBaseline (EI 1-D, traditional): {int(b['params']):,} params, val {float(b['val']):.3f}, "
          f"test {float(b['test']):.3f}.")
