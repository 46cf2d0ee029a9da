#!/usr/bin/env bash
# immune_enable() in a project whose compiler cannot load the plugin (GCC,
# clang of another major version) fails the configuration with a message
# that says so and names the fix — not a symbol-lookup error at build time.
#   wrong_compiler_test.sh PREFIX EXAMPLE_DIR(cmake-package)
set -euo pipefail
prefix=$(readlink -f "$1") src=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tested=0
for compiler in gcc clang-14 clang-18 clang-20; do
  command -v "$compiler" >/dev/null || continue
  rm -rf "$work/p" && cp -r "$src" "$work/p"
  if cmake -S "$work/p" -B "$work/p/build" -DCMAKE_C_COMPILER="$compiler" \
       -DCMAKE_PREFIX_PATH="$prefix" >"$work/log" 2>&1; then
    echo "FAIL: configured with $compiler"; exit 1
  fi
  # CMake wraps messages: compare with the line breaks taken out.
  message=$(tr -s ' \n' '  ' <"$work/log")
  if [[ "$message" != *"can only be loaded by clang 19"* ||
        "$message" != *"-DCMAKE_C_COMPILER=clang-19"* ]]; then
    cat "$work/log"; echo "FAIL: no clear message for $compiler"; exit 1
  fi
  echo "ok: immune_enable refuses $compiler:"
  grep -A3 "CMake Error" "$work/log" | sed 's/^/    /'
  tested=$((tested + 1))
done
[ "$tested" -gt 0 ] || { echo "SKIP: no compiler other than clang 19 installed"; exit 77; }
