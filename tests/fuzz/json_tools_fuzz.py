#!/usr/bin/env python3
"""Fuzzes the tools that read Immune's JSON: event records (the runtime's
log_path files) and compile-time manifests. A record or manifest can be
truncated, corrupted, written by another version, or hand-edited; the tools
must then report and carry on (or stop with their own error message), never
die with a Python traceback.

  json_tools_fuzz.py BUILD_DIR [--seconds N] [--seed S] [--out DIR]

Drives, in this process, with random input derived from well-formed records
and manifests by mutation (fields dropped, values of the wrong JSON type,
odd numbers and strings, non-objects, invalid JSON, invalid UTF-8):

  immune-symbolize   main([FILE]) and main(["--text", FILE]) on a file of
                     event records, with llvm-symbolizer replaced by a stub
                     that answers with random JSON; must return a status;
  immune-heal        read_events, load_manifests (HealError allowed: it is
                     the tool's own "stop with a message"), candidates_from,
                     write_policy and write_report, the way main() uses them,
                     on the records main() would pick (the "crashed" ones).

Everything is deterministic for a --seed. An uncaught exception is a
failure: its traceback is printed once per distinct place, and the input is
saved under OUT (default BUILD_DIR/tests/fuzz/json-artifacts/). Exit status:
0 if none, 1 otherwise.
"""
import argparse
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback


def load_tool(path, name):
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# ---- well-formed inputs ---------------------------------------------------------

def good_frame(rng, i):
    fr = {"pc": hex(rng.randrange(0x400000, 0x7fffffffffff)),
          "module": rng.choice(["/usr/bin/prog", "/lib/x86_64-linux-gnu/libc.so.6", "",
                                sys.executable]),
          "offset": hex(rng.randrange(0, 0x100000))}
    if rng.random() < 0.7:
        fr["symbol"] = rng.choice(["parse_query", "main", "_ZN6Parser3runEPKc", "leaf"])
        fr["symbol_offset"] = rng.randrange(0, 400)
    if i == 0 and rng.random() < 0.2:
        fr = {"pc": "0x0", "module": "", "offset": "0x0"}
    return fr


def good_record(rng):
    event = rng.choice(["recovered", "crashed", "crashed", "escalated"])
    rec = {
        "time": "2026-11-21T23:16:25.648771Z", "pid": rng.randrange(1, 1 << 22),
        "tid": rng.randrange(1, 1 << 22), "event": event,
        "mode": rng.choice(["protect", "monitor"]), "signal": "SIGSEGV", "signo": 11,
        "si_code": "SEGV_MAPERR", "code": 1, "address": "0x0",
        "pc": hex(rng.randrange(0x400000, 0x7fffffffffff)),
        "function": rng.choice(["parse_query", None, "Parser::run(char const*)"]),
        "symbol": "parse_query", "file": "httpd.c",
        "error_value": rng.choice(["-1", None, "NULL", "nan"]), "site_aborts": 1,
        "buffer": rng.choice([None, {"name": "buf", "function": "parse_header",
                                     "file": "http.c", "line": 12}]),
        "backtrace": [good_frame(rng, i) for i in range(rng.randrange(0, 8))],
    }
    return rec


def good_manifest(rng):
    fns = []
    for i in range(rng.randrange(0, 6)):
        name = rng.choice(["parse_query", "main", "route", "serve", "leaf", f"f{i}"])
        fn = {"function": name, "symbol": name, "file": "/src/httpd.c", "line": 57 + i,
              "protected": rng.random() < 0.5, "reason": "policy immune.policy:3",
              "error_value": "-1", "error_value_why": "signed integer: -1",
              "not_rolled_back": ["strchr"], "relocated_buffers": [],
              "callers_in_module": {"calls": 1, "result_checked": rng.randrange(0, 2),
                                    "result_used": 0, "result_ignored": 0},
              "returns": rng.choice(["value", "void"])}
        if rng.random() < 0.2:
            del fn["error_value"]
        fns.append(fn)
    return {"immune_manifest": 1, "module": "httpd.c", "functions": fns,
            "callees_elsewhere": {"strlen": {"calls": 3, "result_checked": 0,
                                             "result_used": 3, "result_ignored": 0}}}


# ---- mutation --------------------------------------------------------------------

STRINGS = ["", "0x", "0xzz", "-1", "nan", "\u00e9\u4e2d", "\x00", "a" * 300, "../../etc",
           "0x" + "f" * 40, " ", "\n", "%s%n", "\ud800"[0:0] + "x", "NULL"]


def rand_json(rng, depth=0):
    r = rng.random()
    if depth > 3 or r < 0.15:
        return rng.choice([None, True, False, 0, -1, 2 ** 70, 1.5, float("1e308"),
                           rng.choice(STRINGS)])
    if r < 0.45:
        return rng.choice(STRINGS + [hex(rng.randrange(1 << 64))])
    if r < 0.6:
        return rng.randrange(-(1 << 65), 1 << 65)
    if r < 0.8:
        return [rand_json(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = ["pc", "module", "offset", "symbol", "function", "event", "backtrace",
            "file", "line", "calls", "symbol_offset", "inlined_into", "x"]
    return {rng.choice(keys): rand_json(rng, depth + 1) for _ in range(rng.randrange(0, 5))}


def mutate(rng, value, rounds):
    """value with `rounds` random changes somewhere inside it."""
    for _ in range(rounds):
        value = mutate_once(rng, value)
    return value


def mutate_once(rng, v):
    if isinstance(v, dict) and v and rng.random() < 0.8:
        k = rng.choice(list(v))
        r = rng.random()
        if r < 0.25:
            del v[k]
        elif r < 0.55:
            v[k] = rand_json(rng)
        else:
            v[k] = mutate_once(rng, v[k])
        return v
    if isinstance(v, list) and v and rng.random() < 0.8:
        i = rng.randrange(len(v))
        if rng.random() < 0.3:
            del v[i]
        else:
            v[i] = mutate_once(rng, v[i])
        return v
    return rand_json(rng)


def record_lines(rng):
    """Lines of an event log: mostly mutated records, some noise."""
    lines = []
    for _ in range(rng.randrange(1, 6)):
        r = rng.random()
        if r < 0.1:
            lines.append(rng.choice([b"not json", b"{", b"", b"[1,2", b"\xff\xfe{}",
                                     b'{"event": "crashed", "backtrace": [', b"null", b"42",
                                     b'"text"', b"[]", b"{}"]))
            continue
        rec = good_record(rng)
        if r < 0.9:
            rec = mutate(rng, rec, rng.randrange(1, 4))
        line = json.dumps(rec)
        if rng.random() < 0.05:
            line = line[:rng.randrange(len(line) + 1)]  # cut short
        lines.append(line.encode("utf-8", "surrogatepass"))
    return b"\n".join(lines) + b"\n"


def manifest_bytes(rng):
    m = good_manifest(rng)
    if rng.random() < 0.8:
        m = mutate(rng, m, rng.randrange(1, 4))
    text = json.dumps(m).encode()
    if rng.random() < 0.05:
        text = text[:rng.randrange(len(text) + 1)]
    return text


# Inputs that once made a tool raise: run first, every time.
REGRESSIONS = [
    b"[]\n42\n\"text\"\nnull\n",
    b"\xff\xfe{}\n",
    b'{"event": "crashed", "backtrace": 5}\n',
    b'{"event": "crashed", "backtrace": [5, "x", null]}\n',
    b'{"event": "crashed", "backtrace": [{"module": "/bin/sh"}]}\n',
    b'{"event": "crashed", "backtrace": [{"pc": 7, "module": "/bin/sh", "offset": []}]}\n',
    b'{"event": "crashed", "backtrace": [{"pc": "0xzz", "module": "/bin/sh"}]}\n',
    b'{"event": "crashed", "buffer": "buf", "backtrace": []}\n',
    # a frame with a file but no line (--text)
    b'{"event": "recovered", "backtrace": [{"pc": "0x1", "module": "", "offset": "0x1", "file": "x.c"}]}\n',
]
REGRESSION_MANIFESTS = [b"[]", b'{"functions": 3}', b'{"functions": [{"function": "f"}]}',
                        b'{"functions": [7], "callees_elsewhere": []}',
                        b'{"functions": [{"symbol": "f", "callers_in_module": {"calls": "x"}}]}']


# ---- driving the tools ------------------------------------------------------------

class MainFilterError(Exception):
    """immune-heal's main() would raise here (its filter over the records)."""


class Harness:
    def __init__(self, build, out):
        bindir = os.path.join(build, "bin")
        self.symbolize = load_tool(os.path.join(bindir, "immune-symbolize"), "immune_symbolize")
        self.heal = load_tool(os.path.join(bindir, "immune-heal"), "immune_heal")
        self.out = out
        self.seen = {}  # (exception type, file, line) -> count
        self.runs = 0
        self.work = tempfile.mkdtemp(prefix="immune-json-fuzz.")
        # llvm-symbolizer's stand-in: answers every address with random JSON.
        self.stub = os.path.join(self.work, "symbolizer")
        self.stub_answers = os.path.join(self.work, "answers")
        with open(self.stub, "w") as f:
            f.write(f"#!/bin/sh\ncat >/dev/null\ncat {self.stub_answers}\n")
        os.chmod(self.stub, 0o755)
        self.symbolize.SYMBOLIZER = self.stub

    def failure(self, tool, exc, files):
        tb = traceback.extract_tb(exc.__traceback__)
        where = next((f for f in reversed(tb) if "fuzz" not in f.filename), tb[-1])
        key = (type(exc).__name__, os.path.basename(where.filename), where.lineno)
        if isinstance(exc, MainFilterError):
            key = ("AttributeError", "immune-heal main()", 0)
        self.seen[key] = self.seen.get(key, 0) + 1
        if self.seen[key] > 1:
            return
        dest = os.path.join(self.out, f"{tool}-{key[0]}-{key[2]}")
        os.makedirs(dest, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(dest, name), "wb") as f:
                f.write(data)
        print(f"json_tools_fuzz: FAIL: {tool} raised {key[0]} at "
              f"{os.path.basename(where.filename)}:{where.lineno}: {exc}\n"
              f"  input saved in {dest}\n"
              + "".join("    " + l for l in traceback.format_exception(exc)[-6:]),
              flush=True)

    def one(self, rng, data=None, manifests=None):
        self.runs += 1
        events = os.path.join(self.work, "events.jsonl")
        if data is None:
            data = record_lines(rng)
        with open(events, "wb") as f:
            f.write(data)
        # llvm-symbolizer is trusted: its answers have its shape (an object,
        # or a list of them, with a Symbol list), but any names and lines.
        def answer():
            syms = [{"FunctionName": rng.choice(STRINGS), "FileName": rng.choice(STRINGS),
                     "Line": rng.randrange(0, 1 << 20)} for _ in range(rng.randrange(0, 3))]
            a = {"Address": "0x1", "ModuleName": "m", "Symbol": syms}
            return rng.choice([a, [a], [], {}])
        answers = "\n".join(json.dumps(answer()) for _ in range(rng.randrange(0, 4)))
        with open(self.stub_answers, "w") as f:
            f.write(answers + "\n")
        inputs = {"events.jsonl": data, "symbolizer-answers": answers.encode()}

        # immune-symbolize, both output forms.
        for argv in ([events], ["--text", events]):
            try:
                with contextlib.redirect_stdout(io.StringIO()), \
                        contextlib.redirect_stderr(io.StringIO()):
                    rc = self.symbolize.main(argv)
                if not isinstance(rc, int):
                    raise AssertionError(f"main returned {rc!r}")
            except Exception as e:  # noqa: BLE001 -- any escape is the finding
                self.failure("immune-symbolize", e, inputs)

        # immune-heal's readers, as main() chains them.
        mdir = os.path.join(self.work, "manifests")
        shutil.rmtree(mdir, ignore_errors=True)
        os.makedirs(mdir)
        for i, m in enumerate(manifests if manifests is not None else
                              [manifest_bytes(rng) for _ in range(rng.randrange(0, 3))]):
            inputs[f"m{i}.immune.json"] = m
            with open(os.path.join(mdir, f"m{i}.immune.json"), "wb") as f:
                f.write(m)
        h = self.heal
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                try:
                    functions, callers = h.load_manifests(mdir)
                except h.HealError:
                    functions, callers = {}, {}
                records = h.read_events(events)
                try:  # main()'s own filter, as it applies it to what it read
                    crashes = [e for e in records if e.get("event") == "crashed"]
                except AttributeError as e:
                    raise MainFilterError(
                        f'main(): crashes = [e for e in ... if e.get("event") == "crashed"]: {e}') from e
                if crashes:
                    record = crashes[0]
                    cands, skipped = h.candidates_from(record, functions, callers)
                    h.looks_like_heap_corruption(record)
                    if isinstance(record.get("heap_block"), dict):
                        cands = h.heap_candidates(record, functions, callers)[0] + cands
                    summary = {"build": "make", "reproduce": "./poc", "test": "make check",
                               "candidates": [], "vaccine": None, "elapsed_seconds": 1.0}
                    for c in cands[:2]:
                        h.write_policy(os.path.join(self.work, "p.policy"), c, record)
                        summary["candidates"].append(
                            {k: c.get(k) for k in ("function", "symbol", "depth", "file", "line",
                                                   "error_value", "error_value_why", "ranking")}
                            | {"outcome": "tests fail", "policy": h.policy_lines(c)})
                    h.write_report(os.path.join(self.work, "report.md"), summary, cands,
                                   skipped, record)
        except Exception as e:  # noqa: BLE001
            self.failure("immune-heal", e, inputs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    out = a.out or os.path.join(a.build, "tests", "fuzz", "json-artifacts")
    h = Harness(os.path.abspath(a.build), out)
    rng = random.Random(a.seed)
    t0 = time.monotonic()
    try:
        for data in REGRESSIONS:
            h.one(rng, data, REGRESSION_MANIFESTS)
        while time.monotonic() - t0 < a.seconds:
            h.one(rng)
    finally:
        shutil.rmtree(h.work, ignore_errors=True)
    bugs = len(h.seen)
    print(f"json_tools_fuzz: {h.runs} inputs in {time.monotonic() - t0:.0f} s (seed {a.seed}); "
          f"{bugs} distinct uncaught exception(s)"
          + "".join(f"\n  {t} at {f}:{l} ({n}x)" for (t, f, l), n in sorted(h.seen.items())))
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
