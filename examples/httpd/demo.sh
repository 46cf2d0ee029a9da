#!/usr/bin/env bash
# The Immune demo (`make demo`, CTest test demo_httpd): the same HTTP server
# built twice, once plainly and once with immune-cc and a policy file, each
# sent a good request, a malicious one and a good one again. Narrates what
# happens and exits 0 only if the plain server died on the malicious request
# while the protected one answered it with 400 and went on serving.
#
#   bash examples/httpd/demo.sh BUILD_DIR
#
# Everything stays on 127.0.0.1, every request has a timeout, and the servers
# are killed on every way out of this script.
set -uo pipefail

build=${1:?usage: demo.sh BUILD_DIR}
bindir="$build/examples/httpd"
plain="$bindir/httpd-plain"
immune="$bindir/httpd-immune"

GOOD='/greet?name=Bob'
EVIL='/greet?name'

die() { echo "demo: error: $*" >&2; exit 2; }
for b in "$plain" "$immune"; do
  [ -x "$b" ] || die "$b not found; build first (make build)"
done
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

# The plain server is meant to crash; don't leave a core file behind.
ulimit -c 0
# Run the runtime with its defaults: an IMMUNE_OPTIONS left in the caller's
# environment (monitor mode, say) would change what the demo shows.
unset IMMUNE_OPTIONS

work=$(mktemp -d "${TMPDIR:-/tmp}/immune-demo.XXXXXX")
watchers=() # name:pid of each watcher subshell (see start_server)
# Kill every server we started, even one interrupted while starting: its
# watcher writes the server's pid at once, so wait a moment for that file.
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local w name f
  trap '' INT TERM # a second signal must not cut the clean-up short
  for w in "${watchers[@]}"; do
    name=${w%%:*}
    for _ in $(seq 20); do [ -s "$work/$name.pid" ] && break; sleep 0.05; done
    [ -s "$work/$name.pid" ] && kill "$(cat "$work/$name.pid")" 2>/dev/null
  done
  for f in "$work"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  for w in "${watchers[@]}"; do wait "${w#*:}" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server NAME BINARY: runs BINARY on a free port (it binds port 0 and
# logs the one it got). Sets PID and PORT. The server runs under a watcher
# subshell that records its wait status in $work/NAME.status: that is how we
# learn the signal that killed it, and with the watcher's stderr discarded,
# bash's own "Segmentation fault" job notice does not garble the transcript.
start_server() {
  local name=$1 bin=$2 log="$work/$1.log"
  {
    "$bin" 0 2>"$log" &
    echo $! >"$work/$name.pid"
    wait $!
    echo $? >"$work/$name.status.tmp"
    mv "$work/$name.status.tmp" "$work/$name.status"
  } 2>/dev/null &
  watchers+=("$name:$!")
  PORT=
  for _ in $(seq 50); do
    [ -s "$work/$name.pid" ] && [ -s "$log" ] && PORT=$(sed -n 's#^httpd: listening on http://127\.0\.0\.1:\([0-9]*\)/$#\1#p' "$log")
    [ -n "$PORT" ] && break
    [ -e "$work/$name.status" ] && break
    sleep 0.1
  done
  PID=$(cat "$work/$name.pid" 2>/dev/null)
  if [ -z "$PORT" ]; then
    echo "demo: $name did not start listening within 5 s; its stderr:" >&2
    sed 's/^/    /' "$log" >&2
    exit 1
  fi
}

# server_state NAME PID: "running", or how the server ended. A crashed server
# is reaped a moment after its socket closes, so give it up to 1 s to show.
server_state() {
  local name=$1 pid=$2 st
  for _ in $(seq 10); do
    if [ -e "$work/$name.status" ]; then
      st=$(cat "$work/$name.status")
      if [ "$st" -gt 128 ]; then
        echo "died (signal $((st - 128)), SIG$(kill -l $((st - 128))))"
      else
        echo "exited (status $st)"
      fi
      return
    fi
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then echo running; else echo "gone (status unknown)"; fi
}

# request LABEL PORT PATH: one GET with a 5 s limit. Prints the status line
# and body, or why there is none. Sets STATUS (e.g. 200, or "-" for no
# answer) and BODY.
request() {
  local label=$1 port=$2 path=$3 out="$work/response" err="$work/curl.err"
  printf '  %-18s GET %s\n' "$label" "$path"
  STATUS=- BODY=
  if curl -sS -i --http1.0 --connect-timeout 2 --max-time 5 \
       -o "$out" "http://127.0.0.1:$port$path" 2>"$err"; then
    local line
    line=$(head -n 1 "$out" | tr -d '\r')
    STATUS=$(echo "$line" | cut -d' ' -f2)
    BODY=$(sed '1,/^\r*$/d' "$out")
    printf '  %-18s -> %s   body: %s\n' "" "$line" "$BODY"
  else
    printf '  %-18s -> connection failed (%s)\n' "" "$(tr -d '\n' <"$err")"
  fi
}

show_log() {
  local title=$1 file=$2
  echo "  $title"
  if [ -s "$file" ]; then sed 's/^/    | /' "$file"; else echo "    | (nothing)"; fi
}

failures=()
expect() { # expect DESCRIPTION COMMAND...: record DESCRIPTION unless COMMAND succeeds
  local what=$1; shift
  "$@" || failures+=("$what")
}
# shellcheck disable=SC2317 # run through expect
answered() { [ "$STATUS" = "$1" ] && [ "$BODY" = "$2" ]; }

cat <<EOF
Immune demo: one HTTP server (examples/httpd/httpd.c), two builds
  httpd-plain   clang -O2 -g
  httpd-immune  immune-cc --immune-policy=examples/httpd/immune.policy -O2 -g
The policy protects parse_query(). The malicious request "GET $EVIL" has a
query parameter without '=', and parse_query() writes through the NULL that
strchr() returned. Its caller already answers 400 when parse_query() fails.

EOF

# ---- the plain server ----------------------------------------------------
start_server plain "$plain"
plain_pid=$PID
echo "== httpd-plain (no Immune), pid $plain_pid, 127.0.0.1:$PORT"
request "1. good request" "$PORT" "$GOOD"
expect "plain: first good request answered 200 'Hello, Bob!'" \
  answered 200 'Hello, Bob!'
request "2. malicious" "$PORT" "$EVIL"
plain_evil=$STATUS
plain_state=$(server_state plain "$plain_pid")
echo "  server: $plain_state"
expect "plain: no answer to the malicious request (got '$plain_evil')" test "$plain_evil" = -
expect "plain: server died of a signal (it is: $plain_state)" \
  test "${plain_state#died (signal}" != "$plain_state"
request "3. good request" "$PORT" "$GOOD"
expect "plain: the good request after the crash failed" test "$STATUS" = -
show_log "httpd-plain stderr:" "$work/plain.log"
echo

# ---- the protected server ------------------------------------------------
start_server immune "$immune"
immune_pid=$PID
echo "== httpd-immune (Immune, policy immune.policy), pid $immune_pid, 127.0.0.1:$PORT"
request "1. good request" "$PORT" "$GOOD"
expect "immune: first good request answered 200 'Hello, Bob!'" \
  answered 200 'Hello, Bob!'
request "2. malicious" "$PORT" "$EVIL"
expect "immune: malicious request answered 400 (got '$STATUS')" test "$STATUS" = 400
immune_state=$(server_state immune "$immune_pid")
echo "  server: $immune_state"
expect "immune: server still running (it is: $immune_state)" test "$immune_state" = running
request "3. good request" "$PORT" "$GOOD"
expect "immune: good request after the fault answered 200 'Hello, Bob!'" \
  answered 200 'Hello, Bob!'
request "4. statistics" "$PORT" /stats
expect "immune: /stats reports 1 recovery (got '$BODY')" test "$BODY" = 'recoveries: 1'
show_log "httpd-immune stderr (access log, and Immune's report of the healed fault):" "$work/immune.log"
expect "immune: stderr has an 'immune: recovered ... in parse_query' line" \
  grep -q '^immune: recovered SIGSEGV .* in parse_query' "$work/immune.log"
echo

# ---- verdict -------------------------------------------------------------
if [ ${#failures[@]} -eq 0 ]; then
  cat <<EOF
Result
  httpd-plain   $plain_state on "GET $EVIL"; every later client is refused.
  httpd-immune  healed the fault: parse_query() returned -1, the client got
                400 Bad Request, and the next request was served normally.
PASS
EOF
  exit 0
fi
echo "FAIL: the demo did not show what it claims:"
printf '  - %s\n' "${failures[@]}"
exit 1
