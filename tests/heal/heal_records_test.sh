#!/usr/bin/env bash
# immune-heal end to end on examples/records: it observes the crash, tries
# the innermost frame (to_int), sees the tests fail (the strict-mode death
# test would be healed too), climbs to parse_amount, and hands over a vaccine
# with which the reproduction survives and the tests pass. Also its clear
# errors for a broken build, a reproduction that does not reproduce, and
# tests that fail before any change.
#   heal_records_test.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/heal_lib.sh" "$@"
ex="$src/examples/records"

bin="$work/records"
buildcmd="\$CC -O2 -g $ex/records.c -o $bin"
# records is deployed with handle_abort=all (its operators want failed
# assertions healed too): the strict-mode abort() in to_int then heals as
# well, which is what makes to_int a bad rescue point.
IMMUNE_OPTIONS=handle_abort=all "$heal" --build "$buildcmd" --reproduce "$ex/reproduce.sh $bin" --test "$ex/run-tests.sh $bin" \
  --out "$work/out" --json --apply "$work/applied.policy" > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
[ "$rc" = 0 ] && ok "immune-heal finds a vaccine (exit 0)" || bad "immune-heal exit $rc" "$work/progress.txt"
grep -q "^fun:parse_amount$" "$work/out/vaccine.policy" 2>/dev/null && ok "the vaccine protects parse_amount" \
  || bad "vaccine is not parse_amount" "$work/out/vaccine.policy"
cmp -s "$work/out/vaccine.policy" "$work/applied.policy" && ok "--apply installed it" || bad "--apply"
grep -q "try 1: to_int: survived, but the tests fail" "$work/progress.txt" && ok "it tried to_int first and climbed" \
  || bad "no climb from to_int" "$work/progress.txt"
python3 - "$work/summary.json" <<'PY' && ok "--json summary" || bad "--json summary" "$work/summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["vaccine"]["function"] == "parse_amount", s["vaccine"]
assert [c["function"] for c in s["candidates"]] == ["to_int", "parse_amount"], s["candidates"]
assert s["candidates"][0]["outcome"].startswith("tests fail"), s["candidates"][0]
assert s["fault"]["signal"] == "SIGSEGV"
PY
grep -q "| 2 | \`parse_amount\`" "$work/out/report.md" && grep -q "callers test its result" "$work/out/report.md" \
  && ok "report names the rescue point and the ranking evidence" || bad "report" "$work/out/report.md"
# The vaccine works when the user builds with it.
IMMUNE_POLICY="$work/out/vaccine.policy" "$build/bin/immune-cc" -O2 -g "$ex/records.c" -o "$work/vaccinated" \
  && "$ex/reproduce.sh" "$work/vaccinated" >/dev/null 2>&1 && "$ex/run-tests.sh" "$work/vaccinated" >/dev/null 2>&1 \
  && ok "the vaccinated build survives and passes the tests" || bad "vaccinated build"

# Clear errors, exit 2.
expect_error "a build that fails" "the build fails before any change" \
  --build "\$CC -O2 $ex/no-such-file.c -o $bin" --reproduce "$ex/reproduce.sh $bin" --test "$ex/run-tests.sh $bin"
expect_error "a reproduction that does not reproduce" "the reproduction does not reproduce" \
  --build "$buildcmd" --reproduce "true" --test "$ex/run-tests.sh $bin"
expect_error "tests that fail before any change" "the tests fail before any change" \
  --build "$buildcmd" --reproduce "$ex/reproduce.sh $bin" --test "false"
expect_error "a reproduction that fails without a crash" "no crash was recorded" \
  --build "$buildcmd" --reproduce "exit 3" --test "$ex/run-tests.sh $bin"
finish
