#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the libFuzzer targets one after another (nice, one core each), then merges what they found
# into the committed corpus (minimised) and appends a line per run to fuzz/fuzz-log.tsv.
#   fuzz/run_fuzzers.sh [SECONDS_EACH=60] [TARGET...]
# Needs the fuzz build: cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang
#   -DCMAKE_CXX_COMPILER=clang++ -DDW_FUZZ=ON -DDW_BUILD_GUI=OFF -DDW_BUILD_TESTS=OFF
#   -DDW_BUILD_BENCH=OFF && cmake --build build-fuzz --target fuzz_wav fuzz_project ... -j2
# A crash leaves its input in build-fuzz/fuzz-artifacts/<target>/; copy it into
# fuzz/regressions/<target>/ once fixed (test_fuzz_corpus replays it).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${DW_FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(wav project run_record sweep results_csv names checkpoint)
LOG=$ROOT/fuzz/fuzz-log.tsv
[ -f "$LOG" ] || printf 'date\ttarget\tseconds\texecs\tcorpus_files\tresult\n' > "$LOG"
rc=0
for t in "${TARGETS[@]}"; do
    bin=$BUILD/bin/fuzz_$t
    [ -x "$bin" ] || { echo "missing $bin (build the fuzz targets first)" >&2; exit 2; }
    work=$BUILD/fuzz-work/$t
    art=$BUILD/fuzz-artifacts/$t
    mkdir -p "$work" "$art"
    out=$BUILD/fuzz-work/$t.log
    start=$(date +%s)
    nice -n 10 "$bin" -max_total_time="$SECONDS_EACH" -timeout="${DW_FUZZ_TIMEOUT:-30}" -max_len=8192 \
        -dict="$ROOT/fuzz/json.dict" -artifact_prefix="$art/" -print_final_stats=1 \
        "$work" "$ROOT/fuzz/corpus/$t" > "$out" 2>&1
    status=$?
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
    result=ok
    if [ $status -ne 0 ]; then
        result="crash(exit $status): see $out and $art"
        rc=1
    fi
    # Minimise the committed corpus plus everything new into a fresh folder, then swap it in.
    fresh=$BUILD/fuzz-work/$t.merged
    rm -rf "$fresh" && mkdir -p "$fresh"
    nice -n 10 "$bin" -merge=1 -timeout="${DW_FUZZ_TIMEOUT:-30}" -max_len=8192 "$fresh" "$ROOT/fuzz/corpus/$t" \
        "$work" > "$BUILD/fuzz-work/$t.merge.log" 2>&1
    if [ "$(ls "$fresh" | wc -l)" -gt 0 ]; then
        find "$ROOT/fuzz/corpus/$t" -type f -delete
        cp "$fresh"/* "$ROOT/fuzz/corpus/$t/"
    fi
    files=$(ls "$ROOT/fuzz/corpus/$t" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "${execs:-?}" "$files" \
        "$result" | tee -a "$LOG"
done
exit $rc
