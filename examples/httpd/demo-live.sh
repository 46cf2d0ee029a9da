#!/usr/bin/env bash
# The second act of the demo (`make demo-live`, CTest test demo_live): a
# live vaccine, no rebuild. httpd-live is built once with
# --immune-protect-all --immune-every-function and started with an empty vaccine file: every
# function is dormant, so the malicious request kills it exactly as it kills
# the plain build. Its supervisor (this script, doing what systemd's
# Restart=on-failure does) starts it again. immune-heal --live reads the
# crash record, tries each candidate on the same binary with a trial vaccine,
# and writes the one that passes into the vaccine file the running server
# watches. The same process, not restarted again, then answers the attack
# with 400 and goes on serving. Exits 0 only if all of that happened.
#
#   bash examples/httpd/demo-live.sh BUILD_DIR
set -uo pipefail

build=$(readlink -f "${1:?usage: demo-live.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
live="$build/examples/httpd/httpd-live"
manifests="$build/examples/httpd/httpd-live.manifests"
heal="$build/bin/immune-heal"
GOOD='/greet?name=Bob'
EVIL='/greet?name'

die() { echo "demo-live: error: $*" >&2; exit 2; }
[ -x "$live" ] || die "$live not found; build first (make build)"
[ -d "$manifests" ] || die "$manifests not found; build first (make build)"
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
ulimit -c 0
unset IMMUNE_OPTIONS

work=$(mktemp -d "${TMPDIR:-/tmp}/immune-demo-live.XXXXXX")
PID= PORT=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vaccine="$work/httpd.vaccine"
events="$work/events.jsonl"
: >"$vaccine"
export IMMUNE_OPTIONS="vaccine=$vaccine:log_path=$events"

# start N: instance N of the server, under the options above. Sets PID,
# PORT. A watcher subshell records how it ended in $work/status.N (and, its
# stderr discarded, keeps bash's "Segmentation fault" notice out of the
# transcript).
start() {
  local log="$work/server.$1.log"
  {
    "$live" 0 2>"$log" &
    echo $! >"$work/pid.$1"
    wait $!
    echo $? >"$work/status.$1.tmp" && mv "$work/status.$1.tmp" "$work/status.$1"
  } 2>/dev/null &
  for _ in $(seq 50); do [ -s "$work/pid.$1" ] && break; sleep 0.05; done
  PID=$(cat "$work/pid.$1")
  PORT=
  for _ in $(seq 50); do
    PORT=$(sed -n 's#^httpd: listening on http://127\.0\.0\.1:\([0-9]*\)/$#\1#p' "$log")
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo-live: the server did not start; its stderr:" >&2
  sed 's/^/    /' "$log" >&2
  exit 1
}

request() { # LABEL PATH: sets STATUS (- for no answer) and BODY
  local out="$work/response"
  printf '  %-22s GET %s\n' "$1" "$2"
  STATUS=- BODY=
  if curl -sS -i --http1.0 --connect-timeout 2 --max-time 5 -o "$out" \
       "http://127.0.0.1:$PORT$2" 2>"$work/curl.err"; then
    STATUS=$(head -n 1 "$out" | tr -d '\r' | cut -d' ' -f2)
    BODY=$(sed '1,/^\r*$/d' "$out")
    printf '  %-22s -> %s   body: %s\n' "" "$STATUS" "$BODY"
  else
    printf '  %-22s -> no answer (%s)\n' "" "$(tr -d '\n' <"$work/curl.err")"
  fi
}

failures=()
expect() { local what=$1; shift; "$@" || failures+=("$what"); }

cat <<EOF
Immune live demo: examples/httpd/httpd.c built once, with --immune-protect-all --immune-every-function
  (every function a transaction; dormant until a vaccine arms it), and run with
  IMMUNE_OPTIONS=vaccine=httpd.vaccine:log_path=events.jsonl, the vaccine empty.

EOF

start 1
first=$PID
echo "== server started, pid $first, 127.0.0.1:$PORT, nothing armed"
request "1. good request" "$GOOD"
expect "good request answered 200 before the attack" test "$STATUS" = 200
request "2. malicious" "$EVIL"
for _ in $(seq 50); do [ -e "$work/status.1" ] && break; sleep 0.1; done
status=$(cat "$work/status.1" 2>/dev/null || echo "still running")
PID=
case $status in
  1[3-9][0-9]) echo "  server: died, status $status (SIG$(kill -l $((status - 128))))" ;;
  *) echo "  server: $status" ;;
esac
expect "the dormant server died of SIGSEGV on the attack (status $status)" test "$status" = 139
echo "  its stderr:"
sed -n 's/^immune:/    | immune:/p' "$work/server.1.log"
echo

start 2
second=$PID
echo "== the supervisor starts it again (as Restart=on-failure would): pid $second, 127.0.0.1:$PORT"
request "3. good request" "$GOOD"
expect "the restarted server answers 200" test "$STATUS" = 200
echo

echo "== immune-heal --live, from the crash record, on the same binary (no rebuild)"
t0=$(date +%s.%N)
"$heal" --live --manifests "$manifests" --record "$events" \
  --reproduce "$here/reproduce.sh $live" --test "$here/run-tests.sh $live" \
  --vaccine "$vaccine" --out "$work/heal" 2>"$work/heal.progress"
rc=$?
t1=$(date +%s.%N)
sed 's/^/    /' "$work/heal.progress"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
expect "immune-heal --live found a vaccine (exit $rc)" test "$rc" = 0
echo "  the vaccine file the server watches now holds:"
sed 's/^/    | /' "$vaccine"
echo "  (found and written in $secs s)"
echo

echo "== the same running server (pid $second) picks it up"
armed=
for _ in $(seq 50); do
  grep -q 'newly armed: parse_query' "$work/server.2.log" && { armed=1; break; }
  sleep 0.1
done
grep '^immune: vaccine' "$work/server.2.log" | tail -n 1 | sed 's/^/    | /'
expect "the running server armed parse_query within 5 s" test -n "$armed"
request "4. malicious" "$EVIL"
expect "the attack is answered 400 (got '$STATUS')" test "$STATUS" = 400
request "5. good request" "$GOOD"
expect "the next good request is answered 200" test "$STATUS" = 200
request "6. statistics" /stats
expect "/stats reports 1 recovery (got '$BODY')" test "$BODY" = 'recoveries: 1'
expect "no restart: the server is still pid $second" kill -0 "$second"
sed -n 's/^immune: recovered/    | immune: recovered/p' "$work/server.2.log"
echo
echo "== immune-heal's report (report.md)"
sed 's/^/    /' "$work/heal/report.md" | head -n 40
echo

if [ ${#failures[@]} -eq 0 ]; then
  cat <<EOF
Result
  The dormant server died on the attack, as without Immune; restarted once,
  it was vaccinated while running ($secs s from crash record to armed vaccine,
  no rebuild), and healed the next attack without another restart.
PASS
EOF
  exit 0
fi
echo "FAIL: the live demo did not show what it claims:"
printf '  - %s\n' "${failures[@]}"
exit 1
