#!/bin/sh
# The program's tests: few arrays, right sums.
out=$("$1" 5) || exit 1
[ "$out" = "$(printf 'declared 5\nsum 10\ntotal 19900')" ]
