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
echo "\$out"
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
  --expect '^rejected a name$' > "$work/summary.json" 2> "$work/progress.txt"
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
assert s["candidates"][0]["failure_seen"] == "rejected a name", s["candidates"][0]
PY
grep -q "| \`rejected a name\` |" "$work/out/report.md" && ok "the report shows what the reproduction showed" \
  || bad "report: failure seen" "$work/out/report.md"
# The program's own build is left built with the vaccine (greet protected).
nm "$bin" > "$work/nm1.txt"
grep -q '__immune_site\.greet$' "$work/nm1.txt" && ok "the build is left with the vaccine" \
  || bad "the binary is not the vaccinated build" "$work/nm1.txt"
# A failure that must be seen and is not: no vaccine.
"$heal" --build "\$CC -O2 -g $src/tests/heal/overflow.c -o $bin" --reproduce "$work/reproduce.sh" \
  --test "$work/tests.sh" --out "$work/out2" --expect 'error 400' > /dev/null 2> "$work/progress2.txt"
rc=$?
[ "$rc" = 1 ] && grep -q "try 1: greet: survived, but no output line matches --expect 'error 400'" "$work/progress2.txt" \
  && ok "--expect: a heal whose failure is not seen is refused" || bad "--expect refusal (exit $rc)" "$work/progress2.txt"
# ... and the build is not left with the failed try (greet protected): it is
# rebuilt as before the tries, nothing protected, and the report says so.
nm "$bin" > "$work/nm2.txt"
grep -q "rebuilt as before the tries (nothing protected)" "$work/progress2.txt" \
  && ! grep -q '__immune_site\.' "$work/nm2.txt" && grep -q "left built as before the tries" "$work/out2/report.md" \
  && ok "no vaccine: the build is left as before the tries" \
  || bad "left with a failed candidate" "$work/progress2.txt"
expect_error "--expect that is not a regular expression" "not a regular expression" \
  --build true --reproduce true --test true --expect '('
finish
