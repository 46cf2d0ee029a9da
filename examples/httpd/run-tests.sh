#!/bin/sh
# httpd's regression tests: the routes answer what they should.
#   run-tests.sh HTTPD_BINARY
. "$(dirname "$0")/serve-lib.sh"
start_server "${1:?usage: run-tests.sh HTTPD_BINARY}" || exit 2
fail=0
check() { # PATH EXPECTED
  got=$(request "$1")
  [ "$got" = "$2" ] || { echo "FAIL: GET $1 gave '$got', expected '$2'"; fail=1; }
}
check '/greet?name=Ada' "Hello, Ada!
 200"
check '/greet?lang=en&name=Bob' "Hello, Bob!
 200"
check '/nowhere' "not found
 404"
stop_server
[ $fail = 0 ] && echo "httpd: all tests passed"
exit $fail
