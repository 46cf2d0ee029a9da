"""Fault-injection campaign on a program from its Debian source package.

  /usr/bin/python3 eval/campaign.py BUILD PROGRAM [immune-campaign options...]

Builds the program protect-all with manifests (once; the same build as the
transparency check unless the program names a campaign policy, e.g. zlib
leaves its test drivers unprotected), then runs immune-campaign with the
program's workload (eval/workloads/PROGRAM.sh): every selected function is
forced to abort on entry in one run of the workload. Extra arguments go to
immune-campaign (--sample N, --shard I/N, --select error-returning, --jobs J,
...). Results in BUILD/eval/results/campaign/PROGRAM[-TAG]/ (--tag TAG).
"""
import os
import signal
import subprocess
import sys

import evallib
from evallib import EvalError, log


def campaign(paths, program, extra, tag=None):
    mod = evallib.load_program(program)
    cfg = mod.CAMPAIGN
    if not cfg:
        raise EvalError(f"{program} has no campaign workload")
    source, version = evallib.fetch(paths, mod.PACKAGE)
    if cfg.get("policy"):
        policy = os.path.join(evallib.EVAL_DIR, "policies", cfg["policy"])
        tree, _ = evallib.prepare(paths, program, "campaign", source, mod.build, policy=policy)
    else:
        tree, _ = evallib.prepare(paths, program, "protect-all", source, mod.build)
    out = paths.result("campaign", program + (f"-{tag}" if tag else ""), "x")[:-2]
    workload = cfg["workload"].format(eval=evallib.EVAL_DIR, tree=tree)
    cmd = [os.path.join(paths.bin, "immune-campaign"), "--manifests", os.path.join(tree, "manifests"),
           "--workload", workload, "--out", out, "--timeout", str(cfg.get("timeout", 120)),
           "--title", f"{program} {version}" + (f" ({tag})" if tag else "")]
    for g in cfg.get("exclude_files", []):
        cmd += ["--exclude-files", g]
    cmd += extra
    log(f"{program}: campaign -> {out}")
    # handle_abort=all: an assertion the program trips over because of the
    # forced error heals like any other fault, as in a deployment that wants
    # the service to survive (the default, ssp, heals smashed canaries only).
    env = dict(os.environ, IMMUNE_OPTIONS="handle_abort=all")
    p = subprocess.Popen(cmd, env=env)
    # Stopping the driver stops the campaign (which stops its workloads).
    signal.signal(signal.SIGTERM, lambda *_: p.terminate())
    rc = p.wait()
    if rc != 0:
        raise EvalError(f"{program}: immune-campaign failed (exit {rc})")
    doc = evallib.read_json(os.path.join(out, "results.json"))
    doc["program"] = {"name": program, "package": mod.PACKAGE, "version": version}
    doc["machine"] = evallib.machine(paths)
    evallib.write_json(os.path.join(out, "results.json"), doc)
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tag = None
    if "--tag" in argv:
        i = argv.index("--tag")
        tag = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    paths = evallib.Paths(argv[0])
    campaign(paths, argv[1], argv[2:], tag)
    return 0


if __name__ == "__main__":
    evallib.cli(main)
