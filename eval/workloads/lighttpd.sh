#!/usr/bin/env bash
# Campaign workload for lighttpd, with immune-campaign's exit codes (0
# correct, 1 wrong results, 2 a program died of a signal): lighttpd's own
# `make check` — its three C unit tests and run-tests.pl, 224 checks of the
# responses of a live server (static files, conditionals, rewrite, auth,
# CGI, FastCGI, SCGI, proxy, deflate, ...).
#
# Each run works in a private top_builddir under IMMUNE_CAMPAIGN_TMP (src/
# linked to the build, tests/ copied), so parallel runs do not share the
# test tree's tmp/ directory. A server that dies of a fault leaves a
# `crashed` record in the campaign's event log; immune-campaign reads it.
#   lighttpd.sh BUILD_DIR
set -u
tree=$(readlink -f "$1")
tmp=${IMMUNE_CAMPAIGN_TMP:-$(mktemp -d)}
top=$tmp/top
mkdir -p "$top"
ln -s "$tree/src" "$top/src"
cp -r "$tree/tests" "$top/tests"
rm -rf "$top/tests/tmp"
wrong=0 died=0

for t in test_common test_configfile test_mod; do
  "$tree/src/t/$t" > "$tmp/$t.out" 2>&1
  s=$?
  if [ $s -gt 128 ]; then echo "DIED($s): $t"; died=1
  elif [ $s != 0 ]; then echo "FAILED($s): $t"; wrong=1; fi
done

cd "$top/tests"
export srcdir=. top_builddir=.. VERBOSE=1
if ./prepare.sh > "$tmp/prepare.out" 2>&1; then
  ./run-tests.pl > "$tmp/run-tests.out" 2>&1
  s=$?
  [ $s = 0 ] || { echo "FAILED($s): run-tests.pl"; grep -E '^not ok' "$tmp/run-tests.out" | head -20; wrong=1; }
else
  echo "FAILED: prepare.sh"; wrong=1
fi
./cleanup.sh > /dev/null 2>&1

[ $died = 1 ] && exit 2
[ $wrong = 1 ] && exit 1
exit 0
