#!/usr/bin/env bash
# Runs Immune's benchmarks and prints the summary table (`make bench`).
#
#   bench/run.sh BUILD_DIR [extra Google Benchmark flags for the main run...]
#
# Every protected figure is compared with the same code built without Immune
# in the same run (bench/overhead_bench.cpp). Three runs, because the runtime
# reads IMMUNE_OPTIONS once at start-up:
#   main      all benchmarks, default options (a one-line report per fault,
#             which the harness sends to /dev/null or to a file)
#   quiet     the fault benchmark with verbosity=0: no report at all
#   jsonlog   the fault benchmark with log_path=FILE: the report plus a JSON
#             record with a symbolized backtrace per fault
# Every repetition and aggregate of all three goes to
# BUILD_DIR/bench/results.json (Google Benchmark's format; the extra runs'
# names carry [verbosity=0] / [log_path], every entry its immune_options).
# Environment: IMMUNE_BENCH_REPETITIONS (default 5), IMMUNE_BENCH_CPU (the CPU
# to pin to; default the last one this process may run on). IMMUNE_OPTIONS
# from the environment is replaced, so the figures mean what they say.
# The table shows CPU time (user + system of the process), which leaves out
# time other processes take from the pinned CPU; the JSON has wall time too.
# Exit status: non-zero when a benchmark could not run or failed its own
# checks; a missed performance target is reported, not an error.
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR [benchmark flags...]}
shift
dir="$build/bench"
exe="$dir/immune_bench"
reps=${IMMUNE_BENCH_REPETITIONS:-5}

if [ ! -x "$exe" ]; then
  echo "bench/run.sh: $exe not built (is libbenchmark-dev installed? run: make build)" >&2
  exit 1
fi

# Pin to one CPU: no migrations between the plain and protected runs. The last
# allowed CPU, because CPU 0 usually takes the most interrupts.
pin=() cpu=
if command -v taskset >/dev/null 2>&1; then
  allowed=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status)
  last=${allowed##*,}
  cpu=${IMMUNE_BENCH_CPU:-${last##*-}}
  if taskset -c "$cpu" true 2>/dev/null; then
    pin=(taskset -c "$cpu")
  else
    cpu=
  fi
fi

# The fault benchmark's own log file and the report sink of the "file"
# variant live beside the results (the harness keeps both small).
export TMPDIR="$dir"
eventlog="$dir/events.jsonl"
trap 'rm -f "$eventlog"' EXIT

# run NAME IMMUNE_OPTIONS [flags...]: one run of the harness into NAME.json.
# Random interleaving runs the repetitions of all benchmarks in random order,
# so a slow drift (frequency, a noisy neighbour) spreads over plain and
# protected alike instead of biasing whichever ran during it. The runtime's
# reports are redirected by the harness itself (BM_FaultToReturn), so stderr
# stays visible for real errors; the console table goes to NAME.txt and is
# shown only on failure.
run() {
  local name=$1 opts=$2
  shift 2
  if ! IMMUNE_OPTIONS="$opts" "${pin[@]}" "$exe" \
      --benchmark_repetitions="$reps" \
      --benchmark_enable_random_interleaving=true \
      --benchmark_display_aggregates_only=true \
      --benchmark_out="$dir/$name.json" --benchmark_out_format=json \
      "$@" >"$dir/$name.txt"; then
    cat "$dir/$name.txt" >&2
    echo "bench/run.sh: $exe failed (IMMUNE_OPTIONS=$opts)" >&2
    exit 1
  fi
}

# max_recoveries: by default a site that heals a millionth fault within 10 s
# stops healing, and the fault benchmarks get there; a budget this large keeps
# the check on the measured path without ever tripping it.
budget=max_recoveries=2000000000
fault='--benchmark_filter=^fault_to_return/stderr:devnull$'
echo "bench/run.sh: running $exe, ${reps} repetitions (about two minutes)" >&2
run main "$budget" "$@"
run quiet "$budget:verbosity=0" "$fault"
run jsonlog "$budget:log_path=$eventlog" "$fault"

python3 - "$dir" "$reps" "${cpu:-unpinned}" <<'PY'
import json
import sys

out_dir, reps, cpu = sys.argv[1], sys.argv[2], sys.argv[3]

def load(name):
    with open(f"{out_dir}/{name}.json") as f:
        return json.load(f)

# One results.json: the main run's context, every run's entries, the extra
# runs' names tagged with their configuration.
merged = load("main")
for b in merged["benchmarks"]:
    b["immune_options"] = merged["context"].get("immune_options", "")
for name, tag in (("quiet", "[verbosity=0]"), ("jsonlog", "[log_path]")):
    run = load(name)
    for b in run["benchmarks"]:
        for key in ("name", "run_name"):
            b[key] = b[key].replace("fault_to_return/", f"fault_to_return{tag}/", 1)
        b["immune_options"] = run["context"].get("immune_options", "")
        merged["benchmarks"].append(b)
path = f"{out_dir}/results.json"
with open(path, "w") as f:
    json.dump(merged, f, indent=2)

errors = [b for b in merged["benchmarks"] if b.get("error_occurred")]
scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
median, cv = {}, {}
for b in merged["benchmarks"]:
    if b.get("run_type") != "aggregate" or b.get("error_occurred"):
        continue
    if b["aggregate_name"] == "median":
        median[b["run_name"]] = b["cpu_time"] * scale[b["time_unit"]]
    elif b["aggregate_name"] == "cv":
        cv[b["run_name"]] = b["cpu_time"] * 100  # cv is a fraction

def verdict(ok):
    return "MET" if ok else "MISSED"

def have(*names):
    return all(n in median for n in names)

ctx = merged["context"]
print()
print(f"machine: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
      f"load average {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}; "
      f"libbenchmark built as {ctx.get('library_build_type')}")
pinned = f"pinned to CPU {cpu}" if cpu != "unpinned" else "not pinned"
print(f"Immune overhead: median of {reps} repetitions, CPU time, {pinned}")
print(f"{'':28}{'unprotected':>12}{'protected':>12}{'added':>10}{'ratio':>8}{'cv prot.':>10}")
for label, name, depth in (("protected call", "call", 1),
                           ("nested, depth 2", "nest2", 2),
                           ("nested, depth 4", "nest4", 4)):
    plain, prot = f"{name}/plain", f"{name}/protected"
    if not have(plain, prot):
        continue
    added = median[prot] - median[plain]
    row = (f"{label:28}{median[plain]:9.2f} ns{median[prot]:9.2f} ns"
           f"{added:+7.2f} ns{median[prot] / median[plain]:7.2f}x"
           f"{cv.get(prot, float('nan')):9.1f}%")
    if depth == 1:
        row += f"   target added <= 2 ns: {verdict(added <= 2.0)}"
    else:
        row += f"   {added / depth:+.2f} ns per level"
    print(row)

if have("buffer/plain", "buffer/protected", "call/plain", "call/protected"):
    per_buffer = (median["buffer/protected"] - median["buffer/plain"]) - \
                 (median["call/protected"] - median["call/plain"])
    print(f"{'call with a 64-byte buffer':28}{median['buffer/plain']:9.2f} ns"
          f"{median['buffer/protected']:9.2f} ns"
          f"{median['buffer/protected'] - median['buffer/plain']:+7.2f} ns"
          f"{median['buffer/protected'] / median['buffer/plain']:7.2f}x"
          f"{cv.get('buffer/protected', float('nan')):9.1f}%")
    print(f"{'  per relocated buffer':28}{'':24}{per_buffer:+7.2f} ns"
          f"{'':17}   target <= 20 ns: {verdict(per_buffer <= 20.0)}")

# Logged stores: a call with N stores, less the same call's cost without
# stores (store1 has one; the slope between 16 and 64 is the per-store cost
# with the call's fixed part cancelled out).
for n in (1, 16, 64):
    plain, prot = f"store{n}/plain", f"store{n}/protected"
    if not have(plain, prot):
        continue
    added = median[prot] - median[plain]
    print(f"{f'call with {n} logged store(s)':28}{median[plain]:9.2f} ns{median[prot]:9.2f} ns"
          f"{added:+7.2f} ns{median[prot] / median[plain]:7.2f}x"
          f"{cv.get(prot, float('nan')):9.1f}%")
if have("store16/plain", "store16/protected", "store64/plain", "store64/protected"):
    slope = ((median["store64/protected"] - median["store64/plain"]) -
             (median["store16/protected"] - median["store16/plain"])) / 48
    print(f"{'  per logged store':28}{'':24}{slope:+7.2f} ns"
          f"{'':17}   target <= 2 ns: {verdict(slope <= 2.0)}")

if have("heap/plain", "heap/protected", "heap/guarded"):
    for name, what in (("heap/protected", "malloc+free, protected"),
                       ("heap/guarded", "malloc+free, guard_heap")):
        added = median[name] - median["heap/plain"]
        row = (f"{what:28}{median['heap/plain']:9.2f} ns{median[name]:9.2f} ns"
               f"{added:+7.2f} ns{median[name] / median['heap/plain']:7.2f}x"
               f"{cv.get(name, float('nan')):9.1f}%")
        if name == "heap/guarded":
            row += f"   target <= 1000 ns: {verdict(median[name] <= 1000.0)}"
        print(row)

if have("loop/protected", "loop/budget"):
    extra = median["loop/budget"] - median["loop/protected"]
    print(f"{'watchdog, 64-iteration loop':28}{median['loop/protected']:9.2f} ns"
          f"{median['loop/budget']:9.2f} ns{extra:+7.2f} ns"
          f"   = {extra / 64:.3f} ns per iteration (arm/disarm included)")

print()
def us(name):
    return median[name] / 1e3
rows = (
    ("fault -> error return, report to /dev/null", "fault_to_return/stderr:devnull", True),
    ("fault -> error return, report to a file", "fault_to_return/stderr:file", False),
    ("fault -> error return, no report (verbosity=0)",
     "fault_to_return[verbosity=0]/stderr:devnull", False),
    ("fault -> error return, + JSON record (log_path)",
     "fault_to_return[log_path]/stderr:devnull", False),
    ("  kernel floor: fault + signal + sigreturn", "fault_floor/raw_signal", False),
    ("  one report write(2) to /dev/null", "report_write/devnull", False),
    ("  one report write(2) to a file", "report_write/file", False),
)
for label, name, target in rows:
    if not have(name):
        continue
    row = f"{label:50}{us(name):8.2f} us"
    if target:
        row += f"   target <= 5 us: {verdict(us(name) <= 5.0)}"
    print(row)
print(f"\nfull results: {path}")

if errors:
    for b in errors:
        print(f"ERROR {b['name']}: {b.get('error_message', '')}", file=sys.stderr)
    sys.exit(1)
PY
