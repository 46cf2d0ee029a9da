"""Transparency: with every function protected (protect-all, DYBOC on), a
program's own test suite must give exactly the results of the plain build.

  /usr/bin/python3 eval/transparency.py BUILD PROGRAM...

For each program: fetch the Debian source package, build it plain (clang-19)
and protect-all (immune-cc, same flags), run its test suite on both, and
compare test by test. A test whose result differs is run again on both
builds (the whole suite, once); a difference that does not repeat is
reported as flaky, one that does is a transparency failure. Writes
BUILD/eval/results/transparency/PROGRAM.json; exit 1 on a failure.
"""
import json
import os
import sys
import time

import evallib
# The tools' shared manifest reader (tools/immune_tools).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from immune_tools import manifest  # noqa: E402
from evallib import EvalError, log


def run_suite(program, mod, tree, paths, variant, attempt):
    work = os.path.join(paths.eval, program, f"suite-{variant}-{attempt}")
    evallib.shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    slog = os.path.join(work, "suite.log")
    env = evallib.variant_env(paths, variant, tree)
    # Records of anything the runtime heals during the tests (none expected).
    events = os.path.join(work, "events.jsonl")
    if variant != "plain":
        env["IMMUNE_OPTIONS"] = f"log_path={events}"
        # Writable by the tests that run as another user (sqlite3's as
        # nobody): otherwise each process warns on stderr that it cannot
        # open the log, and tests that read a child's stderr fail.
        open(events, "a").close()
        os.chmod(events, 0o666)
    t0 = time.monotonic()
    results = mod.suite(tree, env, work, slog)
    secs = time.monotonic() - t0
    recs = []
    if os.path.exists(events):
        with open(events, errors="replace") as f:
            for line in f:
                try:
                    e = json.loads(line)
                except json.JSONDecodeError:
                    continue
                r = {k: e.get(k) for k in ("event", "signal", "si_code", "function", "file", "reason")}
                r["frames"] = [fr.get("symbol") or fr.get("pc") for fr in (e.get("backtrace") or [])[:4]]
                recs.append(r)
    return results, secs, slog, recs


def counts(results):
    c = {"pass": 0, "fail": 0, "skip": 0}
    for v in results.values():
        c[v] = c.get(v, 0) + 1
    c["total"] = len(results)
    return c


def diff(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k, "missing") != b.get(k, "missing"))


def transparency(paths, program):
    mod = evallib.load_program(program)
    source, version = evallib.fetch(paths, mod.PACKAGE)
    trees = {}
    for variant in ("plain", "protect-all"):
        trees[variant], _ = evallib.prepare(paths, program, variant, source, mod.build)
    res, secs, logs, events = {}, {}, {}, {}
    for variant in ("plain", "protect-all"):
        log(f"{program}/{variant}: running the test suite")
        res[variant], secs[variant], logs[variant], events[variant] = \
            run_suite(program, mod, trees[variant], paths, variant, 1)
        log(f"{program}/{variant}: {counts(res[variant])} in {secs[variant]:.0f} s")
    differences = diff(res["plain"], res["protect-all"])
    flaky, confirmed = [], []
    if differences:
        log(f"{program}: {len(differences)} results differ; running both suites again")
        again = {v: run_suite(program, mod, trees[v], paths, v, 2)[0] for v in ("plain", "protect-all")}
        for k in differences:
            first = (res["plain"].get(k, "missing"), res["protect-all"].get(k, "missing"))
            second = (again["plain"].get(k, "missing"), again["protect-all"].get(k, "missing"))
            entry = {"test": k, "plain": first[0], "protect_all": first[1],
                     "plain_again": second[0], "protect_all_again": second[1]}
            # Confirmed: the protect-all build differs from the plain build
            # the same way twice, and the plain build agrees with itself.
            if second[0] == first[0] and second[1] == first[1] and first[0] != first[1]:
                confirmed.append(entry)
            else:
                flaky.append(entry)
    manifests = os.path.join(trees["protect-all"], "manifests")
    n_protected = n_functions = 0
    seen = set()
    try:
        mods = manifest.modules([manifests])
    except manifest.ManifestError as e:
        raise EvalError(str(e)) from None
    for m in mods:
        for fn in m["functions"]:
            if fn["symbol"] in seen:
                continue
            seen.add(fn["symbol"])
            n_functions += 1
            n_protected += bool(fn.get("protected"))
    # A process of the protect-all build that died (or healed a fault) while
    # the tests still passed is a difference the suite does not see: its
    # exit status or its output changed.
    # Except a deliberate abort() the runtime leaves alone (handle_abort=ssp):
    # the program dies of it in both builds, as its tests expect.
    deliberate = [e for e in events["protect-all"] if evallib.deliberate_abort(e)]
    crashes = [e for e in events["protect-all"] if e["event"] in ("crashed", "escalated")
               and not evallib.deliberate_abort(e)]
    healed = [e for e in events["protect-all"] if e["event"] == "recovered"]
    doc = {"program": program, "package": mod.PACKAGE, "version": version,
           "verdict": "identical" if not (confirmed or crashes or healed) else "DIFFERENT",
           "plain": counts(res["plain"]), "protect_all": counts(res["protect-all"]),
           "suite_seconds": {"plain": round(secs["plain"], 1), "protect_all": round(secs["protect-all"], 1)},
           "build_seconds": {v: evallib.build_seconds(trees[v]) for v in trees},
           "functions": n_functions, "protected": n_protected,
           "differences": confirmed, "flaky": flaky,
           "runtime_crashes": len(crashes), "runtime_recoveries": len(healed),
           "deliberate_aborts": len(deliberate),
           "runtime_events": events["protect-all"][:20], "runtime_event_count": len(events["protect-all"]),
           "logs": logs, "machine": evallib.machine(paths)}
    evallib.write_json(paths.result("transparency", f"{program}.json"), doc)
    verdict = "identical results" if not confirmed else f"{len(confirmed)} tests differ"
    if crashes or healed:
        verdict += f"; but the runtime recorded {len(crashes)} crashes and {len(healed)} recoveries during the tests"
    log(f"{program}: {verdict} (plain {doc['plain']}, protect-all {doc['protect_all']}; "
        f"{len(flaky)} flaky; {len(events['protect-all'])} runtime events)")
    for d in confirmed[:20]:
        log(f"  {d['test']}: plain {d['plain']}, protect-all {d['protect_all']}")
    return doc["verdict"] == "identical"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    paths = evallib.Paths(argv[0])
    ok = True
    for program in argv[1:]:
        ok = transparency(paths, program) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    evallib.cli(main)
