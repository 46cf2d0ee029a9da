# bc 1.06's more_arrays heap overflow (fixed in 1.07): the loop that
# initializes the new entries of the grown array table (bc/storage.c) ran to
# v_count, the count of the *variables'* table, instead of a_count. Once a
# program has declared more variables than arrays, the first growth of the
# array table writes NULLs past its end over glibc's chunk headers, and bc
# dies later inside malloc (SIGABRT). inject() puts that one token back in
# Debian's bc 1.07.1 (checked to change exactly that line).
#
# Sourced by eval/heal.sh (and eval/bc_guard_heap.sh), which define $tree (a
# copy of Debian's source) and call inject, then write reproduce.sh and
# tests.sh from the functions below; each gets the bc binary as $1.
PACKAGE=bc
BUG="bc 1.06 more_arrays"
KIND="heap overflow (table initialized past its end)"
SUMMARY="more_arrays() initializes the grown array table up to v_count, not a_count"
# The rescue point: lookup, whose transaction aborts when it stores the new
# name past the old table (more_arrays, void, has aborted first; both have
# guard_heap: docs/guard-heap.md).
VACCINE="lookup"
EXPECT=""

inject() {
  python3 - "$tree/bc/storage.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
start = s.index("more_arrays (void)")
end = s.index("\n}\n", start)
body = s[start:end]
old = "  for (; indx < a_count; indx++)\n    arrays[indx] = NULL;"
assert body.count(old) == 1, "more_arrays' initialization loop"
s = s[:start] + body.replace(old, old.replace("a_count", "v_count")) + s[end:]
open(p, "w").write(s)
PY
}

build_cmd() { # bc's own build with $CC; configured once (autotools are not
  # needed: make is told not to regenerate what Debian's patches touch), and
  # bc/ rebuilt every time, since make would not relink for a new policy
  local noauto="ACLOCAL=: AUTOMAKE=: AUTOCONF=: AUTOHEADER=: MAKEINFO=:"
  echo "cd $tree && { [ -f Makefile ] || CFLAGS='-O2 -g' ./configure -q; } && make -s $noauto -C lib CC=\"\$CC\" && rm -f bc/*.o bc/bc && make -s $noauto -C bc CC=\"\$CC\" bc"
}
binary() { echo "$tree/bc/bc"; }

reproduce_script() { # a program that declares 200 variables, then 33 arrays
  cat <<'SH'
#!/bin/sh
# bc must run a program that declares 200 variables and then 33 arrays to
# its end, and print the three results it computes with neither.
bin=${1:?usage: reproduce.sh BC}
d=$(mktemp -d) && trap 'rm -rf "$d"' EXIT
{
  i=0; while [ $i -lt 200 ]; do echo "v$i = $i"; i=$((i + 1)); done
  i=0; while [ $i -lt 33 ]; do echo "a$i[0] = $i"; i=$((i + 1)); done
  echo "s = 0"
  echo "for (i = 0; i < 200; i++) s = s + i"
  echo "s"
  echo "v199 * a3[0]"
  echo "2^100"
  echo "quit"
} > "$d/many_arrays.bc"
printf '19900\n597\n1267650600228229401496703205376\n' > "$d/expected"
"$bin" -q "$d/many_arrays.bc" > "$d/out"
st=$?
echo "bc exited $st: $(tr '\n' ' ' < "$d/out")"
[ "$st" = 0 ] && cmp -s "$d/out" "$d/expected"
SH
}

tests_script() { # bc on ordinary programs: numbers, scale, functions,
  # arrays, the math library
  cat <<'SH'
#!/bin/sh
bc=${1:?usage: tests.sh BC}
t() { got=$(printf '%s\n' "$1" | "$bc" -q ${3:+"$3"} 2>&1); [ "$got" = "$2" ] || { echo "FAIL: $1 -> $got (want $2)"; exit 1; }; }
t '2^64' 18446744073709551616
t 'scale=5; 1/3' .33333
t 'define f(x) { if (x < 2) return (1); return (x * f(x - 1)); }
f(20)' 2432902008176640000
t 'a[1] = 5; a[2] = 7; a[1] * a[2]' 35
t 'for (i = 0; i < 10; i++) b[i] = i * i; b[9] + b[3]' 90
t 'scale=10; 4*a(1)' 3.1415926532 -l
echo "bc tests passed"
SH
}
