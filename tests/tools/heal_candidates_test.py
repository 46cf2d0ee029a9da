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

# A heap overflow localized by the guarded-heap oracle: the writer with
# guard_heap first, then each function above it as the rescue point (with
# guard_heap on both); main is never one.
functions.update({
    "more_arrays": {"symbol": "more_arrays", "function": "more_arrays", "returns": "void"},
    "lookup": {"symbol": "lookup", "function": "lookup", "error_value": "-1"},
    "yyparse": {"symbol": "yyparse", "function": "yyparse", "error_value": "-1"},
})
heap_record = {"signal": "SIGSEGV", "heap_block": {"size": 512, "allocated_in": "bc_malloc"},
               "backtrace": [{"function": f} for f in ("more_arrays", "lookup", "yyparse", "main")]}
hc, _ = heal.heap_candidates(heap_record, functions, {"lookup": {"calls": 1, "result_used": 1}})
lines = [heal.policy_lines(c) for c in hc]
assert lines == [["fun:more_arrays=guard_heap"],
                 ["fun:more_arrays=guard_heap", "fun:lookup=guard_heap"],
                 ["fun:more_arrays=guard_heap", "fun:yyparse=guard_heap"]], lines
assert heal.policy_lines(cands[0]) == ["fun:parse"]
# What sends immune-heal to the oracle: glibc's allocator aborting.
glibc_abort = {"signal": "SIGABRT", "backtrace": [
    {"symbol": "raise", "module": "/lib/x86_64-linux-gnu/libc.so.6"},
    {"symbol": "malloc_printerr", "module": "/lib/x86_64-linux-gnu/libc.so.6"},
    {"symbol": "grow", "module": "/tmp/prog"}]}
assert heal.looks_like_heap_corruption(glibc_abort)
assert not heal.looks_like_heap_corruption(dict(glibc_abort, signal="SIGSEGV"))
assert not heal.looks_like_heap_corruption({"signal": "SIGABRT", "backtrace": [
    {"symbol": "abort", "module": "/lib/x86_64-linux-gnu/libc.so.6"},
    {"symbol": "check", "module": "/tmp/prog"}]})
assert heal.looks_like_heap_corruption(heap_record)
print("ok: heap candidates", lines)
