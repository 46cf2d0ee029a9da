"""The one reader of the pass's manifests (pass/Manifest.cpp writes them;
docs/reports.md describes the fields): version-checked, validated, and with
the same module compiled into several binaries counted once.

immune-heal and immune-campaign each used to read manifests their own way:
campaign counted a module once, heal once per binary that held it (so call
sites doubled for a library linked into its tests), and neither checked the
version.
"""
import json
import os

VERSION = 1
SUFFIX = ".immune.json"


class ManifestError(Exception):
    """A manifest that cannot be used; the message names the file."""


def read(path):
    """One manifest, checked: a dict with "immune_manifest": VERSION, a list
    of functions each with a string "symbol", and "callees_elsewhere"."""
    try:
        with open(path) as f:
            m = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ManifestError(f"{path}: not a manifest ({e})") from None
    if not isinstance(m, dict) or "immune_manifest" not in m:
        raise ManifestError(f"{path}: not an Immune manifest (no \"immune_manifest\" version)")
    if m["immune_manifest"] != VERSION:
        raise ManifestError(f"{path}: manifest version {m['immune_manifest']!r}; this tool reads "
                            f"version {VERSION} (rebuild with the matching plugin)")
    fns, callees = m.get("functions"), m.get("callees_elsewhere", {})
    if not isinstance(fns, list) or not isinstance(callees, dict) or not all(
            isinstance(fn, dict) and isinstance(fn.get("symbol"), str) for fn in fns):
        raise ManifestError(f"{path}: not an Immune manifest (expected an object with "
                            f"'functions': [{{'symbol': ...}}, ...] and 'callees_elsewhere')")
    return m


def modules(directories, missing_ok=True):
    """The manifests of the given directories, sorted by file name, each
    module once: the same source compiled into several binaries (a library
    and its tests) gives identical entries. A directory that does not exist
    is skipped when missing_ok, else an error."""
    seen, out = set(), []
    for d in directories:
        if not os.path.isdir(d):
            if missing_ok:
                continue
            raise ManifestError(f"{d}: no such manifest directory")
        for name in sorted(os.listdir(d)):
            if not name.endswith(SUFFIX):
                continue
            m = read(os.path.join(d, name))
            # (module as JSON text: a hand-edited manifest may hold any value there)
            key = (json.dumps(m.get("module"), sort_keys=True),
                   tuple(sorted(fn["symbol"] for fn in m["functions"])))
            if key in seen:
                continue
            seen.add(key)
            out.append(m)
    return out


CALLER_FACTS = ("calls", "result_checked", "result_used", "result_ignored")


def caller_facts(mods):
    """symbol -> how callers across all modules use its result, summed:
    callers_in_module of the defining modules plus callees_elsewhere of the
    others."""
    callers = {}

    def add(sym, facts):
        c = callers.setdefault(sym, dict.fromkeys(CALLER_FACTS, 0))
        for k in c:
            v = facts.get(k, 0) if isinstance(facts, dict) else 0
            c[k] += v if isinstance(v, int) else 0

    for m in mods:
        for fn in m["functions"]:
            add(fn["symbol"], fn.get("callers_in_module", {}))
        for sym, facts in m.get("callees_elsewhere", {}).items():
            add(sym, facts)
    return callers
