#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test streams for `dendrite live` (issue 8, live test page) from a project's clips, and scoring.

  live_streams.py make PROJECT OUTDIR [--noise-minutes 10] [--seed 1]
      OUTDIR/noise_only.wav   noise clips of the project (all splits, reshuffled each pass until
                              the length is reached) back to back: a stream with no keyword
      OUTDIR/keywords.wav     every test-split keyword clip, each after 2-3 s of noise clips
      OUTDIR/keywords.csv     onset_s,label of each keyword clip in keywords.wav
  live_streams.py score OUTDIR/keywords.csv LIVE_OUTPUT.txt [--tolerance 1.5]
      A keyword counts as detected when a detection of its label has a time (window end) in
      [onset, onset + 1 s + tolerance]; other detections are false accepts.

Streams are generated, never committed (they are large). Python 3 standard library only.
"""
import argparse
import csv
import json
import os
import random
import re
import struct
import sys
import wave

NON_KEYWORDS = {"noise", "unknown", "silence", "background", "backgroundnoise", "other", "none",
                "filler"}


def is_keyword(label):
    return re.sub(r"[_\- ]", "", label.lower()) not in NON_KEYWORDS


def read_clip(path):
    with wave.open(path, "rb") as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SystemExit(f"{path}: expected 16 kHz mono PCM16")
        return w.readframes(w.getnframes())


def write_wav(path, frames):
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(frames)
    os.replace(tmp, path)


def make(args):
    project = json.load(open(os.path.join(args.project, "project.json")))
    clips = project["clips"]
    rng = random.Random(args.seed)
    noise = [c for c in clips if c["label"] == "noise"]
    if not noise:
        raise SystemExit("the project has no 'noise' clips")
    keywords = [c for c in clips if c["split"] == "test" and is_keyword(c["label"])]
    cache = {}

    def pcm(c):
        if c["id"] not in cache:
            cache[c["id"]] = read_clip(os.path.join(args.project, c["path"]))
        return cache[c["id"]]

    os.makedirs(args.outdir, exist_ok=True)
    target = int(args.noise_minutes * 60 * 16000) * 2
    out = bytearray()
    passes = 0
    while len(out) < target:
        order = noise[:]
        rng.shuffle(order)
        passes += 1
        for c in order:
            out += pcm(c)
            if len(out) >= target:
                break
    write_wav(os.path.join(args.outdir, "noise_only.wav"), bytes(out[:target]))
    print(f"noise_only.wav: {target // 32000} s from {len(noise)} noise clips ({passes} passes)")

    rng.shuffle(keywords)
    out = bytearray()
    rows = []
    ni = 0
    for c in keywords:
        gap = rng.uniform(2.0, 3.0)
        gap_bytes = int(gap * 16000) * 2
        if args.aligned:  # every clip starts on a window boundary (hop 250 ms)
            end = len(out) + gap_bytes
            gap_bytes += (-end) % 8000
        filler = bytearray()
        while len(filler) < gap_bytes:
            filler += pcm(noise[ni % len(noise)])
            ni += 1
        out += filler[:gap_bytes]
        rows.append((len(out) / 32000.0, c["label"], c["id"]))
        out += pcm(c)
    out += pcm(noise[0]) + pcm(noise[1])
    write_wav(os.path.join(args.outdir, "keywords.wav"), bytes(out))
    with open(os.path.join(args.outdir, "keywords.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["onset_s", "label", "clip"])
        for r in rows:
            w.writerow([f"{r[0]:.4f}", r[1], r[2]])
    print(f"keywords.wav: {len(out) // 32000} s, {len(rows)} test-split keyword clips")


def score(args):
    truth = [(float(r["onset_s"]), r["label"]) for r in csv.DictReader(open(args.csv))]
    dets = []
    for line in open(args.output):
        m = re.match(r"detection\s+([\d.]+) s\s+(\S+)\s+([\d.]+)", line)
        if m:
            dets.append((float(m.group(1)), m.group(2)))
    used = set()
    hits = 0
    per_label = {}
    for onset, label in truth:
        ok = False
        for i, (t, l) in enumerate(dets):
            if i not in used and l == label and onset <= t <= onset + 1.0 + args.tolerance:
                used.add(i)
                ok = True
                break
        hits += ok
        h, n = per_label.get(label, (0, 0))
        per_label[label] = (h + ok, n + 1)
    false = len(dets) - len(used)
    sys.stdout.flush()
    print(f"keywords: {len(truth)}, detected: {hits} ({100.0 * hits / max(1, len(truth)):.1f} %), "
          f"detections: {len(dets)}, wrong or extra detections: {false}")
    for label in sorted(per_label):
        h, n = per_label[label]
        print(f"  {label:10s} {h}/{n}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("project")
    m.add_argument("outdir")
    m.add_argument("--noise-minutes", type=float, default=10.0)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--aligned", action="store_true",
                   help="start every keyword clip on a multiple of 250 ms (one window holds "
                        "exactly the clip the model was trained on)")
    s = sub.add_parser("score")
    s.add_argument("csv")
    s.add_argument("output")
    s.add_argument("--tolerance", type=float, default=1.5)
    a = p.parse_args()
    make(a) if a.cmd == "make" else score(a)


if __name__ == "__main__":
    sys.exit(main())
