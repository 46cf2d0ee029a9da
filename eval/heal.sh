#!/usr/bin/env bash
# The reactive loop on real bugs (docs/heal.md, "Real bugs"): each
# eval/bugs/NAME.sh puts one historical bug back into the current Debian
# source package of its program (a small documented change, nothing
# vendored), and says how to build it, attack it and test it (NEEDS: the
# Debian packages its build needs, installed first). For each bug:
#
#   1. the plain build must fail the reproduction (the bug is really there);
#   2. immune-heal, rebuilding (its own oracle observation, candidates,
#      a build per candidate);
#   3. immune-heal --live on one --immune-protect-all build (no rebuild);
#
# and whether each found the expected rescue point. Writes
# BUILD/eval/results/heal/NAME/ (logs, summaries) and
# BUILD/eval/results/heal.md (the table docs/heal.md quotes).
#
#   bash eval/heal.sh [BUILD_DIR] [NAME...]       (default: build, every bug)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(readlink -f "${1:-$root/build}")
shift || true
heal="$build/bin/immune-heal"
cc="$build/bin/immune-cc"
[ -x "$heal" ] && [ -x "$cc" ] || { echo "eval/heal.sh: build Immune first (make build)" >&2; exit 2; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/bugs/*.sh; do names+=("$(basename "$f" .sh)"); done
fi
results=$build/eval/results
mkdir -p "$results/heal"
table=$results/heal.md
rows=()

# seconds, vaccine, tries, recoveries, correct from a summary.json
summarize() { # SUMMARY EXPECTED_REGEX
  python3 - "$1" "$2" <<'PY'
import json, re, sys
try:
    s = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("- | - | - | - | no summary"); sys.exit()
v = s.get("vaccine") or {}
tried = s.get("candidates") or []
rec = next((t.get("recoveries") for t in tried if t.get("outcome", "").startswith("vaccine")), None)
fn = v.get("function")
verdict = "none" if not fn else ("correct" if re.fullmatch(sys.argv[2], fn) else "WRONG")
print(f"{s.get('elapsed_seconds', '-')} | `{fn}` | {len(tried)} | {rec if rec is not None else '-'} | {verdict}"
      if fn else f"{s.get('elapsed_seconds', '-')} | none | {len(tried)} | - | none")
PY
}

for name in "${names[@]}"; do
  def="$here/bugs/$name.sh"
  [ -f "$def" ] || { echo "eval/heal.sh: no bug named $name ($def)" >&2; exit 2; }
  # shellcheck source=/dev/null
  unset PACKAGE BUG KIND SUMMARY VACCINE EXPECT NEEDS
  . "$def"
  # Build tools the bug's program needs beyond Immune's (NEEDS: Debian packages).
  missing=()
  for p in ${NEEDS:-}; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo -n)
    echo "   installing ${missing[*]} (NEEDS of $name)" >&2
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
      echo "eval/heal.sh: $name needs ${missing[*]}: apt-get install ${missing[*]} (as root)" >&2; exit 2; }
  fi
  out=$results/heal/$name
  rm -rf "$out" && mkdir -p "$out"
  echo "== $name: $PACKAGE, $BUG ($KIND)" >&2
  if ! bash "$here/fetch.sh" "$build/eval/src" "$PACKAGE" >"$out/fetch.log" 2>&1; then
    echo "   cannot fetch the source package; skipped (see $out/fetch.log)" >&2
    rows+=("| $name | $KIND | not fetched | | | | | | | | | |")
    continue
  fi
  version=$(cat "$build/eval/src/$PACKAGE/VERSION")
  for variant in plain live; do
    tree=$build/eval/heal/$name/$variant
    rm -rf "$tree" && mkdir -p "$(dirname "$tree")"
    cp -a "$build/eval/src/$PACKAGE/src" "$tree"
    inject || { echo "   the bug does not apply to $PACKAGE $version" >&2; exit 1; }
  done
  tree=$build/eval/heal/$name/plain
  reproduce_script >"$out/reproduce.sh"
  tree=$build/eval/heal/$name/plain tests_script >"$out/tests.plain.sh"
  tree=$build/eval/heal/$name/live tests_script >"$out/tests.live.sh"
  chmod +x "$out"/*.sh

  # 1. The bug is there: the plain build fails the reproduction.
  tree=$build/eval/heal/$name/plain
  plain_bin=$(binary)
  if ! env CC=clang-19 sh -c "$(build_cmd)" >"$out/plain.build.log" 2>&1; then
    echo "   the plain build fails (see $out/plain.build.log)" >&2; exit 1
  fi
  if bash "$out/reproduce.sh" "$plain_bin" >"$out/plain.reproduce.log" 2>&1; then
    echo "   the plain build survives the reproduction: the bug is not there" >&2; exit 1
  fi
  tail -n 1 "$out/plain.reproduce.log" | sed 's/^/   plain build: /' >&2

  # 2. Rebuilding.
  expect=()
  [ -n "${EXPECT:-}" ] && expect=(--expect "$EXPECT")
  "$heal" --build "$(build_cmd)" --reproduce "$out/reproduce.sh $plain_bin" \
    --test "$out/tests.plain.sh $plain_bin" --out "$out/rebuild" --timeout 600 "${expect[@]}" \
    2>"$out/rebuild.progress"
  rebuild=$(summarize "$out/rebuild/summary.json" "$VACCINE")
  echo "   rebuild: $rebuild" >&2

  # 3. Live: one protect-all build, each candidate armed at run time.
  tree=$build/eval/heal/$name/live
  live_bin=$(binary)
  mkdir -p "$tree.manifests"
  if env CC="$cc" IMMUNE_PROTECT_ALL=1 IMMUNE_MANIFEST="$tree.manifests" sh -c "$(build_cmd)" \
       >"$out/live.build.log" 2>&1; then
    "$heal" --live --manifests "$tree.manifests" --reproduce "$out/reproduce.sh $live_bin" \
      --test "$out/tests.live.sh $live_bin" --out "$out/live" --timeout 600 "${expect[@]}" \
      2>"$out/live.progress"
    live=$(summarize "$out/live/summary.json" "$VACCINE")
  else
    live="- | - | - | - | protect-all build failed"
  fi
  echo "   live:    $live" >&2
  rows+=("| $BUG ($PACKAGE $version) | $KIND | \`$VACCINE\` | $rebuild | $live |")
done

{
  echo "| bug | kind | right rescue point | rebuild: s | vaccine | tries | recoveries | verdict | live: s | vaccine | tries | recoveries | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"$table"
cat "$table"
