"""docs/evaluation.md from the results of the evaluation.

  /usr/bin/python3 eval/report.py BUILD [DOC]

Replaces the generated blocks of DOC (default docs/evaluation.md), each
between `<!-- eval:NAME -->` and `<!-- /eval:NAME -->`, with tables made from
BUILD/eval/results, and writes the plots into docs/evaluation/. The prose
around the blocks is left as it is. A block whose results are missing says
so instead of keeping stale numbers.
"""
import glob
import os
import re
import shutil
import statistics
import sys

import evallib

PROGRAMS = ("zlib", "lighttpd", "memcached", "sqlite3")


def fmt_counts(c):
    return f"{c['pass']} / {c['fail']} / {c['skip']}"


def block_machine(paths):
    docs = [evallib.read_json(p) for p in glob.glob(os.path.join(paths.results, "transparency", "*.json"))]
    docs += [evallib.read_json(os.path.join(paths.results, "bench.json"))]
    docs = [d for d in docs if d and d.get("machine")]
    if not docs:
        return "_No results yet: run `make eval`._"
    m = docs[-1]["machine"]
    L = ["| | |", "|---|---|",
         f"| CPU | {m['cpu']} ({m['cores']} cores) |",
         f"| memory | {m['memory']} |",
         f"| system | Debian {m['debian']}, Linux {m['kernel']} |",
         f"| compiler | {m['clang']} |",
         f"| Immune | commit {m['immune_commit']} |",
         f"| measured | {m['date']} |"]
    timings = os.path.join(paths.results, "timings.txt")
    if os.path.exists(timings):
        steps = {}
        for line in open(timings):
            parts = line.split()
            if len(parts) == 2:
                steps[parts[0]] = int(parts[1])
        if steps:
            L.append("| `make eval` took | " + ", ".join(f"{k} {v // 60} min {v % 60} s" for k, v in steps.items()) + " |")
    return "\n".join(L)


def block_transparency(paths):
    rows, notes = [], []
    for p in PROGRAMS:
        d = evallib.read_json(os.path.join(paths.results, "transparency", f"{p}.json"))
        if not d:
            rows.append(f"| {p} | | | | | not run |")
            continue
        ev = d.get("runtime_events", [])
        only_deliberate = (not d["differences"] and not d.get("runtime_recoveries")
                           and all(evallib.deliberate_abort(e) for e in ev if e["event"] != "recovered"))
        verdict = "**identical**" if d["verdict"] == "identical" or only_deliberate else "**different**"
        extra = []
        if d["differences"]:
            extra.append(f"{len(d['differences'])} tests differ")
        crashed = d.get("runtime_crashes", 0)
        if "deliberate_aborts" not in d:  # results of an older transparency.py
            crashed -= sum(1 for e in d.get("runtime_events", []) if evallib.deliberate_abort(e))
        if crashed > 0:
            extra.append(f"{crashed} processes crashed")
        if d.get("runtime_recoveries"):
            extra.append(f"{d['runtime_recoveries']} faults healed")
        if d["flaky"]:
            extra.append(f"{len(d['flaky'])} flaky (differ once, not twice)")
        rows.append(f"| {p} {d['version']} | {d['protected']} of {d['functions']} | "
                    f"{fmt_counts(d['plain'])} | {fmt_counts(d['protect_all'])} | "
                    f"{d['suite_seconds']['plain']:.0f} s / {d['suite_seconds']['protect_all']:.0f} s | "
                    f"{verdict}{': ' + '; '.join(extra) if extra else ''} |")
        for x in d["differences"][:15]:
            notes.append(f"- {p}: `{x['test']}`: plain {x['plain']}, protect-all {x['protect_all']} "
                         f"(again: {x['plain_again']} / {x['protect_all_again']})")
        seen = set()
        for e in d.get("runtime_events", []):
            if evallib.deliberate_abort(e):
                continue
            # Addresses differ between processes (ASLR): one line per kind.
            key = (e["event"], e.get("signal"), e.get("function"), e.get("reason"),
                   next((f for f in e.get("frames") or [] if not str(f).startswith("0x")), None))
            if key in seen:
                continue
            seen.add(key)
            notes.append(f"- {p}: runtime recorded `{e['event']}` {e['signal']} in "
                         f"{e.get('function') or 'no transaction'}"
                         f"{' (' + e['reason'] + ')' if e.get('reason') else ''}, "
                         f"stack {' <- '.join(str(f) for f in e.get('frames') or [] if not str(f).startswith('0x')) or '?'}")
    L = ["| program | functions protected | tests plain: pass / fail / skip | protect-all: pass / fail / skip | suite time plain / protect-all | result |",
         "|---|---|---|---|---|---|"] + rows
    if notes:
        L += ["", "Differences:", ""] + notes
    return "\n".join(L)


def pct(x):
    return "n/a" if x is None else f"{x:.1f}%"


def block_campaigns(paths, docs_dir):
    L = ["| program | functions | reached | survived, correct | survived, wrong output | crashed | hung | survived | correct | time |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    details = []
    for p in PROGRAMS:
        d = evallib.read_json(os.path.join(paths.results, "campaign", p, "results.json"))
        if not d:
            continue
        s = d["summary"]
        for g in ("error-returning", "void"):
            x = s[g]
            if not x["functions"]:
                continue
            L.append(f"| {p} {d['program']['version']}, {g}{' (sample)' if 'sample' in d['campaign']['selection'] else ''} | {x['functions']} | {x['reached']} | {x['correct']} | "
                     f"{x['wrong']} | {x['crashed']} | {x['hung']} | **{pct(x['survived_pct'])}** | "
                     f"{pct(x['correct_pct'])} | {d['campaign']['elapsed_seconds'] / 60:.0f} min |"
                     if g == "error-returning" else
                     f"| {p}, void | {x['functions']} | {x['reached']} | {x['correct']} | {x['wrong']} | "
                     f"{x['crashed']} | {x['hung']} | {pct(x['survived_pct'])} | {pct(x['correct_pct'])} | |")
        src_png = os.path.join(paths.results, "campaign", p, "plot.png")
        if os.path.exists(src_png):
            shutil.copyfile(src_png, os.path.join(docs_dir, f"campaign-{p}.png"))
            details.append(f"![{p} campaign](evaluation/campaign-{p}.png)\n")
        er = [r for r in d["results"] if r["returns"] != "void" and r["class"] not in ("unreached",)]
        by = {k: s[f"error-returning/{k}"] for k in ("checked", "never_checked", "no_direct_callers")}
        details.append(f"**{p}** — functions: {d['campaign']['selection']}, {d['campaign']['jobs']} jobs, "
                       f"timeout {d['campaign']['timeout']:g} s; workload `{os.path.basename(d['campaign']['workload'].split()[1]) if len(d['campaign']['workload'].split()) > 1 else d['campaign']['workload']}`; "
                       f"error-returning functions whose callers test the result: {by['checked']['reached']} reached, "
                       f"{pct(by['checked']['correct_pct'])} correct; never tested: {by['never_checked']['reached']} reached, "
                       f"{pct(by['never_checked']['correct_pct'])} correct; no direct call sites: "
                       f"{by['no_direct_callers']['reached']} reached, {pct(by['no_direct_callers']['correct_pct'])} correct.\n")
        unchecked = [r for r in er if r["class"] in ("crashed", "hung", "wrong")
                     and r["calls"] > 0 and r["result_checked"] == 0]
        if unchecked:
            details.append(f"Failures whose error value no caller checks ({len(unchecked)}; all in "
                           f"`results/campaign/{p}/summary.md`):\n")
            details.append("| function | error value | call sites (used / ignored) | outcome |")
            details.append("|---|---|---|---|")
            for r in sorted(unchecked, key=lambda r: ("crashed", "hung", "wrong").index(r["class"]))[:12]:
                details.append(f"| `{r['function']}` ({os.path.basename(r['file'])}) | `{r['error_value']}` | "
                               f"{r['calls']} ({r['result_used']} / {r['result_ignored']}) | {r['class']}: {r['why']} |")
            details.append("")
        crashed = [r for r in er if r["class"] in ("crashed", "hung")]
        if crashed:
            details.append(f"Crashed or hung with an error-returning function aborted ({len(crashed)}): " +
                           ", ".join(f"`{r['function']}` ({r['class']})" for r in crashed[:25]) +
                           (" …" if len(crashed) > 25 else "") + "\n")
    if len(L) == 2:
        return "_No campaign results yet: run `make eval`._"
    return "\n".join(L + [""] + details)


def block_bench(paths, docs_dir):
    d = evallib.read_json(os.path.join(paths.results, "bench.json"))
    if not d:
        return "_No benchmark results yet: run `make eval`._"
    L = []
    lt = d.get("lighttpd")
    if lt:
        L += [f"**lighttpd {lt['version']} under wrk** (1 KiB static page, one server process, one wrk "
              f"thread with 32 connections on loopback; {lt['rounds']} rounds of {lt['seconds']} s, medians; "
              f"load average during the runs {min(lt['loadavg']):.2f}–{max(lt['loadavg']):.2f}):", "",
              "| build | requests/s (median) | min – max | throughput loss | target | peak RSS | RSS overhead |",
              "|---|---|---|---|---|---|---|"]
        targets = {"plain": "", "request-path": "≤ 3%", "protect-all": "≤ 15%"}
        for v in ("plain", "request-path", "protect-all"):
            s = lt["requests_per_second"][v]
            L.append(f"| {v} | {lt['median_rps'][v]:.0f} | {min(s):.0f} – {max(s):.0f} | "
                     f"{'' if v == 'plain' else pct(lt['throughput_loss_pct'][v])} | {targets[v]} | "
                     f"{lt['rss_peak_kib'][v] / 1024:.1f} MiB | {'' if v == 'plain' else pct(lt['rss_overhead_pct'][v])} |")
        L.append("")
    sq = d.get("sqlite3")
    if sq:
        L += [f"**sqlite3 {sq['version']} speedtest1** ({sq['args']}; {sq['rounds']} rounds, medians; load "
              f"average {min(sq['loadavg']):.2f}–{max(sq['loadavg']):.2f}):", "",
              "| build | wall time | CPU time | peak RSS |", "|---|---|---|---|"]
        for v in ("plain", "protect-all"):
            m = sq["median"][v]
            L.append(f"| {v} | {m['wall']:.2f} s | {m['cpu']:.2f} s | {m['maxrss'] / 1024:.1f} MiB |")
        L.append(f"| **ratio** | **{sq['time_ratio']:.2f}×** (target ≤ 1.3×) | {sq['cpu_ratio']:.2f}× | "
                 f"{pct(sq['rss_overhead_pct'])} |")
        L.append("")
    mc = d.get("memcached")
    if mc:
        L += [f"**memcached {mc['version']}**, peak RSS after 20,000 sets of 1 KiB values ({mc['rounds']} rounds, "
              f"median): plain {mc['rss_peak_kib']['plain'] / 1024:.1f} MiB, protect-all "
              f"{mc['rss_peak_kib']['protect-all'] / 1024:.1f} MiB ({pct(mc['rss_overhead_pct'])}).", ""]
    if lt and sq:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(7, 2.8))
            names = ["lighttpd\nrequest path", "lighttpd\nprotect-all", "sqlite3 speedtest1\nprotect-all"]
            vals = [lt["median_rps"]["plain"] / lt["median_rps"]["request-path"],
                    lt["median_rps"]["plain"] / lt["median_rps"]["protect-all"], sq["time_ratio"]]
            targets = [1 / 0.97, 1 / 0.85, 1.3]
            ax.bar(range(3), vals, color="#4c72b0")
            ax.scatter(range(3), targets, marker="_", s=900, color="#c0392b", label="target", zorder=3)
            ax.axhline(1.0, color="grey", lw=0.8)
            ax.set_xticks(range(3))
            ax.set_xticklabels(names, fontsize=8)
            ax.set_ylabel("time per unit of work\n(plain = 1)")
            ax.set_ylim(0.9, max(vals + targets) * 1.08)
            for i, v in enumerate(vals):
                ax.text(i, v, f"{v:.3f}×", ha="center", va="bottom", fontsize=8)
            ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(os.path.join(docs_dir, "bench.png"), dpi=110)
            L.append("![overhead against the plain build](evaluation/bench.png)")
        except ImportError:
            pass
    return "\n".join(L)


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    paths = evallib.Paths(argv[0])
    doc = argv[1] if len(argv) > 1 else os.path.join(evallib.ROOT, "docs", "evaluation.md")
    docs_dir = os.path.join(os.path.dirname(doc), "evaluation")
    os.makedirs(docs_dir, exist_ok=True)
    blocks = {"machine": block_machine(paths), "transparency": block_transparency(paths),
              "campaigns": block_campaigns(paths, docs_dir), "bench": block_bench(paths, docs_dir)}
    text = open(doc).read()
    for name, body in blocks.items():
        pat = re.compile(rf"(<!-- eval:{name} -->\n).*?(<!-- /eval:{name} -->)", re.S)
        if not pat.search(text):
            print(f"report: {doc} has no eval:{name} block", file=sys.stderr)
            continue
        text = pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    with open(doc, "w") as f:
        f.write(text)
    print(f"report: wrote {doc} and {docs_dir}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
