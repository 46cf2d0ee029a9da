#!/usr/bin/env bash
# Protect-all's cost on a whole program, with its breakdown: sqlite3's
# speedtest1 (in-memory database) built from Debian's sqlite3 source with
# the amalgamation, plain, under ASan, and protected in four ways, each
# measured in the same run (CPU time, best of ROUNDS), as ratios to plain:
#
#   plain          clang-19 -O2
#   asan           clang-19 -O2 -fsanitize=address
#   protect-all    immune-cc --immune-protect-all, every default feature
#   before-inlining ... with IMMUNE_AFTER_INLINING=0 (the transactions placed
#                  before the inliner: every function keeps its own, none is
#                  inlined, as every build was placed before that option)
#   no-elide       ... with IMMUNE_ELIDE=0 (no leaf runs in its callers')
#   no-dyboc       ... with IMMUNE_DYBOC=0 (buffers stay on the stack)
#   no-undo        ... with IMMUNE_UNDO=0 (no memory undo log)
#   tx-only        ... with IMMUNE_UNDO=0 IMMUNE_DYBOC=0 (transactions only)
#   dormant        the protect-all binary run with an empty live vaccine
#                  (IMMUNE_OPTIONS=vaccine=..., docs/live.md): nothing armed
#   armed          the protect-all binary with the vaccine "fun:*"
#
#   bench/speedtest1.sh [BUILD_DIR] [SIZE] [ROUNDS]     (defaults build 25 3)
#   VARIANTS="plain protect-all dormant armed" bench/speedtest1.sh ...  (a subset)
#
# Also reports the text size of each build. Takes ~10 minutes on 2 cores
# (the protected builds compile the 9 MB amalgamation with the pass).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
size=${2:-25}
rounds=${3:-3}
work=$build/bench/speedtest1
mkdir -p "$work"
bash "$src/eval/fetch.sh" "$build/eval/src" sqlite3 >&2
tree=$build/eval/src/sqlite3/src
if [ ! -f "$work/sqlite3.c" ]; then
  rm -rf "$work/amalg" && cp -a "$tree" "$work/amalg"
  (cd "$work/amalg" && ./configure >/dev/null && make sqlite3.c >/dev/null)
  cp "$work/amalg/sqlite3.c" "$work/amalg/sqlite3.h" "$work/amalg/test/speedtest1.c" "$work/"
fi
flags="-O2 -g -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I$work"
cc=$build/bin/immune-cc
declare -A cmd=(
  [plain]="clang-19 $flags"
  [asan]="clang-19 $flags -fsanitize=address"
  [protect-all]="env IMMUNE_PROTECT_ALL=1 $cc $flags"
  [before-inlining]="env IMMUNE_PROTECT_ALL=1 IMMUNE_AFTER_INLINING=0 $cc $flags"
  [no-elide]="env IMMUNE_PROTECT_ALL=1 IMMUNE_ELIDE=0 $cc $flags"
  [no-dyboc]="env IMMUNE_PROTECT_ALL=1 IMMUNE_DYBOC=0 $cc $flags"
  [no-undo]="env IMMUNE_PROTECT_ALL=1 IMMUNE_UNDO=0 $cc $flags"
  [tx-only]="env IMMUNE_PROTECT_ALL=1 IMMUNE_UNDO=0 IMMUNE_DYBOC=0 $cc $flags"
)
read -r -a variants <<<"${VARIANTS:-plain asan protect-all before-inlining no-elide no-dyboc no-undo tx-only dormant armed}"
# Run-time variants: a binary built above, run with these options.
: >"$work/empty.vaccine"
echo 'fun:*' >"$work/all.vaccine"
declare -A binary=([dormant]=protect-all [armed]=protect-all)
declare -A options=([dormant]="vaccine=$work/empty.vaccine" [armed]="vaccine=$work/all.vaccine")
for v in "${variants[@]}"; do
  [ -n "${binary[$v]:-}" ] && continue
  stale=0
  [ -x "$work/speedtest1-$v" ] || stale=1
  case $v in plain|asan) ;; *)
    # The protected builds are redone when the plugin or the runtime changed.
    for f in "$build/lib/immune.so" "$build/lib/libimmune_rt.a"; do
      [ "$f" -nt "$work/speedtest1-$v" ] && stale=1
    done ;;
  esac
  if [ "$stale" = 1 ]; then
    echo "building $v" >&2
    ${cmd[$v]} "$work/speedtest1.c" "$work/sqlite3.c" -o "$work/speedtest1-$v" -lm -lpthread
  fi
done
cpu() { # CPU seconds (user + sys) of one run, by bash's own `time`
  local TIMEFORMAT='%U %S' t bin=${binary[$1]:-$1} opt=${options[$1]:-}
  t=$( { time env IMMUNE_OPTIONS="verbosity=0${opt:+:$opt}" ASAN_OPTIONS=detect_leaks=0 \
           "$work/speedtest1-$bin" --size "$size" --memdb >/dev/null 2>&1; } 2>&1 )
  awk '{printf "%.3f\n", $1 + $2}' <<<"$t"
}
declare -A best
for r in $(seq "$rounds"); do
  for v in "${variants[@]}"; do
    t=$(cpu "$v")
    if [ -z "${best[$v]:-}" ] || awk -v a="$t" -v b="${best[$v]}" 'BEGIN{exit !(a < b)}'; then best[$v]=$t; fi
  done
done
printf "%-12s %9s %7s %10s %7s\n" variant "cpu (s)" ratio "text (KB)" ratio
ptext=$(size -A "$work/speedtest1-plain" | awk '$1==".text"{print $2}')
for v in "${variants[@]}"; do
  text=$(size -A "$work/speedtest1-${binary[$v]:-$v}" | awk '$1==".text"{print $2}')
  awk -v v="$v" -v t="${best[$v]}" -v p="${best[plain]}" -v x="$text" -v px="$ptext" \
    'BEGIN{printf "%-12s %9.3f %6.2fx %10d %6.2fx\n", v, t, t/p, x/1024, x/px}'
done
echo "speedtest1 --size $size --memdb, best of $rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
