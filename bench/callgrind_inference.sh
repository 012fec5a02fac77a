#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Instructions per inference of the exported C runtime (float32 and int8), counted by callgrind:
# exports RUN (or uses given export folders), builds each folder's host example with
# `cc -std=c99 -O2`, runs `--bench 1` and `--bench 101` under callgrind and prints
# (Ir(101) - Ir(1)) / 100, which leaves out start-up and the self-check.
#   bench/callgrind_inference.sh RUN_DIR [DENDRITE_BIN [PROJECT_DIR]]
#   bench/callgrind_inference.sh --folders FLOAT_DIR INT8_DIR
# PROJECT_DIR: the run's project when the run folder is not inside it (int8 calibration data).
set -eu
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = "--folders" ]; then
    float_dir=$2; int8_dir=$3
else
    run=${1:?usage: callgrind_inference.sh RUN_DIR [DENDRITE_BIN [PROJECT_DIR]]}
    bin=${2:-$(dirname "$0")/../build/bin/dendrite}
    proj=${3:-}
    set --
    if [ -n "$proj" ]; then set -- --project "$proj"; fi
    "$bin" export "$run" --format c --out "$work/float" --no-arm "$@" >/dev/null
    "$bin" export "$run" --format c-int8 --out "$work/int8" --no-arm "$@" >/dev/null
    float_dir=$work/float; int8_dir=$work/int8
fi
count() { # folder n -> total instructions
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/classify" --bench "$2" \
        >/dev/null 2>"$work/vg.log"
    grep -E '^(summary|totals):' "$work/cg.out" | head -n1 | awk '{print $2}'
}
for kind in float int8; do
    eval dir=\$${kind}_dir
    (cd "$dir" && cc -std=c99 -O2 ./*.c -lm -o "$work/classify")
    one=$(count "$dir" 1)
    many=$(count "$dir" 101)
    echo "$kind: $(( (many - one) / 100 )) instructions per inference (callgrind, cc -O2)"
done
