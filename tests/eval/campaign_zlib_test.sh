#!/usr/bin/env bash
# A small fault-injection campaign: 20 of zlib's functions (a fixed sample),
# each forced to abort on entry in one run of zlib's tests. Checks what
# immune-campaign hands over — CSV, JSON, markdown and plot — and that the
# classification is sound: the baseline passes, injected functions are seen
# in the event logs, every function has one of the five outcomes.
#   campaign_zlib_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(readlink -f "$1") build=$(readlink -f "$2")
out="$build/eval/results/campaign/zlib-short"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $1"; }
bad() { fails=$((fails + 1)); echo "FAIL: $1"; }

python3 "$src/eval/campaign.py" "$build" zlib --tag short --sample 20 --seed 1 --jobs 2 > "$build/eval/campaign-zlib-short.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "campaign ran" || { bad "campaign exit $rc"; tail -30 "$build/eval/campaign-zlib-short.log"; }
for f in results.csv results.json summary.md; do
  [ -s "$out/$f" ] && ok "wrote $f" || bad "no $f"
done
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  [ "$(head -c 4 "$out/plot.png" 2>/dev/null | tail -c 3)" = PNG ] && ok "wrote plot.png" || bad "no plot.png"
fi
python3 - "$out/results.json" <<'PY' && ok "results are classified" || bad "results.json"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["results"]
assert len(rows) == 20, len(rows)
assert d["baseline"]["class"] == "correct", d["baseline"]
classes = {"correct", "wrong", "crashed", "hung", "unreached"}
assert all(r["class"] in classes for r in rows), [r["class"] for r in rows]
reached = [r for r in rows if r["class"] != "unreached"]
assert len(reached) >= 5, f"only {len(reached)} of 20 functions reached"
assert all(r["injected"] > 0 for r in reached)
assert all(r["injected"] == 0 for r in rows if r["class"] == "unreached")
s = d["summary"]["error-returning"]
print(f"error-returning: {s['reached']} reached, survived {s['survived_pct']}%, correct {s['correct_pct']}%")
PY
grep -q "^| error-returning |" "$out/summary.md" && ok "summary table" || bad "summary.md has no table"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
