#!/bin/sh
# The regression tests of records: expected totals, and a death test — in
# strict mode a corrupt record count in the header must abort the program.
#   run-tests.sh RECORDS_BINARY
bin=${1:?usage: run-tests.sh RECORDS_BINARY}
dir=$(dirname "$0")/testdata
fail=0
out=$("$bin" "$dir/good.csv") || fail=1
[ "$out" = "total 42 (2 records, 1 skipped)" ] || { echo "FAIL: good.csv gave '$out'"; fail=1; }
# Death test: strict mode on corrupt input must end in abort() (SIGABRT).
"$bin" --strict "$dir/corrupt.csv" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 134 ] || { echo "FAIL: --strict corrupt.csv exited $rc, expected death by SIGABRT (134)"; fail=1; }
[ $fail -eq 0 ] && echo "records: all tests passed"
exit $fail
