"""Shared pieces of the evaluation: where things live, the build variants,
running commands with timing, and the machine the numbers come from.

Layout under BUILD/eval (BUILD = Immune's build tree, IMMUNE_BUILD or the
first argument of each driver):
  src/PKG/src            Debian source package, unpacked once (fetch.sh)
  PROGRAM/VARIANT/       a copy of the source, configured and built
  PROGRAM/VARIANT/manifests  the pass's manifests (Immune variants)
  results/               JSON the report is made from
"""
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time

EVAL_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(EVAL_DIR)
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


class EvalError(Exception):
    pass


def log(msg):
    print(f"[eval {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Paths:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.bin = os.path.join(self.build, "bin")
        self.eval = os.path.join(self.build, "eval")
        self.src = os.path.join(self.eval, "src")
        self.results = os.path.join(self.eval, "results")
        for tool in ("immune-cc", "immune-campaign"):
            if not os.path.exists(os.path.join(self.bin, tool)):
                raise EvalError(f"{self.bin}/{tool} missing: build Immune first (make build)")

    def tree(self, program, variant):
        return os.path.join(self.eval, program, variant)

    def result(self, *parts):
        p = os.path.join(self.results, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p


def run(cmd, cwd=None, env=None, log_path=None, timeout=None, shell=False):
    """Runs cmd; returns (status, seconds). Output goes to log_path (appended)."""
    t0 = time.monotonic()
    out = open(log_path, "a") if log_path else subprocess.DEVNULL
    try:
        if log_path:
            out.write(f"\n$ {cmd if shell else ' '.join(cmd)}\n")
            out.flush()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                             shell=shell, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            rc = 124
    finally:
        if log_path:
            out.close()
    return rc, time.monotonic() - t0


def fetch(paths, package):
    """The unpacked Debian source of `package` (fetched once) and its version."""
    rc = subprocess.call(["bash", os.path.join(EVAL_DIR, "fetch.sh"), paths.src, package])
    if rc != 0:
        raise EvalError(f"fetching the Debian source package {package} failed")
    with open(os.path.join(paths.src, package, "VERSION")) as f:
        return os.path.join(paths.src, package, "src"), f.read().strip()


def immune_id(paths):
    """Changes whenever the plugin or the runtime does: builds made with an
    older Immune are redone."""
    h = hashlib.sha1()
    for f in ("lib/immune.so", "lib/libimmune_rt.a", "lib/libimmune_rt.so"):
        with open(os.path.join(paths.build, f), "rb") as fh:
            h.update(hashlib.sha1(fh.read()).digest())
    return h.hexdigest()[:16]


# The variants. CFLAGS are the same for all of them; only the compiler and
# what the pass protects differ.
CFLAGS = "-O2 -g"


def variant_env(paths, variant, tree, policy=None):
    env = dict(os.environ)
    for k in ("IMMUNE_PROTECT_ALL", "IMMUNE_POLICY", "IMMUNE_MANIFEST", "IMMUNE_OPTIONS",
              "IMMUNE_DYBOC", "IMMUNE_ORACLE"):
        env.pop(k, None)
    env["CFLAGS"] = CFLAGS
    if variant == "plain":
        env["CC"] = "clang-19"
        env["CXX"] = "clang++-19"
        return env
    env["CC"] = os.path.join(paths.bin, "immune-cc")
    env["CXX"] = os.path.join(paths.bin, "immune-c++")
    env["IMMUNE_MANIFEST"] = os.path.join(tree, "manifests")
    if variant in ("protect-all", "campaign"):
        env["IMMUNE_PROTECT_ALL"] = "1"
    if policy:
        env["IMMUNE_POLICY"] = policy
    return env


def prepare(paths, program, variant, source, build_fn, policy=None, force=False):
    """A built tree of `program` in `variant`; reused when the source, the
    variant, the policy and Immune itself are unchanged."""
    tree = paths.tree(program, variant)
    stamp = os.path.join(tree, ".eval-built")
    key = json.dumps({"source": source, "variant": variant, "cflags": CFLAGS,
                      "policy": policy and open(policy).read(),
                      "immune": immune_id(paths) if variant != "plain" else None})
    if not force and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == key:
                return tree, 0.0
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.dirname(tree), exist_ok=True)
    shutil.copytree(source, tree, symlinks=True)
    env = variant_env(paths, variant, tree, policy)
    if variant != "plain":
        os.makedirs(env["IMMUNE_MANIFEST"])
    blog = os.path.join(tree, "eval-build.log")
    log(f"{program}/{variant}: building in {tree}")
    t0 = time.monotonic()
    ok = build_fn(tree, env, blog)
    secs = time.monotonic() - t0
    if not ok:
        tail = "".join(open(blog, errors="replace").readlines()[-20:])
        raise EvalError(f"{program}/{variant}: build failed ({blog}):\n{tail}")
    log(f"{program}/{variant}: built in {secs:.0f} s")
    with open(os.path.join(tree, ".eval-build-seconds"), "w") as f:
        f.write(f"{secs:.1f}\n")
    with open(stamp, "w") as f:
        f.write(key)
    return tree, secs


def build_seconds(tree):
    try:
        with open(os.path.join(tree, ".eval-build-seconds")) as f:
            return float(f.read())
    except OSError:
        return None


def sh(cmd, tree, env, blog, timeout=None):
    rc, _ = run(cmd, cwd=tree, env=env, log_path=blog, timeout=timeout, shell=True)
    return rc == 0


def immune_source(paths):
    """The source tree Immune's build was configured from, and its commit."""
    src = None
    try:
        with open(os.path.join(paths.build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    src = line.split("=", 1)[1].strip()
    except OSError:
        pass
    if not src:
        return "unknown"
    r = subprocess.run(["git", "-C", src, "describe", "--always", "--dirty"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"{src} (not a git checkout)"


def machine(paths=None):
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
        except (IndexError, OSError):
            return "?"
    cpu = first("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
    mem = first("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
            "debian": first("cat /etc/debian_version"), "clang": first("clang-19 --version"),
            "loadavg": first("cat /proc/loadavg"),
            "immune_commit": immune_source(paths) if paths else "unknown",
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def write_json(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def cli(main):
    """Runs a script's main(argv) and exits with its status; an EvalError is
    one line on stderr and exit 2."""
    try:
        sys.exit(main(sys.argv[1:]))
    except EvalError as e:
        print(f"eval: error: {e}", file=sys.stderr)
        sys.exit(2)


def deliberate_abort(event):
    """A `crashed` record of an abort() the program called itself and the
    runtime did not heal (handle_abort=ssp): the plain build dies the same
    way, so it is no difference."""
    return (event.get("event") == "crashed" and event.get("signal") == "SIGABRT"
            and str(event.get("reason") or "").startswith("abort() is not healed"))


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return default


def load_program(name):
    import importlib
    sys.path.insert(0, EVAL_DIR)
    try:
        return importlib.import_module(f"programs.{name}")
    except ModuleNotFoundError:
        raise EvalError(f"unknown program '{name}' (eval/programs/{name}.py)")
