"""Test results from the output of the test harnesses the programs use:
TAP (Perl's prove / Test::Harness, memcached's testapp) and automake's
PASS:/FAIL: lines. Each test gets an id that is stable between two builds."""
import re

TAP_FILE = re.compile(r"^(\S+\.t) \.+ ?")
TAP_LINE = re.compile(r"^(not ok|ok) (\d+)\b(.*)$")
AUTOMAKE = re.compile(r"^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): (\S+)")


def parse(text, prefix="", results=None):
    """id -> 'pass' | 'fail' | 'skip'."""
    results = {} if results is None else results
    current = prefix
    for line in text.splitlines():
        m = TAP_FILE.match(line)
        if m:
            current = prefix + m.group(1).lstrip("./")
            continue
        m = TAP_LINE.match(line)
        if m:
            ok, n, rest = m.groups()
            skip = re.search(r"#\s*(skip|SKIP|todo|TODO)", rest)
            results[f"{current}#{n}"] = "skip" if skip else ("pass" if ok == "ok" else "fail")
            continue
        m = AUTOMAKE.match(line)
        if m:
            status = {"PASS": "pass", "XFAIL": "pass", "SKIP": "skip"}.get(m.group(1), "fail")
            results[f"automake:{m.group(2)}"] = status
    return results
