#!/usr/bin/env bash
# The runtime under sanitizers: its unit tests, and a subset of the e2e cases
# linked with it, under ASan+UBSan and under TSan (docs/reliability.md says
# what is excluded and why). Each sanitizer gets its own build tree,
# BUILD_DIR/sanitize-asan and BUILD_DIR/sanitize-tsan: the whole project
# configured with the sanitizer's flags, of which only the runtime and the
# unit tests are built. The e2e cases are compiled by the main build's
# immune-cc (the plugin is loaded into clang and is never sanitized), with the
# sanitizer flags, and linked with the sanitized runtime (cc.sh).
#
#   tests/sanitize/run.sh [--only asan|tsan] [--no-e2e] [BUILD_DIR]
#
# BUILD_DIR is the main, configured build tree (default: build/ at the top);
# it is built first. Used by `make soak`; about 8 minutes on 2 cores, most of
# it compiling. Exit status 0 only if every run passed without a sanitizer
# report. Logs: BUILD_DIR/sanitize-*/unit.log and .../e2e/<case>/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
only="" e2e=1 build=""
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --no-e2e) e2e=0; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) build=$1; shift ;;
  esac
done
build=$(cd "${build:-$src/build}" && pwd) || exit 2

rtdir=$(dirname "$(clang-19 -print-file-name=libclang_rt.asan-x86_64.so)")
[ -f "$rtdir/libclang_rt.asan-x86_64.so" ] && [ -f "$rtdir/libclang_rt.tsan-x86_64.so" ] || {
  echo "sanitize: the sanitizer runtimes are missing (apt-get install libclang-rt-19-dev)" >&2
  exit 2
}
# The sanitizer runtime as a shared library: Immune's own interceptors then
# reach the sanitizer's through dlsym(RTLD_NEXT) (see cc.sh).
shared_libsan="-shared-libsan -Wl,-rpath,$rtdir"

# The unit tests and the e2e programs fault on purpose (NULL, division by zero,
# INT_MIN / -1, past the end of a buffer, into canary bytes, memcpy to NULL,
# a NULL function pointer): UBSan's checks for exactly those would stop them
# before the fault they test. The runtime keeps every check.
ub_test_exclude=null,integer-divide-by-zero,signed-integer-overflow,bounds,vla-bound,pointer-overflow,function,unreachable,return,alignment,nonnull-attribute
# ASan and TSan must not take the fault signals themselves: a fault Immune
# declines must end the process exactly as without a sanitizer (the crash
# cases check the signal), and each thread keeps Immune's 256 KiB alternate
# signal stack, not the sanitizer's smaller one.
deadly=handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0
export ASAN_OPTIONS="$deadly:use_sigaltstack=0:detect_leaks=1:exitcode=66:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=66"
export TSAN_OPTIONS="$deadly:halt_on_error=1:exitcode=66:report_signal_unsafe=1"

echo "== the main build ($build): plugin, wrappers, runtime"
cmake --build "$build" --target immune immune_rt immune_rt_shared || exit 2

status=0
failed=()

# configure NAME CFLAGS CXXFLAGS LDFLAGS
configure() {
  local dir=$build/sanitize-$1
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_C_COMPILER_LAUNCHER="$here/launcher.sh" \
    -DCMAKE_C_FLAGS="$2" -DCMAKE_CXX_FLAGS="$3" \
    -DCMAKE_EXE_LINKER_FLAGS="$4" -DCMAKE_SHARED_LINKER_FLAGS="$4" \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" --target immune_rt immune_unit_tests
}

# A sanitizer's report in a log is a failure whatever the exit status says.
reported() { grep -qE '^(==[0-9]+==ERROR: |WARNING: ThreadSanitizer|SUMMARY: [A-Za-z]+Sanitizer|.*runtime error: )' "$@" 2>/dev/null; }

# unit NAME [CATCH TEST SPEC...]
unit() {
  local dir=$build/sanitize-$1; shift
  echo "== $dir: unit tests"
  if "$dir/bin/immune_unit_tests" "$@" >"$dir/unit.log" 2>&1 && ! reported "$dir/unit.log"; then
    tail -n 3 "$dir/unit.log"
  else
    echo "FAIL: unit tests under $(basename "$dir") (log: $dir/unit.log)"
    grep -E -A12 '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|.*runtime error:|-{70,})' "$dir/unit.log" | head -n 60
    failed+=("unit tests ($(basename "$dir"))")
    status=1
  fi
}

# The expectation of each e2e case, as tests/e2e/CMakeLists.txt registers it.
expectation() {
  sed -n "s/^e2e_case(\($1\) \([^)]*\))$/\2/p" "$src/tests/e2e/CMakeLists.txt"
}

# e2e NAME FLAGS CASE...: each case at -O2 through run_case.sh with cc.sh.
e2e() {
  local name=$1 flags=$2 dir=$build/sanitize-$1; shift 2
  echo "== $dir: e2e cases (-O2): $*"
  local c case_src expect ok=0 bad=0
  for c in "$@"; do
    if [ -f "$src/tests/e2e/cases/$c" ]; then case_src=$src/tests/e2e/cases/$c
    elif [ -f "$src/tests/storm/$c" ]; then case_src=$src/tests/storm/$c
    else echo "  $c: no such case"; bad=$((bad + 1)); continue; fi
    expect=$(expectation "$c")
    [ -n "$expect" ] || expect=heal
    local cc=$build/bin/immune-cc
    case $c in *.cpp) cc=$build/bin/immune-c++ ;; esac
    local work=$dir/e2e/${c%.*}
    if SANITIZE_IMMUNE_CC=$cc SANITIZE_RUNTIME=$dir/lib/libimmune_rt.a \
       SANITIZE_FLAGS="$flags" SANITIZE_LDFLAGS="$shared_libsan" \
       bash "$src/tests/e2e/run_case.sh" "$here/cc.sh" "$case_src" O2 "$expect" "$work" \
         >"$dir/e2e.${c%.*}.log" 2>&1 && ! reported "$work/stderr"; then
      ok=$((ok + 1))
    else
      bad=$((bad + 1))
      echo "  FAIL: $c ($expect), log $dir/e2e.${c%.*}.log:"
      { cat "$dir/e2e.${c%.*}.log"; grep -E -A15 '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|.*runtime error:)' "$work/stderr" 2>/dev/null; } |
        head -n 40 | sed 's/^/    /'
      failed+=("$c ($name)")
      status=1
    fi
  done
  echo "  $ok passed, $bad failed"
}

# Every e2e case (tests/e2e/CMakeLists.txt) and the fault storm, but these
# (docs/reliability.md says more):
declare -A skip_all=(
  [shared_runtime.c]="links libimmune_rt.so, which would need the sanitizer runtime preloaded"
  [lto.c]="LTO with lld: the sanitizer passes would run over the whole program at link time"
  [lto_thin.c]="LTO with lld: the sanitizer passes would run over the whole program at link time"
  [dyboc_gdb.c]="runs gdb on itself"
)
declare -A skip_asan=(
  [dyboc_stack_protector.c]="overflows an unprotected function's buffer on purpose so -fstack-protector fires; ASan rightly reports the overflow first"
  [escalate_allocator.c]="a double free: ASan's allocator reports it itself"
)
declare -A skip_tsan=(
  [stack_overflow.c]="runaway recursion overruns TSan's shadow call stack before the thread's stack"
  [many_recoveries.c]="100,000 healed faults on one thread: each leaves TSan's shadow call stack deeper (about 43,700 fit)"
  [dyboc_thread_churn.c]="hundreds of thousands of healed faults per thread: TSan's shadow call stack (as many_recoveries.c)"
  [escalate_allocator.c]="a double free: TSan's allocator does not detect it, so the fault the case is about never happens"
  [dyboc_leak.c]="counts /proc/self/maps lines, which TSan's allocator changes"
  [dyboc_leak_ssp.c]="counts /proc/self/maps lines, which TSan's allocator changes"
)
all_cases=()
while read -r c; do
  case $c in rollback_*) continue ;; esac  # heap rollback is off (launcher.sh)
  all_cases+=("$c")
done < <(sed -n 's/^e2e_case(\([^ )]*\) .*/\1/p' "$src/tests/e2e/CMakeLists.txt")
all_cases+=(storm.c)

# cases_for NAME: the cases NAME runs; prints what it leaves out, and why.
cases_for() {
  local -n extra=skip_$1
  local c
  selected=()
  for c in "${all_cases[@]}"; do
    if [ -n "${skip_all[$c]:-}" ]; then echo "  skip $c: ${skip_all[$c]}"
    elif [ -n "${extra[$c]:-}" ]; then echo "  skip $c: ${extra[$c]}"
    else selected+=("$c"); fi
  done
  echo "  skip rollback_*: heap rollback is off under sanitizers (launcher.sh)"
}
# The storm's per-level heap blocks rely on heap rollback when a level
# aborts: off here, they would leak.
export STORM_NO_HEAP=1

if [ -z "$only" ] || [ "$only" = asan ]; then
  asan="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  # The static runtime is one relocatable object whose private symbols are
  # made local (runtime/CMakeLists.txt), ASan's "globals registered" flag
  # among them: with ELF section-range registration the program's objects
  # and the runtime's would then register every global twice (a false
  # odr-violation). Registering the runtime's globals per object avoids that.
  if configure asan "$asan -fno-sanitize-address-globals-dead-stripping" \
       "$asan -fno-sanitize=$ub_test_exclude" \
       "-fsanitize=address,undefined $shared_libsan"; then
    # Heap rollback is off under sanitizers (launcher.sh): not the rollback
    # tests, whose every case checks the heap too.
    unit asan '~[rollback]'
    if [ $e2e = 1 ]; then
      cases_for asan
      e2e asan "-fsanitize=address,undefined -fno-sanitize=$ub_test_exclude -fno-sanitize-recover=all" \
        "${selected[@]}"
    fi
  else
    failed+=("the ASan+UBSan build"); status=1
  fi
fi

if [ -z "$only" ] || [ "$only" = tsan ]; then
  if configure tsan "-fsanitize=thread" "-fsanitize=thread" "-fsanitize=thread $shared_libsan"; then
    # TSan keeps a shadow call stack, without bounds checks, shallower than
    # the thread's stack: runaway recursion overruns it into TSan's own
    # memory before the thread's guard page is reached.
    unit tsan '~[rollback]' '~stack exhaustion inside a transaction heals'
    # The same for the storm's runaway recursions (STORM_NO_RECURSION makes
    # them NULL reads, with the same count of faults).
    if [ $e2e = 1 ]; then
      cases_for tsan
      export STORM_NO_RECURSION=1
      e2e tsan "-fsanitize=thread" "${selected[@]}"
      unset STORM_NO_RECURSION
    fi
  else
    failed+=("the TSan build"); status=1
  fi
fi

if [ $status = 0 ]; then
  echo "sanitize: PASS"
else
  echo "sanitize: FAIL: ${failed[*]}"
fi
exit $status
