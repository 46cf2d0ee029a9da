#!/usr/bin/env bash
# `make eval`: the whole evaluation on real programs, then docs/evaluation.md.
#   eval/run.sh BUILD_DIR [STEP...]
# Steps (default: all, in this order): transparency campaigns bench heal bc report.
#   transparency  zlib, lighttpd, memcached, sqlite3: own test suites, plain
#                 and protect-all (~45 min; memcached's and sqlite3's suites
#                 are the long ones)
#   campaigns     every function of zlib, lighttpd, memcached; a sample of 400
#                 error-returning functions of sqlite3 (~50 min)
#   bench         lighttpd under wrk, sqlite3 speedtest1, RSS (~10 min)
#   heal          immune-heal, rebuilding and --live, on real bugs put back
#                 into Debian sources (eval/heal.sh, eval/bugs/; a few min)
#   bc            bc 1.06's heap overflow (more_arrays) put back into bc
#                 1.07.1: plain, fun:more_arrays=guard_heap, and the vaccine
#                 immune-heal finds (eval/bc_guard_heap.sh, ~1 min)
#   report        docs/evaluation.md and docs/evaluation/*.png from the results
# Results: BUILD_DIR/eval/results; logs: BUILD_DIR/eval/*.log.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
build=$(readlink -f "${1:-build}"); shift || true
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(transparency campaigns bench heal bc report)
py=python3
mkdir -p "$build/eval/results"
status=0
t0=$(date +%s)
for step in "${steps[@]}"; do
  s0=$(date +%s)
  echo "== eval: $step" >&2
  case "$step" in
    transparency)
      $py "$here/transparency.py" "$build" zlib lighttpd memcached sqlite3 || status=1 ;;
    campaigns)
      $py "$here/campaign.py" "$build" zlib --jobs 2 || status=1
      $py "$here/campaign.py" "$build" lighttpd --jobs 2 || status=1
      $py "$here/campaign.py" "$build" memcached --jobs 2 || status=1
      $py "$here/campaign.py" "$build" sqlite3 --jobs 2 --select error-returning --sample 400 || status=1 ;;
    bench)
      $py "$here/bench.py" "$build" || status=1 ;;
    heal)
      bash "$here/heal.sh" "$build" || status=1 ;;
    bc)
      bash "$here/bc_guard_heap.sh" "$build" || status=1 ;;
    report)
      /usr/bin/python3 "$here/report.py" "$build" || status=1 ;;
    *) echo "eval/run.sh: unknown step '$step'" >&2; exit 2 ;;
  esac
  echo "$step $(( $(date +%s) - s0 ))" >> "$build/eval/results/timings.txt" 2>/dev/null || true
  echo "== eval: $step took $(( $(date +%s) - s0 )) s" >&2
done
echo "== eval: done in $(( $(date +%s) - t0 )) s (status $status)" >&2
exit $status
