"""lighttpd: autotools build with PCRE2 (for the conditionals its tests
use), `make check`: three C unit tests and 224 Perl checks against a live
server, results per TAP test."""
from evallib import run, sh
import tap

PACKAGE = "lighttpd"
# The campaign workload is the test suite itself: about 2 s, and it checks
# every response. The request-parsing path for the benchmark's second
# variant is policies/lighttpd-request.policy.
CAMPAIGN = {"policy": None, "exclude_files": ["*/tests/*"], "timeout": 60,
            "workload": "bash {eval}/workloads/lighttpd.sh {tree}"}


def build(tree, env, blog):
    return (sh("./configure --with-pcre2 --disable-dependency-tracking", tree, env, blog)
            and sh("make -j2 && make -j2 check TESTS=", tree, env, blog))


def suite(tree, env, work, slog):
    run(["make", "check"], cwd=tree, env=dict(env, VERBOSE="1"), log_path=slog, timeout=1800)
    with open(slog, errors="replace") as f:
        return tap.parse(f.read())
