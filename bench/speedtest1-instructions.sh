#!/usr/bin/env bash
# Protect-all's cost on speedtest1 in instructions, not seconds: the same
# builds as bench/speedtest1.sh, each run once under callgrind (valgrind's
# instruction counter), so a change of a few percent shows although CPU
# time on a shared 2-core machine varies by ±15% from one run to the next.
# Prints instructions per variant and the ratio to plain, then the runtime
# functions that cost the most in the protect-all run.
#
#   bench/speedtest1-instructions.sh [BUILD_DIR] [SIZE]      (defaults build 3)
#   VARIANTS="plain protect-all" bench/speedtest1-instructions.sh ...
#
# Needs valgrind (Debian's valgrind; 3.19 reads no DWARF 5, so the builds
# are -gdwarf-4 and stripped of it: the report is per function). ~3 minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
size=${2:-3}
command -v valgrind >/dev/null || { echo "speedtest1-instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
work=$build/bench/speedtest1
[ -f "$work/sqlite3.c" ] || VARIANTS=plain bash "$here/speedtest1.sh" "$build" 1 1 >/dev/null
out=$work/instructions
mkdir -p "$out"
flags="-O2 -gdwarf-4 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I$work"
cc=$build/bin/immune-cc
declare -A cmd=(
  [plain]="clang-19 $flags"
  [protect-all]="env IMMUNE_PROTECT_ALL=1 $cc $flags"
  [no-dyboc]="env IMMUNE_PROTECT_ALL=1 IMMUNE_DYBOC=0 $cc $flags"
  [no-undo]="env IMMUNE_PROTECT_ALL=1 IMMUNE_UNDO=0 $cc $flags"
  [tx-only]="env IMMUNE_PROTECT_ALL=1 IMMUNE_UNDO=0 IMMUNE_DYBOC=0 $cc $flags"
)
read -r -a variants <<<"${VARIANTS:-plain protect-all no-dyboc no-undo tx-only}"
declare -A ir
printf '%-12s %15s %7s\n' variant instructions ratio
for v in "${variants[@]}"; do
  ${cmd[$v]} "$work/speedtest1.c" "$work/sqlite3.c" -o "$out/speedtest1-$v" -lm -lpthread
  strip --strip-debug "$out/speedtest1-$v"
  IMMUNE_OPTIONS=verbosity=0 valgrind --tool=callgrind --callgrind-out-file="$out/$v.callgrind" \
    "$out/speedtest1-$v" --size "$size" --memdb >/dev/null 2>"$out/$v.log"
  ir[$v]=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$v.log")
  base=${ir[plain]:-${ir[$v]}}
  awk -v v="$v" -v n="${ir[$v]}" -v b="$base" 'BEGIN{printf "%-12s %15d %6.2fx\n", v, n, n / b}'
done
if [ -f "$out/protect-all.callgrind" ]; then
  echo "runtime functions in protect-all (instructions, self):"
  callgrind_annotate "$out/protect-all.callgrind" 2>/dev/null | grep ' ???:' | grep '\[???\]' | head -8
fi
echo "speedtest1 --size $size --memdb under callgrind"
