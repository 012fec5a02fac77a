#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Dendrite Workbench: one command to set up, build and run.
#   ./run.sh         install what is missing, build, open the GUI on the demo project
#                    (no display: run the main job headless and print the results)
#   ./run.sh test    install, build and run the whole test suite (ctest)
#   ./run.sh bench   install, build and run the benchmarks; writes docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
MODE=${1:-run}
BUILD=$ROOT/build
DEMO=${DW_DEMO_PROJECT:-$ROOT/demo-project}
JOBS=$(nproc)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- 1. packages: only the missing ones are installed --------------------------------------
PKGS=(cmake ninja-build ccache g++ pkg-config
      qt6-base-dev qt6-base-dev-tools libgl1-mesa-dev libqcustomplot-dev libqcustomplot2.1-qt6
      libtorch-dev portaudio19-dev libsndfile1-dev libsamplerate0-dev libasound2-dev
      nlohmann-json3-dev espeak-ng flite fonts-dejavu-core)
TEST_PKGS=(xvfb xauth jackd2 python3 python3-numpy parallel sox slurm-wlm munge
           gcc-arm-none-eabi libnewlib-arm-none-eabi python3-onnx)
BENCH_PKGS=(python3-numpy python3-torch valgrind time)
case "$MODE" in
  test) PKGS+=("${TEST_PKGS[@]}") ;;
  bench) PKGS+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}") ;;
esac
# npm installs ONNX Runtime (below); a machine with Node.js from elsewhere already has it.
if [ "$MODE" != run ] && ! command -v npm >/dev/null; then PKGS+=(npm); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing missing packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 1b. ONNX Runtime (npm onnxruntime-node, CPU) for the ONNX export test and benchmark ------
# Debian has no ONNX Runtime; the npm package carries its CPU binary. --ignore-scripts: its
# install script downloads extras and fails offline.
ORT=$ROOT/tools/onnxruntime
if [ "$MODE" != run ] && command -v npm >/dev/null &&
   [ ! -f "$ORT/node_modules/onnxruntime-node/package.json" ]; then
  say "installing ONNX Runtime (npm onnxruntime-node) into tools/onnxruntime"
  (cd "$ORT" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null) ||
    say "npm could not install onnxruntime-node: the ONNX Runtime test will fail and say so"
fi

# --- 2. build (Release, ccache) -------------------------------------------------------------
export CCACHE_DIR=${CCACHE_DIR:-$ROOT/.ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
say "building (Release, ccache) in $BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake --preset release -DDW_WERROR=${DW_WERROR:-ON} >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS"

case "$MODE" in
  test)
    cd "$BUILD"
    rc=0
    # --- sanitizers (issue 9): torch-free core/audio tests under ASan+UBSan in build-asan ---
    # First, so that the run ends with the whole suite's ctest summary; a failure still fails.
    say "running the sanitizer tests (asan-ubsan preset, torch-free subset)"
    "$ROOT/tools/ci_sanitizers.sh" "$JOBS" || rc=1
    say "running the test suite"
    ctest --output-on-failure -j "$JOBS" --timeout 900 || rc=$?
    [ "$rc" -eq 0 ] || say "FAILED: see the sanitizer stage above and the summary" >&2
    exit $rc
    ;;
  bench)
    say "running the benchmarks"
    exec "$ROOT/bench/run_all.sh" "$BUILD"
    ;;
  run) ;;
  *) echo "usage: ./run.sh [test|bench]" >&2; exit 2 ;;
esac

# --- 3. demo project on first run -----------------------------------------------------------
if [ ! -f "$DEMO/project.json" ]; then
  say "creating the demo project in $DEMO (synthesised speech, 2-3 minutes)"
  "$BUILD/bin/dendrite" demo-data --out "$DEMO" --seed 1
fi

# --- 4. GUI, or the main job headless -------------------------------------------------------
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BUILD/bin/dendrite-workbench" ]; then
  say "opening Dendrite Workbench on $DEMO"
  exec "$BUILD/bin/dendrite-workbench" "$DEMO"
fi
say "no display found (DISPLAY and WAYLAND_DISPLAY are unset): running the main job headless"
RUN=$DEMO/runs/compare-$(date +%Y%m%d-%H%M%S)
"$BUILD/bin/dendrite" compare --project "$DEMO" --out "$RUN"
for r in "$RUN"/*-seed*/; do
  "$BUILD/bin/dendrite" plot "$r" --out "${r%/}.png" 2>/dev/null
done
"$BUILD/bin/dendrite" plot "$RUN" --out "$RUN/compare.png" 2>/dev/null
say "results: $RUN/compare.csv; plots: $RUN/*.png (compare.png side by side)"
