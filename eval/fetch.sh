#!/usr/bin/env bash
# Fetches Debian source packages into a cache, once:
#   eval/fetch.sh CACHE_DIR PACKAGE...
# Each PACKAGE ends up unpacked (with Debian's patches applied) in
# CACHE_DIR/PACKAGE/src, its version in CACHE_DIR/PACKAGE/VERSION. A cached
# package is not fetched again. The sources come from Debian's archive
# through apt: when no deb-src line is configured, this script adds its own
# (/etc/apt/sources.list.d/immune-eval-src.sources, the suite of the running
# Debian) and runs `apt-get update`. Needs root (or passwordless sudo) only
# for that, and `dpkg-dev` for `apt-get source`.
set -euo pipefail
cache=$1; shift
mkdir -p "$cache"
cache=$(readlink -f "$cache")

sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); fi
fi

have_src() { apt-cache showsrc "$1" 2>/dev/null | grep -q '^Package:'; }

need=()
for p in "$@"; do [ -f "$cache/$p/VERSION" ] || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0

if ! have_src "${need[0]}"; then
  list=/etc/apt/sources.list.d/immune-eval-src.sources
  . /etc/os-release
  suite=${VERSION_CODENAME:-bookworm}
  if [ ! -f "$list" ]; then
    if [ "$(id -u)" != 0 ] && [ ${#sudo[@]} -eq 0 ]; then
      echo "eval/fetch.sh: no deb-src line for $suite; as root, create $list with:" >&2
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$suite" "$suite" >&2
      exit 1
    fi
    echo "eval/fetch.sh: adding deb-src for $suite ($list)" >&2
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$suite" "$suite" | "${sudo[@]}" tee "$list" >/dev/null
  fi
  "${sudo[@]}" apt-get update -qq
  have_src "${need[0]}" || { echo "eval/fetch.sh: apt-get cannot find source package ${need[0]}" >&2; exit 1; }
fi

for p in "${need[@]}"; do
  rm -rf "$cache/$p.tmp"
  mkdir -p "$cache/$p.tmp"
  echo "eval/fetch.sh: apt-get source $p" >&2
  # apt-get source downloads as root when the cache is not readable by _apt.
  (cd "$cache/$p.tmp" && apt-get source -qq "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  dir=$(find "$cache/$p.tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
  [ -n "$dir" ] || { echo "eval/fetch.sh: apt-get source $p unpacked nothing" >&2; exit 1; }
  dsc=$(ls "$cache/$p.tmp"/*.dsc | head -1)
  version=$(sed -n 's/^Version: //p' "$dsc" | head -1)
  rm -rf "$cache/$p"
  mkdir -p "$cache/$p"
  mv "$dir" "$cache/$p/src"
  mv "$cache/$p.tmp"/* "$cache/$p/" 2>/dev/null || true
  rm -rf "$cache/$p.tmp"
  echo "$version" > "$cache/$p/VERSION"
  echo "eval/fetch.sh: $p $version in $cache/$p/src" >&2
done
