"""memcached: autotools build, `make test` in its parts — ./sizes,
./testapp (56 C tests, TAP) and `prove -v t` (the Perl suite against
memcached-debug, TAP) — so a failing testapp does not hide the Perl suite."""
from evallib import run, sh
import tap

PACKAGE = "memcached"
# The full suite takes ~8 minutes (its Perl tests sleep a lot): the
# campaign workload is a load generator instead, a fixed request mix over
# loopback with every response checked (workloads/memcached.py, ~1 s).
CAMPAIGN = {"policy": None, "exclude_files": ["*/testapp.c", "*/timedrun.c", "*/sizes.c"],
            "timeout": 60, "workload": "python3 {eval}/workloads/memcached.py {tree}"}


def build(tree, env, blog):
    return (sh("./configure", tree, env, blog)
            and sh("make -j2 && make -j2 memcached-debug sizes testapp timedrun", tree, env, blog))


def suite(tree, env, work, slog):
    results = {}
    rc, _ = run(["./sizes"], cwd=tree, env=env, log_path=slog, timeout=60)
    results["sizes"] = "pass" if rc == 0 else "fail"
    tlog = slog + ".testapp"
    rc, _ = run(["./testapp"], cwd=tree, env=env, log_path=tlog, timeout=600)
    with open(tlog, errors="replace") as f:
        tap.parse(f.read(), prefix="testapp", results=results)
    results["testapp"] = "pass" if rc == 0 else "fail"
    plog = slog + ".prove"
    run(["prove", "-v", "t"], cwd=tree, env=env, log_path=plog, timeout=3600)
    with open(plog, errors="replace") as f:
        tap.parse(f.read(), results=results)
    return results
