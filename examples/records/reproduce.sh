#!/bin/sh
# The crash: a record without its amount field kills records. Exits 0 when
# the program survives and reports the bad record as skipped.
#   reproduce.sh RECORDS_BINARY
bin=${1:?usage: reproduce.sh RECORDS_BINARY}
out=$("$bin" "$(dirname "$0")/testdata/missing-field.csv") || exit 1
[ "$out" = "total 42 (2 records, 1 skipped)" ] || { echo "wrong output: $out"; exit 1; }
