#!/usr/bin/env python3
"""Checks the JSON event records a run of an end-to-end case left in its
log_path against what the case expects (its E2E-EVENT lines, in order).

    check_events.py LOG [SPEC ...]

Each SPEC is one expected record, "KIND SIGNAL FUNCTION [FLAG ...]":

    KIND      recovered | crashed | escalated
    SIGNAL    SIGSEGV, SIGBUS, ... (the record's "signal")
    FUNCTION  the protected function the record names, or - for none (null)
    symbol    some backtrace frame's "symbol" is FUNCTION (the function was
              found in the symbol table, not only in the site's name)
    frame=S   some backtrace frame's "symbol" is S
    aborts=N  the record's "site_aborts" is N
    heap=N    the record's "heap_block" is a guarded block of N bytes, hit
              past its end
    heap_in=S ... allocated in function S ("allocated_in")

A live vaccine's change is a record of its own (event "vaccine"), expected
as "vaccine STATUS -" (STATUS applied or refused) with the flags
armed=NAME (NAME is among the newly armed) and unmatched=N (N entries
matched no protected function).

No SPEC: the run must leave no record at all (a missing LOG counts as
empty). Every line must be one JSON object (RFC 8259, UTF-8) with the
documented fields, and a non-empty backtrace whose first frame is the
faulting pc. Exits 1 with one line per problem.
"""
import json
import re
import sys

FIELDS = ["time", "pid", "build_id", "tid", "event", "mode", "signal", "signo", "si_code",
          "code", "address", "pc", "function", "error_value", "buffer", "heap_block", "backtrace"]
SITE_FIELDS = ["symbol", "file", "site_aborts"]
HEX = re.compile(r"^0x[0-9a-f]+$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def read_records(path, problems):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    if data and not data.endswith(b"\n"):
        problems.append("the log does not end with a newline (a cut record?)")
    records = []
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            rec = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            problems.append(f"line {n}: not valid JSON ({e}): {raw[:200]!r}")
            continue
        if not isinstance(rec, dict):
            problems.append(f"line {n}: not a JSON object")
            continue
        records.append((n, rec))
    return records


VACCINE_FIELDS = ["time", "pid", "build_id", "event", "status", "path", "change", "error",
                  "armed_total", "armed", "disarmed", "unmatched"]


def check_vaccine_shape(n, rec, problems):
    for key in VACCINE_FIELDS:
        if key not in rec:
            problems.append(f"record {n}: no '{key}' field in a vaccine record")
    if rec.get("status") not in ("applied", "refused"):
        problems.append(f"record {n}: status {rec.get('status')!r}")
    if (rec.get("status") == "refused") != (rec.get("error") is not None):
        problems.append(f"record {n}: error {rec.get('error')!r} with status {rec.get('status')!r}")


def check_shape(n, rec, problems):
    def bad(what):
        problems.append(f"record {n}: {what}")

    if rec.get("event") == "vaccine":
        check_vaccine_shape(n, rec, problems)
        return
    if rec.get("event") == "suppressed":
        for key in ("time", "pid", "kind", "count", "pc", "function"):
            if key not in rec:
                bad(f"no '{key}' field in a suppressed record")
        return

    for key in FIELDS:
        if key not in rec:
            bad(f"no '{key}' field")
    if rec.get("function") is not None:
        for key in SITE_FIELDS:
            if key not in rec:
                bad(f"no '{key}' field although 'function' is set")
    if not TIME.match(str(rec.get("time", ""))):
        bad(f"time {rec.get('time')!r} is not ISO 8601 UTC with microseconds")
    for key in ("address", "pc"):
        if not HEX.match(str(rec.get(key, ""))):
            bad(f"{key} {rec.get(key)!r} is not a hex string")
    if rec.get("event") == "recovered":
        if not rec.get("error_value"):
            bad("a recovery without its error_value")
    elif rec.get("error_value") is not None:
        bad(f"error_value {rec.get('error_value')!r} on a record that returned nothing")
    bt = rec.get("backtrace")
    if not isinstance(bt, list) or not bt:
        bad("empty or missing backtrace")
        return
    for i, frame in enumerate(bt):
        if not isinstance(frame, dict) or not HEX.match(str(frame.get("pc", ""))):
            bad(f"backtrace frame {i} has no hex pc: {frame!r}")
        elif "module" not in frame or "offset" not in frame:
            bad(f"backtrace frame {i} lacks module/offset: {frame!r}")
    if isinstance(bt[0], dict) and bt[0].get("pc") != rec.get("pc"):
        bad(f"the first frame's pc {bt[0].get('pc')} is not the record's pc {rec.get('pc')}")


def check_spec(n, rec, spec, problems):
    def bad(what):
        problems.append(f"record {n} (expected '{spec}'): {what}")

    words = spec.split()
    if len(words) < 3:
        bad("malformed E2E-EVENT line (KIND SIGNAL FUNCTION [FLAG ...])")
        return
    kind, signal, function, flags = words[0], words[1], words[2], words[3:]
    want_function = None if function == "-" else function
    if rec.get("event") != kind:
        bad(f"event is {rec.get('event')!r}")
        return
    if kind == "vaccine":
        if rec.get("status") != signal:
            bad(f"status is {rec.get('status')!r} ({rec.get('error')})")
        for flag in flags:
            if flag.startswith("armed="):
                if flag[len("armed="):] not in (rec.get("armed") or []):
                    bad(f"armed is {rec.get('armed')!r}")
            elif flag.startswith("unmatched="):
                if str(len(rec.get("unmatched") or [])) != flag[len("unmatched="):]:
                    bad(f"unmatched is {rec.get('unmatched')!r}")
            else:
                bad(f"unknown flag '{flag}'")
        return
    if rec.get("signal") != signal:
        bad(f"signal is {rec.get('signal')!r}")
    if rec.get("function") != want_function:
        bad(f"function is {rec.get('function')!r}")
    frames = rec.get("backtrace") if isinstance(rec.get("backtrace"), list) else []
    symbols = [f.get("symbol") for f in frames if isinstance(f, dict)]
    for flag in flags:
        if flag == "symbol" or flag.startswith("frame="):
            name = function if flag == "symbol" else flag[len("frame="):]
            if name not in symbols:
                bad(f"no backtrace frame has symbol {name!r} (symbols: {symbols})")
        elif flag.startswith("heap="):
            hb = rec.get("heap_block") if isinstance(rec.get("heap_block"), dict) else {}
            if str(hb.get("size")) != flag[len("heap="):] or hb.get("past_end") is not True:
                bad(f"heap_block is {rec.get('heap_block')!r}")
        elif flag.startswith("heap_in="):
            hb = rec.get("heap_block") if isinstance(rec.get("heap_block"), dict) else {}
            if hb.get("allocated_in") != flag[len("heap_in="):]:
                bad(f"heap_block is {rec.get('heap_block')!r}")
        elif flag.startswith("aborts="):
            if str(rec.get("site_aborts")) != flag[len("aborts="):]:
                bad(f"site_aborts is {rec.get('site_aborts')!r}")
        else:
            bad(f"unknown flag '{flag}'")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, specs = argv[1], argv[2:]
    problems = []
    records = read_records(path, problems)
    for n, rec in records:
        check_shape(n, rec, problems)
    if len({rec.get("pid") for _, rec in records}) > 1:
        problems.append("records from more than one process")
    if len(records) != len(specs):
        problems.append(f"{len(records)} record(s) in {path}, expected {len(specs)}")
    for (n, rec), spec in zip(records, specs):
        check_spec(n, rec, spec, problems)
    for problem in problems:
        print(problem)
    if problems:
        print("records found (event signal function):")
        for n, rec in records:
            if rec.get("event") == "vaccine":
                print(f"  {n}: vaccine {rec.get('status')} armed={rec.get('armed')} "
                      f"error={rec.get('error')}")
            else:
                print(f"  {n}: {rec.get('event')} {rec.get('signal')} {rec.get('function')}")
        return 1
    print(f"{len(records)} record(s) as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
