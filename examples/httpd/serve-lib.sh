# Shared by reproduce.sh and run-tests.sh: start an httpd binary on a free
# loopback port and talk to it. Sourced, not run.
start_server() { # BINARY -> sets $pid, $port, $log
  log=$(mktemp)
  "$1" 0 2> "$log" &
  pid=$!
  port=""
  for _ in $(seq 50); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$log")" >&2
  return 1
}
stop_server() {
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$log"
}
request() { # PATH -> prints "STATUS BODY"
  curl -s --connect-timeout 2 --max-time 5 -o /dev/stdout -w ' %{http_code}' "http://127.0.0.1:$port$1"
}
