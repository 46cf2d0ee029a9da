#!/usr/bin/env bash
# Fetches a Debian source package into the evaluation's cache (once), or
# skips (77) when Debian's archive cannot be reached.
#   fetch_test.sh SOURCE_DIR BUILD_DIR PACKAGE
set -uo pipefail
src=$1 build=$2 pkg=$3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if bash "$src/eval/fetch.sh" "$build/eval/src" "$pkg" > "$log" 2>&1; then
  echo "ok: $pkg $(cat "$build/eval/src/$pkg/VERSION") in $build/eval/src/$pkg/src"
  exit 0
fi
cat "$log"
echo "SKIP: cannot fetch the Debian source package $pkg"
exit 77
