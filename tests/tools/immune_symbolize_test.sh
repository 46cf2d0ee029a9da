#!/usr/bin/env bash
# immune-symbolize turns the runtime's JSON event records into backtraces with
# function names and file:line, for PIE and non-PIE programs, and keeps
# going past input that is not JSON.
#   immune_symbolize_test.sh BUILD_DIR
set -uo pipefail
build=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > prog.c <<'C'
#include <immune/immune.h>
__attribute__((noinline)) int leaf(int *p) { return *p; }            /* line 2 */
IMMUNE_PROTECT int parse(int *p) { return leaf(p) + 1; }              /* line 3 */
int main(void) { return parse((int *)0) == -1 ? 0 : 1; }              /* line 4 */
C
fails=0
for pie in -pie -no-pie; do
  "$build/bin/immune-cc" -O1 -g $pie -fno-inline prog.c -o prog || { echo "FAIL: build $pie"; exit 1; }
  rm -f ev.jsonl
  IMMUNE_OPTIONS=log_path=$work/ev.jsonl:verbosity=0 ./prog || { echo "FAIL: prog $pie did not heal"; fails=1; }
  echo 'not json' >> ev.jsonl
  "$build/bin/immune-symbolize" --text ev.jsonl > report.txt 2> err.txt
  cat report.txt
  grep -q "recovered SIGSEGV .* in parse, returned -1" report.txt || { echo "FAIL($pie): summary"; fails=1; }
  grep -qE "#0 .* leaf prog.c:2 " report.txt || { echo "FAIL($pie): leaf frame without file:line"; fails=1; }
  grep -qE "#1 .* parse prog.c:3 " report.txt || { echo "FAIL($pie): parse frame"; fails=1; }
  grep -qE "#2 .* main prog.c:4 " report.txt || { echo "FAIL($pie): main frame"; fails=1; }
  grep -q "ev.jsonl:2: not a JSON record" err.txt || { echo "FAIL($pie): bad line not reported"; cat err.txt; fails=1; }
  "$build/bin/immune-symbolize" ev.jsonl 2>/dev/null | python3 -c '
import json, sys
rec = json.loads(sys.stdin.readline())
frames = rec["backtrace"]
assert frames[0]["function"] == "leaf" and frames[0]["line"] == 2, frames[0]
' || { echo "FAIL($pie): JSON output"; fails=1; }
done
[ "$fails" = 0 ] && echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; exit 1; }
