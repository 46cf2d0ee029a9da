#!/usr/bin/env bash
# immune-heal on a stack buffer overflow (tests/heal/overflow.c): it observes
# with the oracle build, so the crash is caught at the overflowing write with
# the whole stack and the buffer's owner (greet), instead of at the `ret` of
# the smashed frame; the owner is the first candidate, and the vaccine.
#   heal_overflow_test.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/heal_lib.sh" "$@"
bin="$work/overflow"
long=$(printf 'A%.0s' $(seq 200))
cat > "$work/reproduce.sh" <<SH
#!/bin/sh
out=\$("$bin" ada "$long" bob) || exit 1
[ "\$out" = "hello ada
rejected a name
hello bob
done" ]
SH
cat > "$work/tests.sh" <<SH
#!/bin/sh
[ "\$("$bin" ada bob)" = "hello ada
hello bob
done" ]
SH
chmod +x "$work/reproduce.sh" "$work/tests.sh"
"$heal" --build "\$CC -O2 -g $src/tests/heal/overflow.c -o $bin" \
  --reproduce "$work/reproduce.sh" --test "$work/tests.sh" --out "$work/out" --json \
  > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
[ "$rc" = 0 ] && ok "immune-heal finds a vaccine (exit 0)" || bad "immune-heal exit $rc" "$work/progress.txt"
grep -q "reproduce (oracle build, monitor mode): crashed with SIGSEGV in .*copy_name.* <- greet" "$work/progress.txt" \
  && ok "the oracle build caught the overflow at the write, with the whole stack" \
  || bad "oracle observation" "$work/progress.txt"
grep -q "overflow of \`buf\` in greet" "$work/progress.txt" && ok "the record names the buffer and its owner" \
  || bad "no buffer owner" "$work/progress.txt"
grep -q "try 1: greet returns -1: survived, recovered here, tests pass" "$work/progress.txt" \
  && ok "the buffer's owner was tried first, and is the vaccine" || bad "owner first" "$work/progress.txt"
python3 - "$work/summary.json" <<'PY' && ok "--json: observed with the oracle, one candidate tried" || bad "summary" "$work/summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["observed_with"] == "oracle build", s.get("observed_with")
assert s["vaccine"]["function"] == "greet", s["vaccine"]
assert [c["function"] for c in s["candidates"]] == ["greet"], s["candidates"]
assert s["candidates"][0]["ranking"].startswith("owns the overflowing buffer `buf`")
assert s["fault"]["buffer"]["function"] == "greet"
PY
finish
