#!/usr/bin/env bash
# Campaign workload for sqlite3, with immune-campaign's exit codes (0 correct,
# 1 wrong results, 2 the program died of a signal): the shell built from the
# source package runs sqlite3.sql on a new database file and must print
# exactly sqlite3.expected (made with Debian's sqlite3 3.40.1, the version the
# source package builds; the plain build of the package prints the same).
#   sqlite3.sh BUILD_DIR
set -u
here=$(dirname "$(readlink -f "$0")")
dir=$(readlink -f "$1")
tmp=${IMMUNE_CAMPAIGN_TMP:-$(mktemp -d)}
cd "$tmp" || exit 1
rm -f campaign.db
"$dir/sqlite3" campaign.db < "$here/sqlite3.sql" > out.txt 2> err.txt
s=$?
if [ $s -gt 128 ]; then echo "DIED($s): sqlite3"; exit 2; fi
if [ $s != 0 ]; then echo "FAILED($s): sqlite3"; head -5 err.txt; exit 1; fi
cmp -s out.txt "$here/sqlite3.expected" || { echo "WRONG: output differs"; diff out.txt "$here/sqlite3.expected" | head -10; exit 1; }
exit 0
