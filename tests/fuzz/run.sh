#!/usr/bin/env bash
# Runs every fuzzer of tests/fuzz/ for longer than the CTest smoke runs
# (fuzz_*_short: 20 s each, fixed seed): the libFuzzer targets *_fuzzer.c and
# *_fuzzer.cpp, then json_tools_fuzz.py for as long. Used by `make fuzz`.
#
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
#
#   SECONDS    per fuzzer (default 300)
#   BUILD_DIR  the configured build tree (default: build/ next to tests/);
#              the fuzzers are built there first
#
# Each fuzzer NAME_fuzzer starts from the seeds in tests/fuzz/corpus/NAME/
# and keeps what it finds in BUILD_DIR/tests/fuzz/corpus-NAME/, so later runs
# go on from there; a crashing input is written to
# BUILD_DIR/tests/fuzz/artifacts/NAME-crash-* and the script fails, naming it.
# Reproduce with: BUILD_DIR/bin/NAME_fuzzer ARTIFACT
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-300}
build=${2:-$here/../../build}
build=$(cd "$build" && pwd)
work=$build/tests/fuzz

fuzzers=()
for src in "$here"/*_fuzzer.c "$here"/*_fuzzer.cpp; do
  [ -e "$src" ] || continue
  fuzzers+=("$(basename "${src%.*}")")
done
cmake --build "$build" --target "${fuzzers[@]}"

status=0
for fuzzer in "${fuzzers[@]}"; do
  name=${fuzzer%_fuzzer}
  mkdir -p "$work/corpus-$name" "$work/artifacts"
  echo "== $fuzzer: $seconds s (corpus: $work/corpus-$name)"
  # -close_fd_mask=2: the parsers' complaints about bad input go to
  # /dev/null; libFuzzer and the sanitizers still report on the terminal.
  # -timeout=10: an input that takes that long is reported (a hang).
  if ! "$build/bin/$fuzzer" -max_total_time="$seconds" -max_len=4200 -timeout=10 \
      -close_fd_mask=2 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$name-" \
      "$work/corpus-$name" "$here/corpus/$name"; then
    echo "FAIL: $fuzzer found a problem; inputs:"
    ls -1 "$work/artifacts/$name-"* 2>/dev/null || true
    status=1
  fi
done

# The JSON readers in tools/ (Python): random records and manifests.
echo "== json_tools_fuzz.py: $seconds s"
if ! python3 "$here/json_tools_fuzz.py" "$build" --seconds "$seconds" \
    --seed "$(date +%s)" --out "$work/artifacts/json"; then
  echo "FAIL: json_tools_fuzz.py found uncaught exceptions; inputs in $work/artifacts/json/"
  status=1
fi
exit $status
