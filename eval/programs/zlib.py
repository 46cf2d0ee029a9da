"""zlib: `./configure && make`, its `make test` (minigzip and example,
static, shared and 64-bit) and test/infcover (inflate's coverage test)."""
from evallib import run, sh

PACKAGE = "zlib"
# The campaign protects the library only: the test drivers are the oracle,
# and an assert() failing in a protected driver would be healed
# (handle_abort) instead of failing the test.
CAMPAIGN = {"policy": "zlib-campaign.policy", "exclude_files": ["*/test/*"], "timeout": 10,
            "workload": "bash {eval}/workloads/zlib.sh {tree}"}


def build(tree, env, blog):
    return (sh("./configure", tree, env, blog)
            and sh("make -j2 all infcover", tree, env, blog))


def suite(tree, env, work, slog):
    results = {}
    for target in ("teststatic", "testshared", "test64"):
        rc, _ = run(["make", target], cwd=tree, env=env, log_path=slog, timeout=300)
        results[target] = "pass" if rc == 0 else "fail"
    rc, _ = run(["./infcover"], cwd=tree, env=env, log_path=slog, timeout=300)
    results["infcover"] = "pass" if rc == 0 else "fail"
    return results
