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
# back (the patch below, checked to change exactly that one line), builds
# bc with immune-cc three ways and runs one bc program that declares 200
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

if ! bash "$here/fetch.sh" "$build/eval/src" bc > "$work.fetch.log" 2>&1; then
  say "eval/bc_guard_heap.sh: cannot fetch Debian's bc source package (apt-get source bc):"
  sed 's/^/    /' "$work.fetch.log" | tail -5 | tee -a "$out" >&2
  exit 1
fi
say "bc $(cat "$build/eval/src/bc/VERSION") from Debian's source package"

# ---- The 1.06 bug, put back: one token in more_arrays. -----------------------
rm -rf "$work"
mkdir -p "$work"
cp -a "$build/eval/src/bc/src" "$work/src"
tree="$work/src"
cat > "$work/bc-1.06-more_arrays.patch" <<'EOF'
--- a/bc/storage.c
+++ b/bc/storage.c
@@ more_arrays @@
   /* Initialize the new elements. */
-  for (; indx < a_count; indx++)
+  for (; indx < v_count; indx++)
     arrays[indx] = NULL;
EOF
cp "$tree/bc/storage.c" "$work/storage.c.orig"
sed -i '/^more_arrays (void)/,/^}/ s/for (; indx < a_count; indx++)/for (; indx < v_count; indx++)/' \
  "$tree/bc/storage.c"
diff "$work/storage.c.orig" "$tree/bc/storage.c" > "$work/storage.c.diff"
if [ "$(grep -c '^[<>]' "$work/storage.c.diff")" != 2 ] ||
   ! grep -q '^> *for (; indx < v_count; indx++)' "$work/storage.c.diff"; then
  say "FAIL: the patch did not change exactly the one line in more_arrays (bc/storage.c)"
  exit 1
fi
say "patched: bc/storage.c more_arrays initializes up to v_count (bc 1.06), not a_count"

# ---- Build: configure once; each variant rebuilds bc/ with its policy. -------
# Debian's patches touch bc/Makefile.am; autotools are not needed to build,
# so make is told not to regenerate anything.
noauto=(ACLOCAL=: AUTOMAKE=: AUTOCONF=: AUTOHEADER=: MAKEINFO=:)
(cd "$tree" && CC="$cc" CFLAGS="-O2 -g" ./configure -q > "$work/configure.log" 2>&1 \
  && make "${noauto[@]}" -C lib -j2 > "$work/lib.log" 2>&1) || {
  say "FAIL: configure or lib/ (see $work/configure.log, $work/lib.log)"; exit 1; }
cat > "$work/build.sh" <<EOF
#!/bin/sh
# Rebuilds bc/bc with \$CC (immune-cc; IMMUNE_POLICY, IMMUNE_PROTECT_ALL and
# IMMUNE_MANIFEST from the environment).
cd "$tree/bc" && rm -f *.o bc && make ${noauto[*]} CC="\${CC:-$cc}" -j2 bc
EOF
chmod +x "$work/build.sh"
variant() { # name policy-file
  IMMUNE_POLICY=$2 CC="$cc" "$work/build.sh" > "$work/$1.build.log" 2>&1 && cp "$tree/bc/bc" "$work/bc.$1"
}

# ---- The program, the expected output, bc's tests. ----------------------------
{
  echo "/* 200 variables, then 33 arrays: more variables than arrays when the"
  echo "   array table first grows (at the 32nd array). */"
  for i in $(seq 0 199); do echo "v$i = $i"; done
  for i in $(seq 0 32); do echo "a$i[0] = $i"; done
  echo "s = 0"
  echo "for (i = 0; i < 200; i++) s = s + i"
  echo "s"
  echo "v199 * a3[0]"
  echo "2^100"
  echo "quit"
} > "$work/many_arrays.bc"
printf '19900\n597\n1267650600228229401496703205376\n' > "$work/many_arrays.expected"
cat > "$work/reproduce.sh" <<EOF
#!/bin/sh
# bc must run the program to its end and print the three results.
"\$1" -q "$work/many_arrays.bc" > "$work/run.out" 2>/dev/null || exit 1
cmp -s "$work/run.out" "$work/many_arrays.expected"
EOF
cat > "$work/tests.sh" <<'EOF'
#!/bin/sh
# bc's behaviour on ordinary programs: numbers, scale, functions, arrays,
# the math library.
bc=$1
t() { got=$(printf '%s\n' "$1" | "$bc" -q ${3:+"$3"} 2>&1); [ "$got" = "$2" ] || { echo "FAIL: $1 -> $got (want $2)"; exit 1; }; }
t '2^64' 18446744073709551616
t 'scale=5; 1/3' .33333
t 'define f(x) { if (x < 2) return (1); return (x * f(x - 1)); }
f(20)' 2432902008176640000
t 'a[1] = 5; a[2] = 7; a[1] * a[2]' 35
t 'for (i = 0; i < 10; i++) b[i] = i * i; b[9] + b[3]' 90
t 'scale=10; 4*a(1)' 3.1415926532 -l
echo "bc tests passed"
EOF
chmod +x "$work/reproduce.sh" "$work/tests.sh"

# ---- 1. plain: glibc aborts. --------------------------------------------------
: > "$work/none.policy"
variant plain "$work/none.policy" || { say "FAIL: plain build ($work/plain.build.log)"; exit 1; }
check "plain bc passes its tests" "$work/tests.sh" "$work/bc.plain"
"$work/bc.plain" -q "$work/many_arrays.bc" > "$work/plain.out" 2> "$work/plain.err"
rc=$?
say "plain: exit $rc; $(grep -m1 -v '^immune:' "$work/plain.err")"
check "plain bc dies of SIGABRT in glibc's allocator (exit 134)" test "$rc" = 134

# ---- 2. fun:more_arrays=guard_heap: contained, then the caller's store. -------
echo "fun:more_arrays=guard_heap" > "$work/more_arrays.policy"
variant more_arrays "$work/more_arrays.policy" || { say "FAIL: build ($work/more_arrays.build.log)"; exit 1; }
check "bc with fun:more_arrays=guard_heap passes its tests" "$work/tests.sh" "$work/bc.more_arrays"
"$work/bc.more_arrays" -q "$work/many_arrays.bc" > "$work/more_arrays.out" 2> "$work/more_arrays.err"
rc=$?
say "fun:more_arrays=guard_heap: exit $rc"
sed 's/^/    /' "$work/more_arrays.err" | grep 'immune: \(recovered\|crashed\)' | tee -a "$out" >&2
check "the overflow faults inside more_arrays, which aborts" \
  grep -q '^immune: recovered SIGSEGV .* in more_arrays .*, returning void: overflow of a guarded heap block of 512 bytes' \
  "$work/more_arrays.err"
check "then lookup stores past the old name table: SIGSEGV outside any transaction (exit 139)" \
  test "$rc" = 139

# ---- 3. immune-heal from the plain crash alone. -------------------------------
"$heal" --build "$work/build.sh && cp $tree/bc/bc $work/bc.heal" \
  --reproduce "$work/reproduce.sh $work/bc.heal" --test "$work/tests.sh $work/bc.heal" \
  --out "$work/heal" --json > "$results/bc_guard_heap.json" 2> "$work/heal.log"
rc=$?
sed 's/^/    /' "$work/heal.log" | tee -a "$out" >&2
check "immune-heal finds a vaccine" test "$rc" = 0
say "vaccine: $(grep '^fun:' "$work/heal/vaccine.policy" 2>/dev/null | tr '\n' ' ')"
check "the vaccine is more_arrays and lookup with guard_heap" \
  test "$(grep '^fun:' "$work/heal/vaccine.policy" 2>/dev/null)" = "$(printf 'fun:more_arrays=guard_heap\nfun:lookup=guard_heap')"
if variant vaccinated "$work/heal/vaccine.policy"; then
  "$work/bc.vaccinated" -q "$work/many_arrays.bc" > "$work/vaccinated.out" 2> "$work/vaccinated.err"
  rc=$?
  say "vaccinated: exit $rc, output: $(tr '\n' ' ' < "$work/vaccinated.out")"
  sed 's/^/    /' "$work/vaccinated.err" | tee -a "$out" >&2
  check "vaccinated bc computes the rest of the program correctly" \
    cmp -s "$work/vaccinated.out" "$work/many_arrays.expected"
  check "vaccinated bc passes its tests" "$work/tests.sh" "$work/bc.vaccinated"
else
  say "FAIL: vaccinated build ($work/vaccinated.build.log)"
  status=1
fi
say "eval/bc_guard_heap.sh: $( [ $status = 0 ] && echo 'all as expected' || echo 'FAILED') (details: $out)"
exit $status
