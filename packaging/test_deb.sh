#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the .deb with CPack, unpacks it into a temporary root (dpkg-deb -x, no root needed,
# nothing touches the system) and checks that it starts:
#   - the package lists the binaries, the desktop entry, the metainfo and the icon, and depends
#     on the shared libraries' packages;
#   - <root>/usr/bin/dendrite --version and --help work;
#   - <root>/usr/bin/dendrite-workbench --screenshot renders a page offscreen;
#   - the desktop entry's Exec and Icon resolve inside the package (desktop-file-validate and
#     appstreamcli are used when installed).
#   packaging/test_deb.sh [BUILD_DIR=build]      (build dendrite and dendrite-workbench first)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
ID=io.github.dendrite_workbench.DendriteWorkbench
fail() { echo "FAIL: $*" >&2; exit 1; }
for b in dendrite dendrite-workbench; do
    [ -x "$BUILD/bin/$b" ] || fail "$BUILD/bin/$b is missing: build it first"
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dw-deb.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

start=$(date +%s)
(cd "$BUILD" && cpack -G DEB -B "$TMP/out" > "$TMP/cpack.log" 2>&1) ||
    { cat "$TMP/cpack.log" >&2; fail "cpack -G DEB failed"; }
DEB=$(ls "$TMP"/out/dendrite-workbench_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || fail "cpack wrote no dendrite-workbench_*.deb"
echo "built $(basename "$DEB") ($(du -h "$DEB" | cut -f1)) in $(( $(date +%s) - start )) s"

dpkg-deb -I "$DEB" > "$TMP/info"
grep -q '^ Package: dendrite-workbench' "$TMP/info" || fail "wrong package name"
for dep in libtorch libqt6widgets6 libportaudio2 libsndfile1 espeak-ng; do
    grep '^ Depends:' "$TMP/info" | grep -q "$dep" || fail "Depends lacks $dep: $(grep Depends "$TMP/info")"
done
dpkg-deb -c "$DEB" > "$TMP/contents"
for f in ./usr/bin/dendrite ./usr/bin/dendrite-workbench \
         "./usr/share/applications/$ID.desktop" "./usr/share/metainfo/$ID.metainfo.xml" \
         "./usr/share/icons/hicolor/scalable/apps/$ID.svg" \
         ./usr/share/doc/dendrite-workbench/copyright; do
    grep -q " $f\$" "$TMP/contents" || fail "the package does not contain $f"
done

ROOT=$TMP/root
dpkg-deb -x "$DEB" "$ROOT"
export PATH="$ROOT/usr/bin:$PATH" QT_QPA_PLATFORM=offscreen
v=$(dendrite --version) || fail "dendrite --version exited non-zero"
[ "$(command -v dendrite)" = "$ROOT/usr/bin/dendrite" ] || fail "PATH does not pick the package"
echo "$v" | grep -q '^dendrite [0-9]' || fail "unexpected version output: $v"
dendrite --help > "$TMP/help" || fail "dendrite --help exited non-zero"
grep -q "check" "$TMP/help" || fail "dendrite --help does not list the commands"
dendrite-workbench --help > /dev/null 2>&1 || fail "dendrite-workbench --help exited non-zero"
dendrite-workbench --screenshot "$TMP/shots" --page dataset --size 800x600 > /dev/null 2>&1 ||
    fail "dendrite-workbench --screenshot exited non-zero"
[ -s "$TMP/shots/dataset.png" ] || fail "dendrite-workbench wrote no screenshot"

desktop=$ROOT/usr/share/applications/$ID.desktop
exec_bin=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
[ -x "$ROOT/usr/bin/$exec_bin" ] || fail "desktop Exec=$exec_bin is not in the package"
icon=$(sed -n 's/^Icon=//p' "$desktop")
[ -f "$ROOT/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "desktop Icon=$icon missing"
if command -v desktop-file-validate > /dev/null; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate"
fi
if command -v appstreamcli > /dev/null; then
    appstreamcli validate --no-net --pedantic "$ROOT/usr/share/metainfo/$ID.metainfo.xml" ||
        echo "note: appstreamcli reported the issues above"
fi
echo "PASS: $(basename "$DEB") installs into a temporary root; $v; dendrite-workbench renders"
