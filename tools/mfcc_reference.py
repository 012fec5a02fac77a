#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference MFCC / MFE, written from the text of kws-pipeline.md section 2 (not from the C++).

It generates the golden CSVs in tests/data/mfcc/ that tests/core/test_features.cpp compares the
C++ extractor (and the C99 runtime) against, so the tests need no Python at run time.

    tools/mfcc_reference.py               # recompute goldens from the committed WAVs
    tools/mfcc_reference.py --make-wavs   # also regenerate the test WAVs (needs espeak-ng, sox)
    tools/mfcc_reference.py FILE.wav [name=value ...]   # print one CSV, like `dendrite features`

Everything is float64. Python's numpy comes from Debian (python3-numpy): run it with
/usr/bin/python3 if another python3 is first on PATH.
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "mfcc")

DEFAULTS = {
    "kind": "mfcc", "window": "none", "num_cepstral": 13, "frame_length": 0.02,
    "frame_stride": 0.02, "num_filters": 32, "fft_length": 256, "win_size": 101,
    "low_frequency": 0.0, "high_frequency": 0.0, "pre_cof": 0.98, "sample_rate": 16000,
}
INTS = {"num_cepstral", "num_filters", "fft_length", "win_size", "sample_rate"}
STRS = {"kind", "window"}


def parse_config(pairs):
    cfg = dict(DEFAULTS)
    for k, v in pairs.items():
        if k not in DEFAULTS:
            raise ValueError("unknown parameter " + k)
        cfg[k] = v if k in STRS else (int(v) if k in INTS else float(v))
    return cfg


def mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_inv(m):
    return 700.0 * (np.exp(np.asarray(m, dtype=np.float64) / 1127.0) - 1.0)


def spec_round(x):
    # "round": half away from zero (x is positive here)
    return int(np.floor(x + 0.5))


def filterbank(cfg):
    """Spec step 6: (num_filters, fft_length/2+1) triangles."""
    fs, nfft, nf = cfg["sample_rate"], cfg["fft_length"], cfg["num_filters"]
    low = cfg["low_frequency"]
    high = cfg["high_frequency"] if cfg["high_frequency"] > 0 else fs / 2.0
    points = np.linspace(mel(low), mel(high), nf + 2)
    hz = mel_inv(points)
    hz[-1] -= 0.001
    index = np.floor((nfft + 1) * hz / fs).astype(int)
    nbins = nfft // 2 + 1
    fb = np.zeros((nf, nbins))
    for i in range(nf):
        left, middle, right = index[i], index[i + 1], index[i + 2]
        for b in range(nbins):
            if left < b <= middle:
                fb[i, b] = (b - left) / (middle - left)
            elif middle <= b < right:
                fb[i, b] = (right - b) / (right - middle)
        if not fb[i].any():
            raise ValueError("filter %d is all zeros: too many filters for the FFT length" % i)
    return fb


def dct_ortho(n_out, n_in):
    """DCT-II with orthonormal scaling as a matrix (n_out, n_in)."""
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    m = np.cos(np.pi * k * (2 * n + 1) / (2.0 * n_in))
    scale = np.full((n_out, 1), np.sqrt(2.0 / n_in))
    scale[0, 0] = np.sqrt(1.0 / n_in)
    return m * scale


def sliding_normalise(feat, win):
    """Spec step 8, written as loops over frames like the spec reads."""
    if win == 0:
        return feat
    pad = (win - 1) // 2
    rows = feat.shape[0]
    padded = np.pad(feat, ((pad, pad), (0, 0)), mode="symmetric")
    sub = np.zeros_like(feat)
    for i in range(rows):
        sub[i] = feat[i] - padded[i:i + win].mean(axis=0)
    padded = np.pad(sub, ((pad, pad), (0, 0)), mode="symmetric")
    out = np.zeros_like(feat)
    for i in range(rows):
        out[i] = sub[i] / (padded[i:i + win].std(axis=0) + 1e-10)
    return out


def features(samples, cfg):
    fs = cfg["sample_rate"]
    x = np.asarray(samples, dtype=np.float64)            # step 1: raw int16 values
    c = cfg["pre_cof"]
    y = np.empty_like(x)                                   # step 2: circular pre-emphasis
    y[0] = x[0] - c * x[-1]
    y[1:] = x[1:] - c * x[:-1]
    L = spec_round(fs * cfg["frame_length"])               # step 3
    S = spec_round(fs * cfg["frame_stride"])
    N = len(y)
    if L > N:
        raise ValueError("frame longer than the clip")
    nframes = (N - L) // S + 1
    if nframes > 500:
        raise ValueError("more than 500 frames")
    nfft = cfg["fft_length"]
    if nfft & (nfft - 1):
        raise ValueError("fft_length not a power of two")
    if cfg["num_filters"] < 2:
        raise ValueError("fewer than 2 filters")
    frames = np.stack([y[i * S:i * S + L] for i in range(nframes)])
    M = min(L, nfft)                                       # step 4: crop or zero-pad
    frames = frames[:, :M]
    if cfg["window"] == "hann":
        frames = frames * np.hanning(M)[None, :]
    spec = np.fft.rfft(frames, n=nfft, axis=1)
    power = np.abs(spec) ** 2 / nfft                       # step 5
    energy = power.sum(axis=1)
    energy = np.where(energy == 0, 1e-10, energy)
    fe = power @ filterbank(cfg).T                         # step 6-7
    fe = np.where(fe == 0, 1e-10, fe)
    logfe = np.log(fe)
    if cfg["kind"] == "mfe":
        out = logfe
    else:
        out = logfe @ dct_ortho(cfg["num_cepstral"], cfg["num_filters"]).T
        out[:, 0] = np.log(energy)
    return sliding_normalise(out, cfg["win_size"])


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.int16), w.getframerate()


def write_wav(path, samples, rate=16000):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())


def make_wavs():
    rng = np.random.default_rng(20261125)
    t = np.arange(16000) / 16000.0
    # 440 Hz + a 1.3 kHz chirp-ish partial + white noise, with a fade so frames differ.
    env = 0.3 + 0.7 * np.sin(np.pi * t) ** 2
    sig = env * (6000 * np.sin(2 * np.pi * 440 * t) + 2500 * np.sin(2 * np.pi * (1300 + 600 * t) * t))
    sig += rng.normal(0, 800, t.size)
    write_wav(os.path.join(DATA, "tone_noise_1s.wav"), np.clip(np.round(sig), -32768, 32767))
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "yes_raw.wav")
        out = os.path.join(DATA, "yes_short.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", raw, "yes"], check=True)
        subprocess.run(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", out], check=True)
    yes, _ = read_wav(os.path.join(DATA, "yes_short.wav"))
    # The same word centred in a 1 s clip over a quiet noise floor: a typical KWS sample.
    clip = rng.normal(0, 60, 16000)
    start = (16000 - len(yes)) // 2
    clip[start:start + len(yes)] += yes
    write_wav(os.path.join(DATA, "yes_1s.wav"), np.clip(np.round(clip), -32768, 32767))


CONFIGS = [
    ("defaults", {}),
    ("frame25_stride10", {"frame_length": "0.025", "frame_stride": "0.01"}),
    ("filters40", {"num_filters": "40"}),
    ("precof0", {"pre_cof": "0"}),
    ("fft512", {"fft_length": "512"}),
    ("win0", {"win_size": "0"}),
    ("win11", {"win_size": "11"}),
    ("band", {"low_frequency": "300", "high_frequency": "4000", "num_filters": "16",
              "fft_length": "512"}),
    ("mfe", {"kind": "mfe"}),
    ("micro_speech_hann", {"kind": "mfe", "window": "hann", "num_filters": "40",
                           "frame_length": "0.03", "frame_stride": "0.02",
                           "fft_length": "512"}),
]
WAVS = ["tone_noise_1s.wav", "yes_1s.wav", "yes_short.wav"]


def write_csv(path, feat):
    with open(path, "w") as f:
        for row in feat:
            f.write(",".join("%.9g" % v for v in row) + "\n")


def main(argv):
    if argv and argv[0].endswith(".wav"):
        samples, rate = read_wav(argv[0])
        cfg = parse_config(dict(a.split("=", 1) for a in argv[1:]))
        for row in features(samples, cfg):
            print(",".join("%.9g" % v for v in row))
        return 0
    os.makedirs(DATA, exist_ok=True)
    if "--make-wavs" in argv:
        make_wavs()
    cases = []
    for wav in WAVS:
        samples, rate = read_wav(os.path.join(DATA, wav))
        assert rate == 16000
        for name, pairs in CONFIGS:
            feat = features(samples, parse_config(pairs))
            case = wav[:-4] + "__" + name
            write_csv(os.path.join(DATA, case + ".csv"), feat)
            cases.append({"name": case, "wav": wav, "set": pairs, "frames": feat.shape[0],
                          "coeffs": feat.shape[1], "csv": case + ".csv"})
    with open(os.path.join(DATA, "goldens.json"), "w") as f:
        json.dump({"generator": "tools/mfcc_reference.py", "tolerance": 1e-3, "cases": cases},
                  f, indent=1)
        f.write("\n")
    print("wrote %d goldens to %s" % (len(cases), os.path.normpath(DATA)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
