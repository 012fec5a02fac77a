#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes docs/benchmarks.md (and benchmarks.svg next to it) from the RESULT lines of a
bench/run_all.sh log:

    RESULT name=ID what="..." ours="..." peer="..." ratio=X target="..." status=met|BELOW_TARGET|info

    report.py LOG OUT.md ELAPSED_SECONDS
"""
import datetime
import os
import platform
import re
import shlex
import sys

# Why a row can miss its target and what would close it (shown only for rows below target).
WHY = {
    "inference_int8": "int8 runs SSE2 kernels on x86-64 (pmaddwd over int16-widened values; the "
    "portable C99 loops on boards); it stays ~20 % slower than float on the host because of the "
    "input quantize (a division kept so results do not change), the int8 transpose and "
    "requantisation.",
    "inference_float32": "the untrained/trained EI network is only ~28 k MACs, so per-layer call "
    "overhead is a visible share; the conv kernels are already vectorised.",
    "mfcc": "measured against the numpy peer in its own process, core's MFCC is a few times "
    "faster, not the 62x an earlier in-process peer (slowed by the benchmark that started it) "
    "suggested; reaching <= 20 us needs a SIMD FFT and one MFCC implementation (issue 16).",
    "mfcc_runtime": "the C99 runtime MFCC (the board's) does the same work as core's with scalar "
    "loops and 1,600 libm logf calls per clip; core uses a vectorised DCT and log.",
    "train_steps": "the ratio is the median of alternating pairs of processes (steps per CPU "
    "second); for a 3 k-parameter network LibTorch's per-op dispatch dominates in both "
    "languages. The engine already saves what it can per step (fused Adam, uniform_ dropout "
    "masks, contiguous conv input); 2x needs a profile of one step (issue 16).",
    "dataset_features": "the two cores are shared with other jobs (see the load average above): a "
    "second thread only gets the share of the second core that is free; the WAV reads also share "
    "one disk. Idle, it should approach 2x.",
    "sweep_jobs2": "two trials on two cores compete with the rest of the machine's load, and each "
    "trial's fixed start-up (loading LibTorch and the feature cache in a new process) is a large "
    "share of a 6-epoch trial.",
    "gui_training_plot_fps": "appending an epoch costs well under 1 ms, but one full replot of "
    "the seven panels with 10,000 epochs costs about 170 ms of CPU (measured separately), so the "
    "frame rate is the replot's. ui/src/run_plots.cpp needs a profile (antialiased or scatter "
    "graphs defeat QCustomPlot's adaptive sampling); in a live run the page replots at most "
    "once per epoch, so it is usable, but the target is missed.",
    "gui_waveform_fps": "the waveform is repainted fully on each frame.",
}


def parse(log):
    rows = []
    for line in open(log, encoding="utf-8", errors="replace"):
        if not line.startswith("RESULT "):
            continue
        try:
            fields = dict(tok.split("=", 1) for tok in shlex.split(line[7:]) if "=" in tok)
        except ValueError:
            continue
        if "name" not in fields:  # an old-style line: keep it visible, not misnamed
            fields = {"name": "(unnamed)", "what": line[7:].strip()}
        rows.append(fields)
    return rows


def number(text):
    m = re.search(r"[-+]?\d+(\.\d+)?", text or "")
    return float(m.group(0)) if m else None


def svg(rows, path):
    """Bar chart: ratio / target ratio for every row with a numeric ratio and an 'x' target."""
    bars = []
    for r in rows:
        ratio, target = number(r.get("ratio")), r.get("target", "")
        t = number(target) if "x" in target else None
        if ratio is not None and t:
            bars.append((r["name"], ratio, t))
    if not bars:
        return False
    w, bh, left = 760, 26, 230
    h = 40 + bh * len(bars) + 30
    top = max(max(b[1], b[2]) for b in bars) * 1.1
    sx = (w - left - 20) / top
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="DejaVu Sans, sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14">Speed ratio against the peer (bar) and '
           'target (line), same run</text>']
    for i, (name, ratio, t) in enumerate(bars):
        y = 36 + i * bh
        color = "#2e7d32" if ratio >= t else "#c62828"
        out.append('<text x="10" y="%d">%s</text>' % (y + 15, name))
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (left, y + 3, ratio * sx, bh - 8, color))
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="2"/>'
                   % (left + t * sx, y, left + t * sx, y + bh - 2))
        out.append('<text x="%.1f" y="%d">%.2fx</text>' % (left + ratio * sx + 4, y + 15, ratio))
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def main():
    log, out, elapsed = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = parse(log)
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = open("/proc/loadavg").read().split()[0]
    except OSError:
        load = "?"
    lines = [
        "# Benchmarks",
        "",
        "Written by `./run.sh bench` (bench/run_all.sh) on %s UTC: %d cores, %s, %s; load "
        "average %s at the end; the suite took %s s."
        % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, cpu,
           platform.machine(), load, elapsed),
        "Every ratio compares against a peer measured **in the same run on the same machine**; "
        "times are this thread's CPU time (median of rounds) unless the row says otherwise, "
        "because the machine is shared. `status`: met, **BELOW TARGET**, or info (a figure "
        "without a target or peer).",
        "",
        "| benchmark | what | ours | peer | ratio | target | status |",
        "|---|---|---|---|---|---|---|",
    ]
    below = []
    for r in rows:
        status = r.get("status", "info")
        shown = {"met": "met", "BELOW_TARGET": "**BELOW TARGET**"}.get(status, status)
        if status == "BELOW_TARGET":
            below.append(r["name"])
        cells = [r.get("name", ""), r.get("what", ""), r.get("ours", ""), r.get("peer", "n/a"),
                 r.get("ratio", "n/a"), r.get("target", ""), shown]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    if svg(rows, os.path.join(os.path.dirname(out), "benchmarks.svg")):
        lines += ["", "![ratios against targets](benchmarks.svg)"]
    if below:
        lines += ["", "## Below target", ""]
        for name in below:
            key = name if name in WHY else next((k for k in WHY if name.startswith(k)), None)
            lines.append("- `%s`: %s" % (name, WHY.get(key, "see the log of this run.")))
    lines += [
        "",
        "## How each row is measured",
        "",
        "- `mfcc*`: bench/mfcc_vs_numpy.py runs bench/bench_mfcc.cpp (core's MfccExtractor and "
        "the C99 runtime) and a vectorised numpy implementation of the same spec "
        "(bench/mfcc_numpy_peer.py) each as its own process, alternating, same clips, CPU time, "
        "medians of the runs (spread in the row's text); outputs checked equal within 1e-3 "
        "first.",
        "- `train_steps`: bench/train_vs_torch.py runs bench/bench_train.cpp (Edge Impulse 1-D "
        "network, batch 32, Adam, one thread, synthetic data) and bench/train_torch_peer.py in "
        "python3-torch each as its own process, alternating which goes first; each pair gives "
        "one ratio of steps per second of process CPU time; the row is the median ratio (the "
        "wall-clock ratio is in the row's text).",
        "- `dataset_features`: bench/bench_dataset.cpp; WAV read + MFCC of the whole demo project "
        "through loadFeatureDataset with the cache bypassed (wall time), 1 thread vs all cores.",
        "- `train_time_to_target_*`, `train_peak_rss_*`: `dendrite train` on the demo project "
        "(EI baseline; cc on the EI network), summed epoch seconds until validation accuracy "
        "0.75; peak RSS by GNU time. No python3-torch peer for whole training runs yet.",
        "- `inference_*`: bench/bench_inference.cpp on the trained baseline; LibTorch eval() + "
        "NoGradGuard + set_num_threads(1), batch 1, against the C runtime on the same thread; "
        "warm-up, then interleaved rounds. dw_runtime is built with -O2, as an export folder's "
        "`cc -O2` builds it.",
        "- `inference_vs_onnxruntime`: the trained baseline exported with `dendrite export "
        "--format onnx`, run by tools/onnxruntime/bench.js in ONNX Runtime (npm onnxruntime-node, "
        "CPU, intra/inter-op threads 1, batch 1) in its own node process, 3 runs of 7 rounds, "
        "process CPU time; the call overhead is the same measurement on an Identity model with "
        "the same input.",
        "- `callgrind_*`: bench/callgrind_inference.sh; (Ir of 101 runs - Ir of 1 run) / 100 of "
        "the exported host example built with `cc -std=c99 -O2`.",
        "- `cortex_m4_estimate_*`: MACs x cycles per MAC at 80 MHz (an estimate; the EI "
        "tutorial's 13 ms is another model on real hardware, shown as an anchor).",
        "- `sweep_jobs2`: `dendrite sweep run bench/sweep_bench.json` (6 EI-network trials, 6 epochs) on the demo project "
        "with --jobs 1 and --jobs 2 (wall time), trials per hour and the 800-trial projection.",
        "- `gui_*`: bench/bench_gui.cpp, offscreen; a frame = new data + replot + render "
        "(CPU time). `gui_peak_rss`: dendrite-workbench --screenshot on the demo project.",
        "",
    ]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
