#!/usr/bin/env bash
# Installs the Debian packages Immune needs to build, test and demo, so that
# `make demo` and `make test` work as the first commands on a fresh Debian 12
# machine. Installs with apt-get when running as root (or with passwordless
# sudo); otherwise prints the exact command and fails.
set -euo pipefail

packages=(
  clang-19 llvm-19-dev llvm-19-tools libclang-rt-19-dev libunwind-19-dev lld-19
  cmake ninja-build make python3 catch2 libbenchmark-dev curl
  # unit tests of the Python tools (run with /usr/bin/python3 -m pytest)
  python3-pytest
  # integration examples and packaging (tests/install, `make package`)
  pkgconf autoconf automake meson dpkg-dev file
  # the evaluation on Debian source packages (make eval, docs/evaluation.md):
  # their build dependencies, the load generator and the plots
  libpcre2-dev libevent-dev tcl-dev zlib1g-dev wrk python3-matplotlib
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "immune: missing Debian packages: ${missing[*]}" >&2
  echo "immune: run as root:  apt-get update && ${cmd[*]}" >&2
  exit 1
fi
echo "immune: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" "${cmd[@]}"
