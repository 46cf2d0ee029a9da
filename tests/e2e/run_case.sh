#!/usr/bin/env bash
# One end-to-end case: build a real program with the Immune wrapper, run it,
# and check what a user would notice (exit status or killing signal, the
# program's own checks on stdout, the recovery lines on stderr).
#
#   run_case.sh COMPILER SOURCE OPT EXPECT WORKDIR
#
#   COMPILER  build/bin/immune-cc or build/bin/immune-c++
#   SOURCE    the case's main source file (tests/e2e/cases/*.c, *.cpp)
#   OPT       optimization level: O0, O2, ... (passed as -OPT)
#   EXPECT    heal         the program exits 0 (it healed and its checks passed)
#             crash:SIGX   the process is killed by signal SIGX, as without
#                          Immune (the shell would see 128+SIGX)
#             exit:N       the program exits with status N
#   WORKDIR   scratch directory for this (case, OPT); emptied first
#
# The source describes the rest in comment lines of the form `E2E-KEY: value`:
#
#   E2E-CFLAGS: flags     more compiler/wrapper flags (compile and link)
#   E2E-LDFLAGS: flags    more flags for the link steps only
#   E2E-SRC: file         another source of the executable (next to SOURCE)
#   E2E-SHLIB: file       built with -shared -fPIC into libe2e.so, which the
#                         executable links (with an rpath)
#   E2E-DLOPEN: file      built like E2E-SHLIB into libe2e_dl.so, not linked:
#                         the program finds its path in $E2E_DLOPEN
#   E2E-POLICY: line      one line of a policy file passed with
#                         --immune-policy (repeatable)
#   E2E-RECOVERED: N      exactly N "immune: recovered" lines on stderr
#                         (default: at least one for heal, none otherwise)
#   E2E-STDOUT: text      stdout contains this fixed text (repeatable)
#   E2E-STDERR: regex     some stderr line matches this ERE (repeatable)
#   E2E-STDERR-COUNT: N regex
#                         exactly N stderr lines match this ERE (repeatable;
#                         "0 ^" = nothing at all on stderr)
#   E2E-ENV: NAME=value   set in the program's environment (repeatable);
#                         @LOG@ in the value is WORKDIR/events.jsonl, e.g.
#                         IMMUNE_OPTIONS=log_path=@LOG@:verbosity=0; @DIR@ is
#                         WORKDIR itself (a vaccine file the case writes)
#   E2E-EVENT: KIND SIGNAL FUNCTION [symbol] [frame=S] [aborts=N]
#                         when an E2E-ENV names @LOG@: the JSON records the
#                         run must leave there, in order, one line each (none
#                         if the case lists none); FUNCTION - for none; see
#                         check_events.py
#   E2E-LOG-LAST: regex   the last record of that event log matches this ERE
#                         (repeatable)
#   E2E-BUILD-ENV: NAME=value
#                         set in the environment of the compile and link
#                         steps (repeatable), e.g. IMMUNE_ORACLE=1 for the
#                         plugin; the reproducer exports it
#   E2E-REQUIRES: tool    the case needs this program on PATH; without it the
#                         case is skipped (exit 77, which CTest reports as
#                         skipped) with a message saying so
#
# Every stderr line that starts with "immune: recovered" must have the
# documented format, and no stdout line may start with "FAIL".
# On failure the script prints the commands (a reproducer), the status, and
# the program's output.
set -uo pipefail

if [ $# -ne 5 ]; then
  echo "usage: $0 COMPILER SOURCE OPT EXPECT WORKDIR" >&2
  exit 2
fi
cc=$1 src=$2 opt=$3 expect=$4 work=$5
srcdir=$(cd "$(dirname "$src")" && pwd)

# The plugin reads these; a developer's shell must not change what a case
# protects. No core files: crash cases die on purpose.
unset IMMUNE_POLICY IMMUNE_PROTECT_ALL IMMUNE_OPTIONS IMMUNE_MANIFEST IMMUNE_ORACLE IMMUNE_DYBOC
ulimit -c 0

rm -rf "$work" && mkdir -p "$work" || exit 2
log=$work/commands.sh
echo "# reproducer for $(basename "$src") at -$opt (run from any directory)" >"$log"

failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}

# directive KEY: every value of `E2E-KEY: value` in the source, one per line.
directive() {
  sed -n "s/^.*E2E-$1:[[:space:]]*\(.*[^[:space:]]\)[[:space:]]*\$/\1/p" "$src"
}

run_logged() {
  printf '%q ' "$@" >>"$log"
  echo >>"$log"
  "$@"
}

while IFS= read -r tool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $(basename "$src") needs '$tool', which is not installed"
    exit 77
  fi
done < <(directive REQUIRES)

# ---- build -------------------------------------------------------------------
# The plugin reads its environment at compile time (E2E-BUILD-ENV).
while IFS= read -r kv; do
  printf 'export %q\n' "$kv" >>"$log"
  export "$kv"
done < <(directive BUILD-ENV)
read -r -a cflags <<<"$(directive CFLAGS | tr '\n' ' ')"
read -r -a ldflags <<<"$(directive LDFLAGS | tr '\n' ' ')"
flags=("-$opt" -Wall -I"$srcdir" "${cflags[@]}")

mapfile -t policy < <(directive POLICY)
if [ ${#policy[@]} -gt 0 ]; then
  printf '%s\n' "${policy[@]}" >"$work/policy.txt"
  echo "# policy.txt:" >>"$log"
  printf '#   %s\n' "${policy[@]}" >>"$log"
  flags+=("--immune-policy=$work/policy.txt")
fi

# build_shlib SOURCE NAME: SOURCE (next to the case) into WORKDIR/NAME.
build_shlib() {
  run_logged "$cc" "${flags[@]}" "${ldflags[@]}" -shared -fPIC "$srcdir/$1" -o "$work/$2"
}

build() {
  local objs=() i=0 s
  for s in "$src" $(directive SRC | sed "s|^|$srcdir/|"); do
    run_logged "$cc" "${flags[@]}" -c "$s" -o "$work/obj$i.o" || return 1
    objs+=("$work/obj$i.o")
    i=$((i + 1))
  done
  local shlib dl
  shlib=$(directive SHLIB)
  if [ -n "$shlib" ]; then
    build_shlib "$shlib" libe2e.so || return 1
    objs+=("$work/libe2e.so" "-Wl,-rpath,$work")
  fi
  dl=$(directive DLOPEN)
  if [ -n "$dl" ]; then build_shlib "$dl" libe2e_dl.so || return 1; fi
  run_logged "$cc" "${flags[@]}" "${ldflags[@]}" "${objs[@]}" -o "$work/prog"
}

if ! build >"$work/build.log" 2>&1; then
  echo "FAIL: build failed"
  cat "$log" "$work/build.log"
  exit 1
fi

# ---- run ---------------------------------------------------------------------
# The case's environment (E2E-ENV), with @LOG@ naming its event log.
events=$work/events.jsonl
mapfile -t run_env < <(directive ENV | sed "s|@LOG@|$events|g; s|@DIR@|$work|g")
if [ -n "$(directive DLOPEN)" ]; then run_env+=("E2E_DLOPEN=$work/libe2e_dl.so"); fi
uses_log=0
if directive ENV | grep -q '@LOG@'; then uses_log=1; fi
# perl reports how the program ended: bash's $? cannot tell "killed by SIGSEGV"
# from "exit(139)", and that difference is what a crash case is about.
{
  [ ${#run_env[@]} -eq 0 ] || printf '%q ' env "${run_env[@]}"
  echo "$work/prog >stdout 2>stderr"
} >>"$log"
env "${run_env[@]}" perl -e '
  my ($limit, $out) = (shift, shift);
  my $pid = fork // die "fork: $!";
  if ($pid == 0) { exec @ARGV or exit 127 }
  local $SIG{ALRM} = sub { kill "KILL", $pid; $timed_out = 1 };
  alarm $limit;
  waitpid $pid, 0;
  my $st = $?;
  open my $fh, ">", $out or die;
  print $fh ($timed_out ? "timeout" : ($st & 127) ? "signal " . ($st & 127)
                                                  : "exit " . ($st >> 8)), "\n";
' 90 "$work/status" "$work/prog" >"$work/stdout" 2>"$work/stderr"
status=$(cat "$work/status")

# ---- check -------------------------------------------------------------------
case "$expect" in
  heal) want="exit 0" ;;
  exit:*) want="exit ${expect#exit:}" ;;
  crash:SIG*) want="signal $(kill -l "${expect#crash:SIG}")" ;;
  *) echo "run_case.sh: bad expectation '$expect'" >&2; exit 2 ;;
esac
[ "$status" = "$want" ] || fail "program ended with '$status', expected '$want' ($expect)"

# A sent signal (abort() raises SIGABRT) names its sender instead of an address;
# a broken canary of a relocated buffer (DYBOC), an injected abort and a
# watchdog timeout are found without a signal.
recovery_re='^immune: recovered (SIG[A-Z]+ \([A-Z_]+\) (at address 0x[0-9a-f]+|sent by pid [0-9]+)|broken canary of a relocated buffer|broken canary of a guarded heap block \(at free or realloc of 0x[0-9a-f]+\)|injected abort on entry|transaction stack full \(recursion deeper than tx_stack_mb holds\)|timeout: ran past its [0-9]+ ms budget) pc 0x[0-9a-f]+ in .+, returning .+$'
recovered=$(grep -c '^immune: recovered' "$work/stderr")
malformed=$(grep '^immune: recovered' "$work/stderr" | grep -Evc "$recovery_re")
[ "$malformed" = 0 ] || fail "$malformed malformed recovery line(s) on stderr"

want_recovered=$(directive RECOVERED)
if [ -n "$want_recovered" ]; then
  [ "$recovered" = "$want_recovered" ] ||
    fail "$recovered recovery line(s) on stderr, expected $want_recovered"
elif [ "$expect" = heal ]; then
  [ "$recovered" -ge 1 ] || fail "no recovery line on stderr"
else
  [ "$recovered" = 0 ] || fail "$recovered recovery line(s) on stderr, expected none"
fi

while IFS= read -r text; do
  grep -qF -- "$text" "$work/stdout" || fail "stdout lacks: $text"
done < <(directive STDOUT)
while IFS= read -r re; do
  grep -qE -- "$re" "$work/stderr" || fail "no stderr line matches: $re"
done < <(directive STDERR)
while IFS= read -r spec; do
  n=${spec%%[[:space:]]*} re=${spec#*[[:space:]]}
  got=$(grep -cE -- "$re" "$work/stderr")
  [ "$got" = "$n" ] || fail "$got stderr line(s) match '$re', expected $n"
done < <(directive STDERR-COUNT)
if grep -q '^FAIL' "$work/stdout"; then fail "the program's own checks failed"; fi

# The JSON records in the event log (E2E-EVENT), checked with Python's json.
if [ "$uses_log" = 1 ]; then
  mapfile -t want_events < <(directive EVENT)
  check=("$(cd "$(dirname "$0")" && pwd)/check_events.py" "$events" "${want_events[@]}")
  printf '%q ' python3 "${check[@]}" >>"$log"
  echo >>"$log"
  if ! python3 "${check[@]}" >"$work/events.check" 2>&1; then
    fail "the event records in $events are not as expected:"
    sed 's/^/  /' "$work/events.check"
  fi
  while IFS= read -r re; do
    tail -n 1 "$events" 2>/dev/null | grep -qE -- "$re" ||
      fail "the last record in $events does not match: $re"
  done < <(directive LOG-LAST)
fi

if [ "$failed" = 1 ]; then
  echo "---- commands ($log)"
  cat "$log"
  echo "---- status: $status"
  echo "---- stdout (last 40 lines)"
  tail -n 40 "$work/stdout"
  echo "---- stderr (last 40 lines)"
  tail -n 40 "$work/stderr"
  exit 1
fi
echo "PASS: $(basename "$src") -$opt: $status, $recovered recovery line(s)"
