#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sanitizer stage of `./run.sh test` (issue 9): configures the asan-ubsan preset (build-asan,
# Debug, -fsanitize=address,undefined, no recovery) with the torch-free test subset
# (-DDW_SANITIZE_SUBSET=ON, see tests/reliability/CMakeLists.txt), builds it and runs
# `ctest -L sanitize`: the core parsers, project, features, sweep, run records, runtime MFCC/NN,
# the audio ring, fake backend and importer, and the fuzz corpus replay. Any ASan/UBSan/LSan
# report fails the test that triggered it. Prints how long the stage took.
#   tools/ci_sanitizers.sh [JOBS=nproc]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build-asan
JOBS=${1:-$(nproc)}
start=$(date +%s)
if [ ! -f "$BUILD/build.ninja" ] || ! grep -q '^DW_SANITIZE_SUBSET:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    cmake --preset asan-ubsan -DDW_BUILD_BENCH=OFF -DDW_SANITIZE_SUBSET=ON > /dev/null
fi
cmake --build "$BUILD" --target dw_sanitize_tests -j "$JOBS"
built=$(date +%s)
rc=0
(cd "$BUILD" && ctest -L sanitize --output-on-failure -j "$JOBS" --timeout 900) || rc=$?
end=$(date +%s)
echo "sanitizer stage: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
exit $rc
