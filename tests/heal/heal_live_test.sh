#!/usr/bin/env bash
# immune-heal --live on examples/records: no rebuild. The program is built
# once with --immune-protect-all (manifests kept); immune-heal replays the
# attack with nothing armed, tries to_int then parse_amount with a trial
# vaccine each on the same binary, and adds the winner to the vaccine file a
# service reads, keeping the entries already there. Also: the fault taken
# from a service's own event log (--record), and clear errors for a build
# that is not protect-all and for options that do not go together.
#   heal_live_test.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/heal_lib.sh" "$@"
ex="$src/examples/records"

bin="$work/records"
mkdir -p "$work/manifests"
"$build/bin/immune-cc" --immune-protect-all --immune-manifest="$work/manifests" -O2 -g \
  "$ex/records.c" -o "$bin" || { echo "FAIL: protect-all build"; exit 1; }
printf '# already in force\nfun:other_function\n' > "$work/service.vaccine"
export IMMUNE_OPTIONS=handle_abort=all # as records is deployed (heal_records_test.sh)
"$heal" --live --manifests "$work/manifests" --reproduce "$ex/reproduce.sh $bin" \
  --test "$ex/run-tests.sh $bin" --vaccine "$work/service.vaccine" --out "$work/out" --json \
  > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
[ "$rc" = 0 ] && ok "immune-heal --live finds a vaccine (exit 0)" || bad "immune-heal --live exit $rc" "$work/progress.txt"
grep -q "reproduce (nothing armed): exit 1" "$work/progress.txt" && ok "it observed the crash with nothing armed" \
  || bad "observe" "$work/progress.txt"
grep -q "try 1: to_int: survived, but the tests fail" "$work/progress.txt" && ok "it tried to_int first and climbed" \
  || bad "no climb from to_int" "$work/progress.txt"
grep -q "^fun:parse_amount$" "$work/out/vaccine.policy" && ok "the vaccine arms parse_amount" \
  || bad "vaccine" "$work/out/vaccine.policy"
grep -q "^fun:other_function$" "$work/service.vaccine" && grep -q "^fun:parse_amount$" "$work/service.vaccine" \
  && ok "--vaccine added it to the service's vaccine, keeping what was there" || bad "--vaccine merge" "$work/service.vaccine"
python3 - "$work/summary.json" <<'PY' && ok "--json summary: live, no build step" || bad "--json summary" "$work/summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["live"] is True and "build" not in s, s.keys()
assert s["vaccine"]["function"] == "parse_amount", s["vaccine"]
assert [c["function"] for c in s["candidates"]] == ["to_int", "parse_amount"], s["candidates"]
assert all("build_seconds" not in c for c in s["candidates"])
assert s["candidates"][1]["recoveries"] == 1, s["candidates"][1]
PY
grep -q "no rebuild" "$work/out/report.md" && ok "the report says how to deploy it (no rebuild)" || bad "report" "$work/out/report.md"
# The vaccine works on the same binary.
IMMUNE_OPTIONS="handle_abort=all:vaccine=$work/service.vaccine" "$ex/reproduce.sh" "$bin" >/dev/null 2>&1 \
  && IMMUNE_OPTIONS="handle_abort=all:vaccine=$work/service.vaccine" "$ex/run-tests.sh" "$bin" >/dev/null 2>&1 \
  && ok "the same binary with the vaccine survives and passes the tests" || bad "vaccinated run"
# Without it the binary dies as before.
IMMUNE_OPTIONS="vaccine=$work/none.vaccine" "$ex/reproduce.sh" "$bin" >/dev/null 2>&1 \
  && bad "the binary survived with no vaccine" || ok "without the vaccine the attack still kills it"

# The fault from the service's own event log.
IMMUNE_OPTIONS="vaccine=$work/empty.vaccine:log_path=$work/service.events" "$bin" "$ex/testdata/missing-field.csv" >/dev/null 2>&1
if [ -s "$work/service.events" ]; then
  "$heal" --live --manifests "$work/manifests" --record "$work/service.events" \
    --reproduce "$ex/reproduce.sh $bin" --test "$ex/run-tests.sh $bin" --out "$work/out2" 2> "$work/progress2.txt"
  rc=$?
  [ "$rc" = 0 ] && grep -q "observe: the last crashed record of" "$work/progress2.txt" \
    && grep -q "^fun:parse_amount$" "$work/out2/vaccine.policy" \
    && ok "--record: the vaccine from the service's crash record" || bad "--record (exit $rc)" "$work/progress2.txt"
else
  bad "the attack left no record in the service's event log"
fi

# Clear errors, exit 2.
mkdir -p "$work/plain-manifests"
"$build/bin/immune-cc" --immune-manifest="$work/plain-manifests" -O2 -g "$ex/records.c" -o "$work/plain"
expect_error "manifests of a build that protects nothing" "--live needs a build with --immune-protect-all" \
  --live --manifests "$work/plain-manifests" --reproduce "$ex/reproduce.sh $work/plain" --test true
expect_error "--live with --build" "--live does not rebuild" \
  --live --build true --manifests "$work/manifests" --reproduce true --test true
expect_error "--live without --manifests" "--live needs --manifests DIR" --live --reproduce true --test true
expect_error "--vaccine without --live" "--vaccine goes with --live" \
  --build true --reproduce true --test true --vaccine "$work/v"
expect_error "a record file without a crash" "no 'crashed' record to heal" \
  --live --manifests "$work/manifests" --record /dev/null --reproduce "$ex/reproduce.sh $bin" --test true

finish
