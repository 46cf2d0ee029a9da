#!/bin/sh
# The attack on httpd: a query parameter without '='. Exits 0 only if the
# server survives it and then serves a good request.
#   reproduce.sh HTTPD_BINARY
. "$(dirname "$0")/serve-lib.sh"
start_server "${1:?usage: reproduce.sh HTTPD_BINARY}" || exit 2
request '/greet?name' > /dev/null
out=$(request '/greet?name=Bob')
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
stop_server
[ "$alive" = 1 ] && [ "$out" = "Hello, Bob!
 200" ]
