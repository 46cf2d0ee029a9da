#!/usr/bin/env bash
# immune-heal refuses a vaccine that heals one input again and again: on
# tests/heal/replay.c the innermost candidate (try_command) survives the
# reproduction only after 20,000 recoveries of the same command; the loop
# must reject it (--max-recoveries) and climb to drive, whose abort makes
# main report the command as rejected.
#   heal_replay_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$work/replay"
cat > "$work/reproduce.sh" <<SH
#!/bin/sh
# Survival is all it asks (as a user's attack replay would).
IMMUNE_OPTIONS=verbosity=0:\${IMMUNE_OPTIONS:-} "$bin" 'ab!c' >/dev/null
SH
cat > "$work/tests.sh" <<SH
#!/bin/sh
[ "\$("$bin" abc)" = done ]
SH
chmod +x "$work/reproduce.sh" "$work/tests.sh"
"$build/bin/immune-heal" --build "\$CC -O0 -g $src/tests/heal/replay.c -o $bin" \
  --reproduce "$work/reproduce.sh" --test "$work/tests.sh" --out "$work/out" --json \
  > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=1; fi; }
check "immune-heal finds a vaccine (exit $rc)" '[ "$rc" = 0 ]'
check "the vaccine is drive" 'grep -q "^fun:drive$" "$work/out/vaccine.policy"'
check "try_command was refused for its recoveries" \
  'grep -Eq "try 1: try_command: [0-9]+ recoveries for one reproduction" "$work/progress.txt"'
[ "$fails" = 0 ] || sed 's/^/    /' "$work/progress.txt" | tail -20
exit $fails
