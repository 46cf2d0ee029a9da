#!/bin/sh
# Called by immune-heal-httpd.service when httpd's event log changes: heals
# the newest crash once (its time stamp is remembered), never a recovery or
# a vaccine change. Paths as in httpd.service; adjust to your layout.
set -eu
log=/var/log/immune/httpd.jsonl
state=/var/lib/immune/httpd.healed
mkdir -p /var/lib/immune
last=$(grep '"event":"crashed"' "$log" | tail -n 1) || exit 0
stamp=$(printf '%s' "$last" | sed -n 's/^{"time":"\([^"]*\)".*/\1/p')
[ -n "$stamp" ] || exit 0
[ "$(cat "$state" 2>/dev/null)" = "$stamp" ] && exit 0
echo "$stamp" > "$state"
exec immune-heal --live --manifests /usr/local/share/httpd/manifests --record "$log" \
  --reproduce '/usr/local/share/httpd/reproduce.sh /usr/local/bin/httpd-live' \
  --test '/usr/local/share/httpd/run-tests.sh /usr/local/bin/httpd-live' \
  --vaccine /etc/immune/httpd.vaccine --out "/var/lib/immune/heal-$stamp"
