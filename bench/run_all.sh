#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every benchmark in one go (each measures its peer in the same run) and writes
# docs/benchmarks.md from their "RESULT key=value ..." lines.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/docs/benchmarks.md
LOG=$(mktemp)
for b in "$BUILD"/bin/bench_*; do
  [ -x "$b" ] || continue
  echo "==> $(basename "$b")"
  "$b" 2>&1 | tee -a "$LOG"
done
{
  echo "# Benchmarks"
  echo
  echo "Measured by \`./run.sh bench\` on $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m))."
  echo "Every ratio compares against a peer measured in the same run on the same machine."
  echo
  echo "| benchmark | measurements |"
  echo "|---|---|"
  grep '^RESULT ' "$LOG" | sed -E 's/^RESULT ([^ ]+) (.*)$/| \1 | \2 |/'
} > "$OUT"
rm -f "$LOG"
echo "wrote $OUT"
