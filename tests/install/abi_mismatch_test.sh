#!/usr/bin/env bash
# A module compiled with the plugin must not link against a runtime of
# another ABI version: its constructor calls __immune_register_sites_v4
# (include/immune/abi.h), which such a runtime does not define, so the link
# fails with an undefined-symbol error that names it.
#   abi_mismatch_test.sh PREFIX LIBDIR
set -euo pipefail
prefix=$(readlink -f "$1") libdir=$2
cc="$prefix/bin/immune-cc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
objcopy=$(command -v objcopy || command -v llvm-objcopy-19) || fail "no objcopy"

cat > prog.c <<'C'
#include <immune/immune.h>
IMMUNE_PROTECT int first(const char *s) { return s[0]; }
int main(void) { return first(0) == -1 ? 0 : 1; }
C
"$cc" -O2 -c prog.c -o prog.o
nm prog.o | grep -q ' U __immune_register_sites_v4$' \
  || fail "the instrumented object does not reference __immune_register_sites_v4"
echo "ok: the instrumented object references __immune_register_sites_v4"

# Control: the matching runtime links and heals.
"$cc" prog.o -o good && ./good 2>/dev/null || fail "the matching runtime did not link or heal"
echo "ok: with the matching runtime it links and heals"

# A runtime of another ABI version: the installed one with its registration
# entry point renamed, as the next version would name it.
"$objcopy" --redefine-sym __immune_register_sites_v4=__immune_register_sites_v5 \
  "$prefix/$libdir/libimmune_rt.a" libimmune_rt_v5.a
if "$cc" --immune-no-runtime prog.o -Wl,--whole-archive libimmune_rt_v5.a \
     -Wl,--no-whole-archive -ldl -lpthread -o bad 2>link.err; then
  fail "linked against a runtime without __immune_register_sites_v4 (it has _v5 only)"
fi
grep -Eq "undefined (reference to .|symbol: )__immune_register_sites_v4" link.err \
  || { cat link.err; fail "the link failed, but not with an undefined __immune_register_sites_v4"; }
echo "ok: against another ABI version the link fails:"
grep -m1 __immune_register_sites_v4 link.err | sed 's/^/    /'
