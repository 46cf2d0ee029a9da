#!/usr/bin/env bash
# bc 1.06's heap overflow, contained by the guarded heap (docs/guard-heap.md):
#   eval/bc_guard_heap.sh BUILD_DIR      (`eval/run.sh BUILD_DIR bc`)
#
# GNU bc 1.07.1 comes from Debian's source package (eval/fetch.sh; nothing is
# vendored). bc 1.06 had a one-token bug in more_arrays (bc/storage.c),
# fixed in 1.07: the loop that initializes the new entries of the grown
# array table ran to v_count, the count of the *variables'* table, instead
# of a_count. Once a program has declared more variables than arrays, the
# first growth of the array table writes NULLs past its end, over glibc's
# chunk headers; bc dies later inside malloc. This script puts that token
# back (eval/bugs/bc-1.06-more_arrays.sh, checked to change exactly that one
# line; the same definition eval/heal.sh runs), builds bc with immune-cc
# three ways and runs the bug's reproduction, a bc program that declares 200
# variables, then 33 arrays, then computes three results that need none of
# the arrays past the 31st:
#
#   plain                      glibc aborts (SIGABRT) in malloc
#   fun:more_arrays=guard_heap the overflow faults at the first store past the
#                              table, inside more_arrays, which aborts and
#                              leaves the tables as they were; but more_arrays
#                              returns void, and its caller (lookup) then
#                              stores the new name one past the end of the old
#                              name table: SIGSEGV there (a guarded block too)
#   immune-heal's vaccine      found by immune-heal from the plain crash alone
#                              (the guarded-heap oracle localizes it):
#                              more_arrays and lookup with guard_heap; lookup
#                              returns -1 for an array it cannot declare, and
#                              bc computes the rest of the program correctly
#
# Results: BUILD_DIR/eval/results/bc_guard_heap.txt (and .json: immune-heal's
# summary). Needs the network for apt-get source (or a cached copy in
# BUILD_DIR/eval/src/bc). Exits 0 when all three behave as above.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
build=$(readlink -f "${1:-build}")
cc="$build/bin/immune-cc"
heal="$build/bin/immune-heal"
work="$build/eval/bc"
results="$build/eval/results"
mkdir -p "$results"
out="$results/bc_guard_heap.txt"
: > "$out"
say() { echo "$*" | tee -a "$out" >&2; }
status=0
check() { # what, then a command that must succeed
  local what=$1; shift
  if "$@"; then say "ok: $what"; else say "FAIL: $what"; status=1; fi
}

# shellcheck source=bugs/bc-1.06-more_arrays.sh
. "$here/bugs/bc-1.06-more_arrays.sh"

if ! bash "$here/fetch.sh" "$build/eval/src" bc > "$work.fetch.log" 2>&1; then
  say "eval/bc_guard_heap.sh: cannot fetch Debian's bc source package (apt-get source bc):"
  sed 's/^/    /' "$work.fetch.log" | tail -5 | tee -a "$out" >&2
  exit 1
fi
say "bc $(cat "$build/eval/src/bc/VERSION") from Debian's source package"

# ---- The 1.06 bug, put back (eval/bugs/bc-1.06-more_arrays.sh). ------------
rm -rf "$work"
mkdir -p "$work"
tree="$work/src"
cp -a "$build/eval/src/bc/src" "$tree"
cp "$tree/bc/storage.c" "$work/storage.c.orig"
inject || { say "FAIL: the bug does not apply to bc $(cat "$build/eval/src/bc/VERSION")"; exit 1; }
diff "$work/storage.c.orig" "$tree/bc/storage.c" > "$work/bc-1.06-more_arrays.diff"
sed 's/^/    /' "$work/bc-1.06-more_arrays.diff" | tee -a "$out" >&2
reproduce_script > "$work/reproduce.sh"
tests_script > "$work/tests.sh"
chmod +x "$work/reproduce.sh" "$work/tests.sh"
variant() { # name policy-file: bc built with immune-cc and that policy
  IMMUNE_POLICY=$2 CC="$cc" sh -c "$(build_cmd)" > "$work/$1.build.log" 2>&1 && cp "$(binary)" "$work/bc.$1"
}
run_bc() { # name: the reproduction on that build; its output and stderr kept
  bash "$work/reproduce.sh" "$work/bc.$1" > "$work/$1.out" 2> "$work/$1.err"
  rc=$(sed -n 's/^bc exited \([0-9]*\):.*/\1/p' "$work/$1.out")
}

# ---- 1. plain: glibc aborts. --------------------------------------------------
: > "$work/none.policy"
variant plain "$work/none.policy" || { say "FAIL: plain build ($work/plain.build.log)"; exit 1; }
check "plain bc passes its tests" "$work/tests.sh" "$work/bc.plain"
run_bc plain
say "plain: exit $rc; $(grep -m1 -v '^immune:' "$work/plain.err")"
check "plain bc dies of SIGABRT in glibc's allocator (exit 134)" test "$rc" = 134

# ---- 2. fun:more_arrays=guard_heap: contained, then the caller's store. -------
echo "fun:more_arrays=guard_heap" > "$work/more_arrays.policy"
variant more_arrays "$work/more_arrays.policy" || { say "FAIL: build ($work/more_arrays.build.log)"; exit 1; }
check "bc with fun:more_arrays=guard_heap passes its tests" "$work/tests.sh" "$work/bc.more_arrays"
run_bc more_arrays
say "fun:more_arrays=guard_heap: exit $rc"
grep 'immune: \(recovered\|crashed\)' "$work/more_arrays.err" | sed 's/^/    /' | tee -a "$out" >&2
check "the overflow faults inside more_arrays, which aborts" \
  grep -q '^immune: recovered SIGSEGV .* in more_arrays .*, returning void: overflow of a guarded heap block of 512 bytes' \
  "$work/more_arrays.err"
check "then lookup stores past the old name table: SIGSEGV outside any transaction (exit 139)" \
  test "$rc" = 139

# ---- 3. immune-heal from the plain crash alone. -------------------------------
"$heal" --build "$(build_cmd) && cp $(binary) $work/bc.heal" \
  --reproduce "$work/reproduce.sh $work/bc.heal" --test "$work/tests.sh $work/bc.heal" \
  --out "$work/heal" --json > "$results/bc_guard_heap.json" 2> "$work/heal.log"
rc=$?
sed 's/^/    /' "$work/heal.log" | tee -a "$out" >&2
check "immune-heal finds a vaccine" test "$rc" = 0
say "vaccine: $(grep '^fun:' "$work/heal/vaccine.policy" 2>/dev/null | tr '\n' ' ')"
check "the vaccine is more_arrays and lookup with guard_heap" \
  test "$(grep '^fun:' "$work/heal/vaccine.policy" 2>/dev/null)" = "$(printf 'fun:more_arrays=guard_heap\nfun:lookup=guard_heap')"
if variant vaccinated "$work/heal/vaccine.policy"; then
  run_bc vaccinated
  say "vaccinated: $(cat "$work/vaccinated.out")"
  sed 's/^/    /' "$work/vaccinated.err" | tee -a "$out" >&2
  check "vaccinated bc computes the rest of the program correctly" test "$rc" = 0
  check "vaccinated bc passes its tests" "$work/tests.sh" "$work/bc.vaccinated"
else
  say "FAIL: vaccinated build ($work/vaccinated.build.log)"
  status=1
fi
say "eval/bc_guard_heap.sh: $( [ $status = 0 ] && echo 'all as expected' || echo 'FAILED') (details: $out)"
exit $status
