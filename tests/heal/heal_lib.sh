# Shared by the immune-heal end-to-end tests (sourced, not run): the source
# and build trees from the arguments, a scratch directory removed on exit,
# and the ok/bad/expect_error reporting each test ends with `finish`.
#   . heal_lib.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2")
heal="$build/bin/immune-heal"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $1"; }
bad() { fails=$((fails + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -40; }
# expect_error NAME MESSAGE ARGS...: immune-heal ARGS exits 2 saying MESSAGE.
expect_error() {
  local name=$1 msg=$2; shift 2
  "$heal" "$@" --out "$work/err" > /dev/null 2> "$work/err.txt"
  local rc=$?
  if [ "$rc" = 2 ] && grep -qF -- "$msg" "$work/err.txt"; then ok "$name"; else bad "$name (exit $rc)" "$work/err.txt"; fi
}
finish() { echo "$passes passed, $fails failed"; exit $((fails > 0)); }
