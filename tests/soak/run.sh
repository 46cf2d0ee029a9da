#!/usr/bin/env bash
# The long reliability runs (`make soak`; docs/reliability.md has the figures):
#
#   1. bombardment: 1,000,000 requests that fault inside the demo server's
#      parse_query(), interleaved with 250,000 good ones, every answer checked,
#      RSS / descriptors / threads watched (bombard.c);
#   2. fault storm: 16 threads x 40,000 nested, guarded, faulting calls each
#      (tests/storm/storm.c, -O2, reports off);
#   3. the runtime under ASan+UBSan and TSan (tests/sanitize/run.sh).
#
#   tests/soak/run.sh [BUILD_DIR]
#
# Environment: SOAK_FAULTS (default 1000000), STORM_THREADS (16),
# STORM_ROUNDS (40000), SOAK_SANITIZE=0 to skip step 3. Figures go to
# BUILD_DIR/tests/soak/*.json. Exit status 0 only if every step passed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd) || exit 2
out=$build/tests/soak
mkdir -p "$out"
faults=${SOAK_FAULTS:-1000000}
threads=${STORM_THREADS:-16}
rounds=${STORM_ROUNDS:-40000}

cmake --build "$build" --target bombard example_httpd immune immune_rt || exit 2
status=0
failed=()

echo "== bombardment: $faults faulting requests (examples/httpd/httpd-immune)"
if ! "$build/bin/bombard" --faults "$faults" --seconds 1800 --json "$out/bombard.json" \
    "$build/examples/httpd/httpd-immune"; then
  status=1 failed+=(bombardment)
fi

echo "== fault storm: $threads threads x $rounds rounds (-O2)"
"$build/bin/immune-cc" -O2 -g "$src/tests/storm/storm.c" -o "$out/storm" || exit 2
start=$(date +%s)
if IMMUNE_OPTIONS=verbosity=0:handle_abort=all "$out/storm" "$threads" "$rounds" "$start" >"$out/storm.log" 2>&1; then
  grep -E '^storm:' "$out/storm.log"
else
  grep -vE '^ok ' "$out/storm.log" | tail -n 20
  status=1 failed+=(storm)
fi
echo "  $(( $(date +%s) - start )) s (seed $start)"

if [ "${SOAK_SANITIZE:-1}" != 0 ]; then
  echo "== the runtime under sanitizers"
  bash "$src/tests/sanitize/run.sh" "$build" || { status=1 failed+=(sanitizers); }
fi

if [ $status = 0 ]; then echo "soak: PASS"; else echo "soak: FAIL: ${failed[*]}"; fi
exit $status
