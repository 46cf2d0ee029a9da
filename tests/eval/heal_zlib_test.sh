#!/usr/bin/env bash
# immune-heal end to end on a real program: zlib from Debian's source
# package, with a bug put in on purpose — gz_look() (gzread.c) dereferences
# NULL when a stream starts with "POISON" — so `minigzip -d` dies of SIGSEGV
# on that input. immune-heal gets zlib's own build command, a reproduction
# (minigzip must not die on the poisoned input, and must still round-trip
# good data), and zlib's own tests (`make test`'s commands and infcover); it
# must find gz_look, whose callers test its -1, as the rescue point, and the
# vaccinated build must survive the input and pass the tests.
#   heal_zlib_test.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/../heal/heal_lib.sh" "$@"

if ! bash "$src/eval/fetch.sh" "$build/eval/src" zlib > "$work/fetch.log" 2>&1; then
  # No Debian archive (offline machine): nothing to test against.
  echo "SKIP: cannot fetch the zlib source package"; sed 's/^/    /' "$work/fetch.log" | tail -5; exit 77
fi
z="$work/zlib"
cp -r "$build/eval/src/zlib/src" "$z"

# The injected bug.
python3 - "$z/gzread.c" <<'PY' || { echo "FAIL: could not inject the bug"; exit 1; }
import sys
p = sys.argv[1]
s = open(p).read()
anchor = "    /* no gzip header -- if we were decoding gzip before, then this is trailing\n"
assert s.count(anchor) == 1, "anchor not found"
bug = ('    /* Immune heal test: an injected bug, a NULL dereference on one input. */\n'
       '    if (strm->avail_in >= 6 && memcmp(strm->next_in, "POISON", 6) == 0) {\n'
       '        z_streamp volatile none = NULL;\n'
       '        none->avail_in = 0;\n'
       '    }\n\n')
open(p, "w").write(s.replace(anchor, bug + anchor))
PY
(cd "$z" && CC=clang-19 CFLAGS="-O2 -g" ./configure > "$work/configure.log" 2>&1) \
  || { bad "zlib configure" "$work/configure.log"; exit 1; }

cat > "$work/reproduce.sh" <<REPRO
#!/bin/sh
# minigzip must not die on the poisoned stream (an error exit is fine) and
# must still round-trip good data.
cd "$z" || exit 1
printf 'POISON, not a gzip stream\n' | ./minigzip -d > /dev/null 2>&1
[ \$? -lt 128 ] || exit 1
[ "\$(echo good data | ./minigzip | ./minigzip -d)" = "good data" ]
REPRO
cat > "$work/tests.sh" <<TESTS
#!/bin/sh
# zlib's own tests: what \`make teststatic\` runs, and test/infcover.
cd "$z" && echo hello world | ./minigzip | ./minigzip -d && ./example "$work/example.tmp" && ./infcover
TESTS
chmod +x "$work/reproduce.sh" "$work/tests.sh"
buildcmd="make -s -C $z clean >/dev/null && make -s -C $z CC=\"\$CC\" minigzip example infcover"

"$heal" --build "$buildcmd" --reproduce "$work/reproduce.sh" --test "$work/tests.sh" \
  --out "$work/out" --json --timeout 300 > "$work/summary.json" 2> "$work/progress.txt"
rc=$?
[ "$rc" = 0 ] && ok "immune-heal finds a vaccine for zlib (exit 0)" || bad "immune-heal exit $rc" "$work/progress.txt"
grep -q "crashed with SIGSEGV in gz_look" "$work/progress.txt" \
  && ok "the monitor-mode record puts the fault in gz_look" || bad "fault not located in gz_look" "$work/progress.txt"
grep -qx "fun:gz_look" "$work/out/vaccine.policy" 2>/dev/null \
  && ok "the vaccine protects gz_look" || bad "vaccine is not gz_look" "$work/out/vaccine.policy"
python3 - "$work/summary.json" <<'PY' && ok "summary: rescue point, error value, evidence" || bad "--json summary" "$work/summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
v = s["vaccine"]
assert v["function"] == "gz_look" and v["error_value"] == "-1", v
first = s["candidates"][0]
assert first["function"] == "gz_look" and "callers test its result" in first["ranking"], first
PY
# The vaccine works when the user builds with it.
if IMMUNE_POLICY="$work/out/vaccine.policy" CC="$build/bin/immune-cc" sh -c "$buildcmd" > "$work/vaccinated.log" 2>&1; then
  "$work/reproduce.sh" && ok "the vaccinated zlib survives the poisoned input" || bad "vaccinated zlib still dies"
  "$work/tests.sh" > "$work/tests.log" 2>&1 && ok "the vaccinated zlib passes its tests" || bad "tests of the vaccinated zlib" "$work/tests.log"
else
  bad "building with the vaccine" "$work/vaccinated.log"
fi
finish
