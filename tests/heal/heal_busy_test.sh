#!/usr/bin/env bash
# immune-heal refuses a candidate whose replay survives but keeps the program
# busy (tests/heal/busy.c): field_len's -1 becomes a 4-billion-step loop in
# its caller. The replay's CPU time against the unprotected run's is what
# gives it away; the loop climbs to checksum.
#   heal_busy_test.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/heal_lib.sh" "$@"
bin="$work/busy"
cat > "$work/reproduce.sh" <<SH
#!/bin/sh
# Survival is all it asks (as a user's attack replay would).
"$bin" a:b nocolon c:d >/dev/null
SH
cat > "$work/tests.sh" <<SH
#!/bin/sh
[ "\$("$bin" a:bc)" = "a:bc ok" ]
SH
chmod +x "$work/reproduce.sh" "$work/tests.sh"
"$heal" --build "\$CC -O2 -g $src/tests/heal/busy.c -o $bin" \
  --reproduce "$work/reproduce.sh" --test "$work/tests.sh" --out "$work/out" --json \
  > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
[ "$rc" = 0 ] && ok "immune-heal finds a vaccine (exit 0)" || bad "immune-heal exit $rc" "$work/progress.txt"
grep -q "try 1: field_len: the program stayed busy" "$work/progress.txt" \
  && ok "field_len was refused for the CPU its replay burnt" || bad "no busy refusal" "$work/progress.txt"
grep -q "^fun:checksum$" "$work/out/vaccine.policy" 2>/dev/null && ok "the vaccine is checksum" \
  || bad "vaccine" "$work/progress.txt"
python3 - "$work/summary.json" <<'PY' && ok "--json: the refusal says busy, with the CPU times" || bad "summary" "$work/summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["candidates"][0]
assert t["function"] == "field_len" and t["outcome"].startswith("busy:"), t
assert t["reproduce_cpu_seconds"] > 1.0, t
PY
finish
