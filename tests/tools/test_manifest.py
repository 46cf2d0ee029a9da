"""immune_tools.manifest, the one reader of the pass's manifests: the
version is checked, a bad file is named, the same module in two binaries
counts once, caller facts are summed across modules. Run by CTest
(tools_python_unit) as /usr/bin/python3 -m pytest tests/tools."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from immune_tools import manifest  # noqa: E402


def write(d, name, obj):
    p = d / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return p


def module(name, fns, elsewhere=None):
    return {"immune_manifest": 1, "module": name, "functions": fns,
            "callees_elsewhere": elsewhere or {}}


def test_a_manifest_of_another_version_is_refused_with_its_name(tmp_path):
    p = write(tmp_path, "a.c-1.immune.json", dict(module("a.c", []), immune_manifest=2))
    with pytest.raises(manifest.ManifestError, match=r"a\.c-1\.immune\.json: manifest version 2"):
        manifest.modules([str(tmp_path)])


def test_not_json_and_not_a_manifest_are_named(tmp_path):
    write(tmp_path, "bad.immune.json", "{not json")
    with pytest.raises(manifest.ManifestError, match=r"bad\.immune\.json: not a manifest"):
        manifest.read(str(tmp_path / "bad.immune.json"))
    write(tmp_path, "other.immune.json", {"functions": []})
    with pytest.raises(manifest.ManifestError, match=r"other\.immune\.json: not an Immune manifest"):
        manifest.read(str(tmp_path / "other.immune.json"))
    write(tmp_path, "nosym.immune.json", module("x.c", [{"function": "f"}]))
    with pytest.raises(manifest.ManifestError, match="'symbol'"):
        manifest.read(str(tmp_path / "nosym.immune.json"))


def test_the_same_module_in_two_binaries_counts_once(tmp_path):
    lib = module("lib.c", [{"symbol": "parse", "callers_in_module": {"calls": 2, "result_checked": 2}}])
    a, b = tmp_path / "prog", tmp_path / "tests"
    a.mkdir()
    b.mkdir()
    write(a, "lib.c-1.immune.json", lib)
    write(b, "lib.c-2.immune.json", lib)
    write(b, "main.c-3.immune.json",
          module("main.c", [{"symbol": "main"}], {"parse": {"calls": 1, "result_ignored": 1}}))
    mods = manifest.modules([str(a), str(b)])
    assert [m["module"] for m in mods] == ["lib.c", "main.c"]
    facts = manifest.caller_facts(mods)
    assert facts["parse"] == {"calls": 3, "result_checked": 2, "result_used": 0, "result_ignored": 1}
    assert facts["main"]["calls"] == 0


def test_missing_directories_and_other_files(tmp_path):
    write(tmp_path, "notes.json", "{}")
    assert manifest.modules([str(tmp_path), str(tmp_path / "nowhere")]) == []
    with pytest.raises(manifest.ManifestError, match="no such manifest directory"):
        manifest.modules([str(tmp_path / "nowhere")], missing_ok=False)


def test_odd_values_in_a_valid_manifest_do_not_break_the_reader(tmp_path):
    write(tmp_path, "odd.immune.json",
          module(["not", "a", "name"], [{"symbol": "f", "callers_in_module": "many"}],
                 {"f": {"calls": "2"}}))
    mods = manifest.modules([str(tmp_path)])
    assert manifest.caller_facts(mods)["f"]["calls"] == 0
