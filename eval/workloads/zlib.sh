#!/usr/bin/env bash
# Campaign workload for zlib, with immune-campaign's exit codes (0 correct,
# 1 wrong results, 2 a program died of a signal). It is zlib's own tests —
# what `make test` runs (minigzip round trip and example, static and shared)
# and test/infcover — plus minigzip round trips of zlib's own sources at
# levels 1, 6 and 9, so that deflate's three strategies run on real data.
#   zlib.sh BUILD_DIR
set -u
dir=$(readlink -f "$1")
tmp=${IMMUNE_CAMPAIGN_TMP:-$(mktemp -d)}
cd "$tmp" || exit 1
wrong=0 died=0

# Exit status of one test program: a signal death is a crash, anything
# else non-zero a wrong result.
judge() { # name status...
  local name=$1 s; shift
  for s in "$@"; do
    if [ "$s" -gt 128 ]; then echo "DIED($s): $name"; died=1
    elif [ "$s" != 0 ]; then echo "FAILED($s): $name"; wrong=1; fi
  done
}

for kind in static shared; do
  if [ $kind = static ]; then mg=$dir/minigzip ex=$dir/example; export -n LD_LIBRARY_PATH
  else mg=$dir/minigzipsh ex=$dir/examplesh; export LD_LIBRARY_PATH=$dir; fi
  out=$(echo hello world | "$mg" | "$mg" -d)
  judge "$kind: minigzip round trip" "${PIPESTATUS[@]}"
  [ "$out" = "hello world" ] || { echo "WRONG: $kind minigzip output '$out'"; wrong=1; }
  "$ex" "$tmp/ex_$kind" > ex_$kind.out 2>&1
  judge "$kind: example" $?
done
export -n LD_LIBRARY_PATH

# infcover checks with assert(): an abort there is the test failing, not a
# crash of zlib (handle_abort=0: the runtime leaves that SIGABRT alone).
IMMUNE_OPTIONS="${IMMUNE_OPTIONS:+$IMMUNE_OPTIONS:}handle_abort=0" "$dir/infcover" > infcover.out 2>&1
s=$?
if [ $s = 134 ]; then echo "FAILED: infcover (assertion)"; wrong=1; else judge "infcover" $s; fi

for f in "$dir/deflate.c" "$dir/zlib.h" "$dir/ChangeLog"; do
  for level in 1 6 9; do
    "$dir/minigzip" -$level < "$f" > z.gz
    judge "minigzip -$level $(basename "$f")" $?
    "$dir/minigzip" -d < z.gz > z.out
    judge "minigzip -d $(basename "$f") (level $level)" $?
    cmp -s z.out "$f" || { echo "WRONG: round trip of $(basename "$f") at level $level"; wrong=1; }
  done
done

[ $died = 1 ] && exit 2
[ $wrong = 1 ] && exit 1
exit 0
