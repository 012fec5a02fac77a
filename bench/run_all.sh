#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the whole benchmark suite in one go and writes docs/benchmarks.md (+ docs/benchmarks.svg)
# from the "RESULT name=... what=... ours=... peer=... ratio=... target=... status=..." lines
# the benchmarks print. Every ratio compares against a peer measured in the same run.
#   bench/run_all.sh [BUILD_DIR]      (./run.sh bench calls it with build/)
# Environment: DW_DEMO_PROJECT (default demo-project/, created if missing),
#              DW_BENCH_QUICK=1 (fewer rounds, for trying the script out).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
BIN=$BUILD/bin
DEMO=${DW_DEMO_PROJECT:-$ROOT/demo-project}
OUT=$ROOT/docs/benchmarks.md
WORK=$(mktemp -d)
LOG=$WORK/bench.log
trap 'rm -rf "$WORK"' EXIT
QUICK=${DW_BENCH_QUICK:-0}
say() { printf '\n==> %s\n' "$*" | tee -a "$LOG"; }
result() { echo "RESULT $*" | tee -a "$LOG"; }
have_time=0; [ -x /usr/bin/time ] && have_time=1

# Peak RSS (kB) of a command, its stdout/stderr to $2; sets RSS_KB (empty without GNU time).
run_rss() {
  local out=$1; shift
  RSS_KB=
  if [ $have_time = 1 ]; then
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > "$out" 2>&1
    local rc=$?
    RSS_KB=$(tail -n1 "$WORK/rss" 2>/dev/null)
    return $rc
  fi
  "$@" > "$out" 2>&1
}

start=$(date +%s)
if [ ! -f "$DEMO/project.json" ]; then
  say "creating the demo project in $DEMO"
  "$BIN/dendrite" demo-data --out "$DEMO" --seed 1 | tail -n 3 | tee -a "$LOG"
fi

# --- MFCC, training steps, inference (untrained baseline), dataset, GUI -----------------------
say "MFCC: core and C99 runtime vs the numpy peer, each in its own process, alternating"
python3 "$ROOT/bench/mfcc_vs_numpy.py" "$BIN/bench_mfcc" --runs $([ "$QUICK" = 1 ] && echo 3 || echo 7) 2>&1 | tee -a "$LOG"
say "training steps: LibTorch C++ engine vs python3-torch, each in its own process, alternating"
python3 "$ROOT/bench/train_vs_torch.py" "$BIN/bench_train" --runs $([ "$QUICK" = 1 ] && echo 3 || echo 9) --seconds 1 2>&1 | tee -a "$LOG"
say "bench_dataset (feature extraction of the demo project, 1 thread vs all cores)"
"$BIN/bench_dataset" "$DEMO" --rounds $([ "$QUICK" = 1 ] && echo 1 || echo 3) 2>&1 | tee -a "$LOG"
if [ -x "$BIN/bench_gui" ]; then
  say "bench_gui (offscreen frame rates)"
  "$BIN/bench_gui" 2>&1 | tee -a "$LOG"
fi

# --- training on the demo project: time to target, peak RSS ----------------------------------
# Time to target: the first epoch whose validation accuracy reaches 0.75 (summed epoch seconds).
time_to() { # run_dir target -> seconds or n/a
  python3 - "$1/events.jsonl" "$2" <<'EOF'
import json, sys
t = 0.0
try:
    for line in open(sys.argv[1]):
        e = json.loads(line)
        if "epoch" not in e or "val_accuracy" not in e:
            continue
        t += float(e.get("seconds", 0))
        if e["val_accuracy"] >= float(sys.argv[2]):
            print("%.1f" % t); sys.exit(0)
except OSError:
    pass
print("n/a")
EOF
}
summary() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sys.argv[2] % tuple(s[k] for k in sys.argv[3:]))" "$@"; }
# The cc run ends by the tracker (epochs_max is only a safety net since the library-parity engine).
for spec in "ei1d|traditional|--model ei1d" "cc|cc|--mode cc"; do
  IFS='|' read -r tag mode args <<< "$spec"
  run=$WORK/train-$tag
  say "training $tag on the demo project ($args)"
  # shellcheck disable=SC2086
  run_rss "$WORK/train-$tag.log" "$BIN/dendrite" train --project "$DEMO" --out "$run" $args --quiet
  tail -n 3 "$WORK/train-$tag.log" | tee -a "$LOG"
  if [ -f "$run/summary.json" ]; then
    sec=$(summary "$run/summary.json" "%.1f" seconds)
    what=$(summary "$run/summary.json" "%s, %d params, test %.3f, dendrites %s" mode params test_accuracy dendrites)
    ttt=$(time_to "$run" 0.75)
    result "name=train_time_to_target_$tag what=\"Training to val accuracy 0.75 on the demo project: $what; whole run ${sec} s\"" \
           "ours=\"$ttt s\" peer=n/a ratio=n/a target=\"python3-torch peer not measured\" status=info"
    if [ -n "$RSS_KB" ]; then
      mb=$((RSS_KB / 1024))
      result "name=train_peak_rss_$tag what=\"Peak RSS of dendrite train ($tag, demo project)\"" \
             "ours=\"$mb MB\" peer=n/a ratio=n/a target=\"< 1024 MB\" status=$([ $mb -lt 1024 ] && echo met || echo BELOW_TARGET)"
    fi
  fi
done

# --- inference on the trained baseline: runtime vs LibTorch, callgrind, Cortex-M4 estimate ---
base=$WORK/train-ei1d
if [ -f "$base/best.pt" ]; then
  say "bench_inference on the trained Edge Impulse baseline"
  "$BIN/bench_inference" "$base" --iterations $([ "$QUICK" = 1 ] && echo 1500 || echo 6000) 2>&1 | tee -a "$LOG"
  # ONNX Runtime (npm onnxruntime-node, tools/onnxruntime) on the same model exported to ONNX,
  # in its own process (node), 3 runs, median; an Identity model of the same input measures
  # the binding's and the session's call overhead.
  ORT=$ROOT/tools/onnxruntime
  if command -v node >/dev/null && [ -f "$ORT/node_modules/onnxruntime-node/package.json" ] &&
     "$BIN/dendrite" export "$base" --format onnx --out "$WORK/onnx" > "$WORK/onnx.log" 2>&1; then
    /usr/bin/python3 - "$WORK/onnx/model.onnx" "$WORK/identity.onnx" <<'PY' || true
import sys, onnx, onnx.helper as h
src = onnx.load(sys.argv[1]).graph.input[0]
x = h.make_tensor_value_info(src.name, src.type.tensor_type.elem_type,
                             [d.dim_value or 1 for d in src.type.tensor_type.shape.dim])
y = h.make_tensor_value_info("out", src.type.tensor_type.elem_type,
                             [d.dim_value or 1 for d in src.type.tensor_type.shape.dim])
m = h.make_model(h.make_graph([h.make_node("Identity", [src.name], ["out"])], "identity", [x], [y]),
                 opset_imports=[h.make_opsetid("", 13)])
m.ir_version = 8
onnx.save(m, sys.argv[2])
PY
    for i in 1 2 3; do
      node "$ORT/bench.js" "$WORK/onnx/model.onnx" 3000 | tee -a "$LOG" | sed -n 's/.*ort_us=\([0-9.]*\).*/\1/p' >> "$WORK/ort_model"
      [ -f "$WORK/identity.onnx" ] && node "$ORT/bench.js" "$WORK/identity.onnx" 3000 | sed -n 's/.*ort_us=\([0-9.]*\).*/\1/p' >> "$WORK/ort_identity"
    done
    c_us=$(sed -n 's/^C runtime float32 *: *\([0-9.]*\) us.*/\1/p' "$LOG" | tail -n1)
    python3 - "$WORK/ort_model" "$WORK/ort_identity" "$c_us" <<'PY' | tee -a "$LOG"
import statistics, sys
def med(path):
    try:
        return statistics.median(float(v) for v in open(path) if v.strip())
    except (OSError, statistics.StatisticsError):
        return None
ort, ident, c = med(sys.argv[1]), med(sys.argv[2]), float(sys.argv[3] or "nan")
if ort is None or c != c:
    print("ONNX Runtime bench did not run")
else:
    over = ("binding + session call overhead %.1f us (%.0f %%, an Identity model); without it ONNX Runtime "
            "takes ~%.1f us, %.1fx ours" % (ident, 100 * ident / ort, max(ort - ident, 0), max(ort - ident, 0) / c)
            if ident else "overhead not measured")
    print('RESULT name=inference_vs_onnxruntime what="C runtime float32 vs ONNX Runtime 1 thread batch 1 '
          '(npm onnxruntime-node in its own process, median of 3 runs; %s)" ours="%.2f us" peer="%.2f us" '
          'ratio=%.2f target="(reported)" status=info' % (over, c, ort, ort / c))
PY
  else
    say "ONNX Runtime not installed (./run.sh test or bench installs it with npm): no ONNX Runtime row"
  fi
  if command -v valgrind >/dev/null; then
    say "callgrind: instructions per inference (cc -O2, as the export README builds it)"
    "$ROOT/bench/callgrind_inference.sh" "$base" "$BIN/dendrite" "$DEMO" 2>&1 | tee "$WORK/cg.log" | tee -a "$LOG"
    for kind in float int8; do
      ir=$(sed -n "s/^$kind: \([0-9]*\) instructions.*/\1/p" "$WORK/cg.log")
      macs=$(sed -n 's/^model: .*(\([0-9]*\) MACs).*/\1/p' "$LOG" | tail -n1)
      [ -n "$ir" ] && result "name=callgrind_$kind what=\"C runtime $kind, instructions per inference (x86-64, cc -O2), $macs MACs\"" \
                              "ours=\"$ir instr\" peer=n/a ratio=n/a target=\"instruction count (repeatable)\" status=info"
    done
  fi
  macs=$(sed -n 's/^model: .*(\([0-9]*\) MACs).*/\1/p' "$LOG" | tail -n1)
  if [ -n "$macs" ]; then
    # Cortex-M4F at 80 MHz (the EI tutorial's board): float ~2 cycles/MAC (VFMA + two loads),
    # int8 ~1 cycle/MAC (SMLAD pairs, as CMSIS-NN); an estimate, not a measurement.
    for kind in float:2 int8:1; do
      k=${kind%%:*}; c=${kind##*:}
      ms=$(python3 -c "print('%.2f' % ($macs * $c / 80e6 * 1e3))")
      result "name=cortex_m4_estimate_$k what=\"Estimated Cortex-M4F network time at 80 MHz, $k, $macs MACs x $c cycles/MAC\"" \
             "ours=\"$ms ms\" peer=\"13 ms (EI tutorial anchor: other model, real board)\" ratio=n/a target=\"(estimate, no target)\" status=info"
    done
  fi
fi

# --- sweep throughput: --jobs 2 vs --jobs 1 ------------------------------------------------
say "sweep throughput (bench/sweep_bench.json on the demo project)"
for j in 1 2; do
  t0=$(date +%s.%N)
  "$BIN/dendrite" sweep run "$ROOT/bench/sweep_bench.json" --project "$DEMO" --out "$WORK/sweep-$j" --jobs $j > "$WORK/sweep-$j.log" 2>&1
  t1=$(date +%s.%N)
  n=$(($(grep -c ',finished,' "$WORK/sweep-$j/results.csv" 2>/dev/null || echo 0)))
  eval "sweep_s_$j=$(python3 -c "print('%.1f' % ($t1 - $t0))")"
  eval "sweep_n_$j=$n"
  tail -n 2 "$WORK/sweep-$j.log" | tee -a "$LOG"
done
if [ "${sweep_n_1:-0}" -gt 0 ] && [ "${sweep_n_2:-0}" -gt 0 ]; then
  read -r tph1 tph2 scale proj <<< "$(python3 -c "
a = $sweep_n_1 * 3600 / $sweep_s_1; b = $sweep_n_2 * 3600 / $sweep_s_2
print('%.0f %.0f %.2f %.1f' % (a, b, b / a, 800 / b))")"
  result "name=sweep_jobs2 what=\"Sweep trials per hour, --jobs 2 vs --jobs 1 ($sweep_n_2 EI-network trials of 6 epochs; 800-trial projection at this rate: $proj h)\"" \
         "ours=\"$tph2 trials/h\" peer=\"$tph1 trials/h\" ratio=$scale target=\">= 1.6x (2 cores)\" status=$(python3 -c "print('met' if $scale >= 1.6 else 'BELOW_TARGET')")"
fi

# --- GUI memory ---------------------------------------------------------------------------
if [ -x "$BIN/dendrite-workbench" ] && [ $have_time = 1 ]; then
  say "peak RSS of the GUI with the demo project open (offscreen, all pages rendered)"
  QT_QPA_PLATFORM=offscreen run_rss "$WORK/gui.log" "$BIN/dendrite-workbench" --screenshot "$WORK/shots" "$DEMO"
  if [ -n "$RSS_KB" ]; then
    result "name=gui_peak_rss what=\"Peak RSS of dendrite-workbench with the demo project open (every page rendered)\"" \
           "ours=\"$((RSS_KB / 1024)) MB\" peer=n/a ratio=n/a target=\"(reported)\" status=info"
  fi
fi

# --- the report -----------------------------------------------------------------------------
elapsed=$(( $(date +%s) - start ))
python3 "$ROOT/bench/report.py" "$LOG" "$OUT" "$elapsed" && echo "wrote $OUT"
