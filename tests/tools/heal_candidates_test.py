#!/usr/bin/env python3
"""immune-heal's candidate order (the Orient step), on a synthetic stack:
functions whose callers test the result first, then those whose result is
used, ignored, and void functions last (an abort still skips the rest of
their work); main and functions without an error value are skipped with
why.    heal_candidates_test.py BUILD_DIR"""
import importlib.machinery
import importlib.util
import os
import sys

path = os.path.join(sys.argv[1], "bin", "immune-heal")
loader = importlib.machinery.SourceFileLoader("immune_heal", path)
spec = importlib.util.spec_from_loader("immune_heal", loader)
heal = importlib.util.module_from_spec(spec)
loader.exec_module(heal)

functions = {
    "leaf_void": {"symbol": "leaf_void", "function": "leaf_void", "returns": "void"},
    "parse": {"symbol": "parse", "function": "parse", "error_value": "-1"},
    "ignored": {"symbol": "ignored", "function": "ignored", "error_value": "-1"},
    "no_value": {"symbol": "no_value", "function": "no_value", "reason": "returns a union"},
    "main": {"symbol": "main", "function": "main", "error_value": "-1"},
}
callers = {"parse": {"calls": 2, "result_checked": 2}, "ignored": {"calls": 1, "result_ignored": 1}}
record = {"backtrace": [{"function": f} for f in ("leaf_void", "parse", "no_value", "ignored", "main")]}
cands, skipped = heal.candidates_from(record, functions, callers)
order = [c["function"] for c in cands]
assert order == ["parse", "ignored", "leaf_void"], order
void = cands[-1]
assert void["error_value"] == "nothing (void)" and "returns void" in void["ranking"], void
assert {s["function"] for s in skipped} == {"main", "no_value"}, skipped
print("ok: candidates", order, "skipped", sorted(s["function"] for s in skipped))
