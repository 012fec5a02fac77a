#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Numpy peer for bench_mfcc: the same MFCC (kws-pipeline.md section 2), vectorised the way a
numpy user would write it (tables built once, then per clip: roll, fancy-index framing, rfft,
matmuls, cumsum-based sliding normalisation). Times it per 1 s clip on one core (CPU time).

    mfcc_numpy_peer.py [--rounds R] [--repeat N] [--dump OUT.csv] [name=value ...] CLIP.wav ...

Prints `numpy_us_per_clip=<median over rounds>`; --dump writes the first clip's features so the
caller can check that both sides computed the same numbers.
"""
import os
import sys
import time
import wave

# One core, like the C++ side (must be set before numpy loads its BLAS).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

DEFAULTS = {"kind": "mfcc", "window": "none", "num_cepstral": 13, "frame_length": 0.02,
            "frame_stride": 0.02, "num_filters": 32, "fft_length": 256, "win_size": 101,
            "low_frequency": 0.0, "high_frequency": 0.0, "pre_cof": 0.98, "sample_rate": 16000}


class Plan:
    def __init__(self, cfg, n):
        fs, nfft, nf = cfg["sample_rate"], cfg["fft_length"], cfg["num_filters"]
        L = int(np.floor(fs * cfg["frame_length"] + 0.5))
        S = int(np.floor(fs * cfg["frame_stride"] + 0.5))
        F = (n - L) // S + 1
        M = min(L, nfft)
        self.idx = (np.arange(F) * S)[:, None] + np.arange(M)[None, :]
        self.win = np.hanning(M) if cfg["window"] == "hann" else None
        self.nfft, self.pre, self.mfcc = nfft, cfg["pre_cof"], cfg["kind"] == "mfcc"
        # mel filterbank, built with array ops
        high = cfg["high_frequency"] or fs / 2.0
        mel = lambda f: 1127.0 * np.log1p(np.asarray(f) / 700.0)
        hz = 700.0 * np.expm1(np.linspace(mel(cfg["low_frequency"]), mel(high), nf + 2) / 1127.0)
        hz[-1] -= 0.001
        e = np.floor((nfft + 1) * hz / fs).astype(int)
        b = np.arange(nfft // 2 + 1)[None, :]
        l, m, r = e[:-2, None], e[1:-1, None], e[2:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where((b > l) & (b <= m), (b - l) / np.maximum(m - l, 1), 0.0)
            down = np.where((b >= m) & (b < r), (r - b) / np.maximum(r - m, 1), 0.0)
        self.fbT = np.ascontiguousarray(np.where(up > 0, up, down).T)
        k = np.arange(cfg["num_cepstral"])[:, None]
        j = np.arange(nf)[None, :]
        dct = np.cos(np.pi * k * (2 * j + 1) / (2.0 * nf)) * np.sqrt(2.0 / nf)
        dct[0] /= np.sqrt(2.0)
        self.dctT = np.ascontiguousarray(dct.T)
        self.w = cfg["win_size"]
        if self.w:
            pad = (self.w - 1) // 2
            i = (np.arange(F + 2 * pad) - pad) % (2 * F)
            self.sym = np.where(i < F, i, 2 * F - 1 - i)

    def _window_sums(self, v):
        c = np.cumsum(v[self.sym], axis=0)
        c = np.vstack([np.zeros((1, v.shape[1])), c])
        return c[self.w:] - c[:-self.w]

    def __call__(self, x):
        x = x.astype(np.float64)
        y = x - self.pre * np.roll(x, 1)
        frames = y[self.idx]
        if self.win is not None:
            frames = frames * self.win
        spec = np.fft.rfft(frames, n=self.nfft)
        power = (spec.real ** 2 + spec.imag ** 2) / self.nfft
        energy = power.sum(axis=1)
        energy[energy == 0] = 1e-10
        fe = power @ self.fbT
        fe[fe == 0] = 1e-10
        out = np.log(fe)
        if self.mfcc:
            out = out @ self.dctT
            out[:, 0] = np.log(energy)
        if not self.w:
            return out
        m = out - self._window_sums(out) / self.w
        s1 = self._window_sums(m) / self.w
        s2 = self._window_sums(m * m) / self.w
        return m / (np.sqrt(np.maximum(s2 - s1 * s1, 0.0)) + 1e-10)


def read_wav(path):
    with wave.open(path, "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()


def main(argv):
    rounds, repeat, dump, cfg, clips = 7, 200, None, dict(DEFAULTS), []
    it = iter(argv)
    for a in it:
        if a == "--rounds":
            rounds = int(next(it))
        elif a == "--repeat":
            repeat = int(next(it))
        elif a == "--dump":
            dump = next(it)
        elif "=" in a:
            k, v = a.split("=", 1)
            cfg[k] = type(DEFAULTS[k])(v)
        else:
            clips.append(read_wav(a))
    plan = Plan(cfg, len(clips[0]))
    if dump:
        np.savetxt(dump, plan(clips[0]), fmt="%.9g", delimiter=",")
    for c in clips:  # warm up
        plan(c)
    per_clip = []
    for _ in range(rounds):
        # CPU time, like bench_mfcc: the machine may be shared and overloaded.
        t0 = time.process_time()
        for _ in range(repeat):
            for c in clips:
                plan(c)
        per_clip.append((time.process_time() - t0) / (repeat * len(clips)) * 1e6)
    per_clip.sort()
    print("numpy %s, %d rounds x %d clips x %d repeats" % (np.__version__, rounds, len(clips),
                                                            repeat))
    print("numpy_us_per_clip=%.3f" % per_clip[len(per_clip) // 2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
