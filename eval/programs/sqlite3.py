"""sqlite3: the autoconf build with the compile-time options of Debian's
package (debian/rules), the amalgamation, and the upstream test suite:
fuzzcheck over test/fuzzdata*.db (part of `make test`) and every file of the
"extraquick" Tcl suite (test/permutations.test), each run on its own by
testfixture so that one file that stops early does not hide the others.
The Tcl tests refuse to run as root: they run as `nobody`."""
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess

from evallib import run, sh

PACKAGE = "sqlite3"
# The campaign workload: the shell runs a fixed SQL script (tables, indexes,
# joins, window functions, JSON, FTS5, transactions, a trigger) and must
# print what the plain build printed (workloads/sqlite3.sh).
CAMPAIGN = {"policy": None, "exclude_files": ["*/test/*", "*/tool/*"], "timeout": 20,
            "workload": "bash {eval}/workloads/sqlite3.sh {tree}"}

DEBIAN_CFLAGS = (
    "-DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3 "
    "-DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1 "
    "-DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1 -DSQLITE_ENABLE_DBSTAT_VTAB "
    "-DSQLITE_ALLOW_ROWID_IN_VIEW -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 "
    "-DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS "
    "-DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS3_TOKENIZER=1 -DSQLITE_USE_URI=1 "
    "-DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION "
    "-DSQLITE_ENABLE_STMTVTAB -DSQLITE_MAX_VARIABLE_NUMBER=250000")

LIST_SUITE = """set argv {}
set argv0 [file join [pwd] test list.tcl]
source test/permutations.test
array set o $::testspec(extraquick)
foreach f $o(-files) { puts $f }
"""
SUMMARY = re.compile(r"^(\d+) errors out of (\d+) tests")
FAILED = re.compile(r"^! (\S+) (expected|got):")


def build(tree, env, blog):
    env = dict(env, CFLAGS=env["CFLAGS"] + " -fno-strict-aliasing " + DEBIAN_CFLAGS)
    return (sh("./configure --enable-threadsafe --enable-fts5 --enable-load-extension", tree, env, blog)
            and sh("make -j2 sqlite3 testfixture fuzzcheck sessionfuzz speedtest1", tree, env, blog))


def as_nobody(cmd):
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd


def test_files(tree, env):
    script = os.path.join(tree, ".eval-list.tcl")
    with open(script, "w") as f:
        f.write(LIST_SUITE)
    out = subprocess.run([os.path.join(tree, "testfixture"), script], cwd=tree, env=env,
                         capture_output=True, text=True, timeout=300).stdout
    return [l.strip() for l in out.splitlines() if l.strip().endswith(".test")]


def one_file(tree, env, work, name):
    d = os.path.join(work, re.sub(r"[^A-Za-z0-9_.-]", "_", name))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.chown(d, "nobody", "nogroup")
    path = name if os.path.isabs(name) else os.path.join(tree, "test", name)
    flog = os.path.join(d, "out.log")
    rc, secs = run(as_nobody([os.path.join(tree, "testfixture"), path]), cwd=d,
                   env=dict(env, HOME=d), log_path=flog, timeout=900)
    errors = total = None
    failed = set()
    with open(flog, errors="replace") as f:
        for line in f:
            m = SUMMARY.match(line)
            if m:
                errors, total = int(m.group(1)), int(m.group(2))
            m = FAILED.match(line)
            if m:
                failed.add(m.group(1))
    shutil.rmtree(d, ignore_errors=True)
    return name, rc, errors, total, failed


def suite(tree, env, work, slog):
    results = {}
    env = dict(env)
    for k in list(env):
        if k.startswith("IMMUNE_") and k != "IMMUNE_OPTIONS":
            env.pop(k)
    # fuzzcheck, as `make fuzztest` runs it.
    fuzz = sorted(glob.glob(os.path.join(tree, "test", "fuzzdata*.db")))
    rc, _ = run([os.path.join(tree, "fuzzcheck")] + fuzz, cwd=tree, env=env, log_path=slog, timeout=1800)
    results["fuzzcheck"] = "pass" if rc == 0 else "fail"
    rc, _ = run([os.path.join(tree, "sessionfuzz"), "run", os.path.join(tree, "test", "sessionfuzz-data1.db")],
                cwd=tree, env=env, log_path=slog, timeout=600)
    results["sessionfuzz"] = "pass" if rc == 0 else "fail"
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    files = test_files(tree, env)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for name, rc, errors, total, failed in pool.map(lambda n: one_file(tree, env, work, n), files):
            base = os.path.basename(name)
            # A file passes when testfixture reports 0 errors and exits 0.
            results[base] = "pass" if rc == 0 and errors == 0 else "fail"
            for t in failed:
                results[f"{base}:{t}"] = "fail"
            with open(slog, "a") as f:
                f.write(f"{base}: exit {rc}, {errors} errors out of {total} tests"
                        + (f"; failed: {' '.join(sorted(failed))}" if failed else "") + "\n")
    return results
