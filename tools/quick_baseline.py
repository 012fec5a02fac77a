#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quick Edge Impulse 1-D baseline on a Dendrite project, in Python (a yardstick for tuning the
demo dataset's difficulty, independent of the C++ engine).

    /usr/bin/python3 tools/quick_baseline.py PROJECT [--epochs 30] [--seed 0] [--threads 2]

Reads project.json and the clips, computes the Edge Impulse MFCC with tools/mfcc_reference.py
(numpy), trains the EI default 1-D network of kws-pipeline.md section 3 (Conv1D 8 k3 same, ReLU,
MaxPool 2, Dropout 0.25, Conv1D 16 k3 same, ReLU, MaxPool 2, Dropout 0.25, Dense; Adam 0.005,
batch 32) and prints the test accuracy at the best validation epoch. Needs Debian's python3-numpy
and python3-torch (use /usr/bin/python3 if another python3 comes first on PATH).
"""
import argparse
import json
import os
import re
import sys
import time
import wave

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfcc_reference as ref  # noqa: E402


def load(project, min_snr=None):
    with open(os.path.join(project, "project.json")) as f:
        man = json.load(f)
    clips = man["clips"]
    if min_snr is not None:  # tuning aid: keep clips whose recorded SNR is at least min_snr
        def snr(c):
            m = re.search(r"at (-?[0-9.]+) dB SNR", c.get("source", ""))
            return float(m.group(1)) if m else 1e9
        clips = [c for c in clips if snr(c) >= min_snr]
    labels = [l for l in man["labels"] if any(c["label"] == l for c in clips)]
    cfg = ref.parse_config({})
    xs, ys, splits = [], [], []
    cache_file = os.path.join(project, "cache", "quick_baseline_mfcc.npz")
    cache = dict(np.load(cache_file)) if os.path.exists(cache_file) else {}
    for c in clips:
        if c["path"] in cache:
            xs.append(cache[c["path"]])
            ys.append(labels.index(c["label"]))
            splits.append(c["split"])
            continue
        with wave.open(os.path.join(project, c["path"]), "rb") as w:
            s = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        s = np.pad(s, (0, max(0, 16000 - len(s))))[:16000]
        xs.append(ref.features(s, cfg).astype(np.float32))
        ys.append(labels.index(c["label"]))
        splits.append(c["split"])
        cache[c["path"]] = xs[-1]
    os.makedirs(os.path.dirname(cache_file), exist_ok=True)
    np.savez(cache_file, **cache)
    return labels, np.stack(xs), np.array(ys), np.array(splits)


class EI1D(nn.Module):
    def __init__(self, classes, frames=50, coeffs=13):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(coeffs, 8, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.25),
            nn.Conv1d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(16 * (frames // 2 // 2), classes))

    def forward(self, x):  # x: (n, frames, coeffs) like Keras' (50, 13)
        return self.net(x.transpose(1, 2))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-snr", type=float, default=None, help="tuning aid: only clips at or "
                    "above this SNR (dB) as recorded in their source")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    t0 = time.time()
    labels, x, y, sp = load(a.project, a.min_snr)
    t1 = time.time()
    X = {s: torch.tensor(x[sp == s]) for s in ("train", "validation", "test")}
    Y = {s: torch.tensor(y[sp == s]) for s in ("train", "validation", "test")}
    model = EI1D(len(labels), x.shape[1], x.shape[2])
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    lossf = nn.CrossEntropyLoss()
    best = (-1.0, 0, 0.0)
    n = len(Y["train"])
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(n)
        for i in range(0, n, 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = lossf(model(X["train"][idx]), Y["train"][idx])
            loss.backward()
            opt.step()
        va = accuracy(model, X["validation"], Y["validation"])
        te = accuracy(model, X["test"], Y["test"])
        if va > best[0]:
            best = (va, ep + 1, te)
        print("epoch %2d  train %.3f  val %.3f  test %.3f" %
              (ep + 1, accuracy(model, X["train"], Y["train"]), va, te), flush=True)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"labels": labels, "clips": {s: int((sp == s).sum()) for s in X},
                      "params": params, "best_epoch": best[1], "val_accuracy": round(best[0], 4),
                      "test_accuracy": round(best[2], 4), "final_test_accuracy": round(te, 4),
                      "feature_seconds": round(t1 - t0, 1),
                      "train_seconds": round(time.time() - t1, 1)}))


if __name__ == "__main__":
    main()
