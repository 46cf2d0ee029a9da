"""Benchmarks against the plain build, in the same run, as ratios.

  /usr/bin/python3 eval/bench.py BUILD [--rounds N] [--seconds S] [--only lighttpd,sqlite3,memcached]

- lighttpd under wrk on loopback, three builds: plain, the request-parsing
  path protected (policies/lighttpd-request.policy), protect-all. One
  server process (server.max-worker = 0), one wrk thread with 32
  connections, not pinned (pinning to a CPU that other work on a shared
  machine also uses costs more than it saves); a 1 s warm-up, then S
  seconds of measurement; the variants take turns in every round so that a
  change of load hits all of them alike.
  Throughput is the median over the rounds; memory is the server's peak
  RSS (VmHWM) after the run.
- sqlite3's speedtest1 (test/speedtest1.c, --size 50, the default "main"
  test set, a database file on disk), plain and protect-all: wall and CPU
  time (user + sys of the process), medians; peak RSS.
- memcached, plain and protect-all: peak RSS after 20,000 sets of 1 KiB
  values.
The load average before each measurement is recorded: the machine may be
shared. Results: BUILD/eval/results/bench.json.
"""
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

import evallib
from evallib import EvalError, log

LIGHTTPD_CONF = """server.document-root = "{root}/www"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{root}/error.log"
server.max-worker = 0
server.max-keep-alive-requests = 100000
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
"""


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=20):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def proc_mem(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])  # KiB
    return out


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(port, seconds):
    out = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s",
                          f"http://127.0.0.1:{port}/index.html"],
                         capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if not m:
        raise EvalError(f"wrk printed no throughput:\n{out}")
    return float(m.group(1)), (errors.group(0) if errors else None)


def bench_lighttpd(paths, rounds, seconds):
    mod = evallib.load_program("lighttpd")
    source, version = evallib.fetch(paths, mod.PACKAGE)
    policy = os.path.join(evallib.EVAL_DIR, "policies", "lighttpd-request.policy")
    trees = {"plain": evallib.prepare(paths, "lighttpd", "plain", source, mod.build)[0],
             "request-path": evallib.prepare(paths, "lighttpd", "request-path", source, mod.build,
                                             policy=policy)[0],
             "protect-all": evallib.prepare(paths, "lighttpd", "protect-all", source, mod.build)[0]}
    root = os.path.join(paths.eval, "bench", "lighttpd")
    os.makedirs(os.path.join(root, "www"), exist_ok=True)
    with open(os.path.join(root, "www", "index.html"), "w") as f:
        f.write("<html><body>" + "Immune benchmark page. " * 40 + "</body></html>\n")  # ~1 KiB
    samples = {v: [] for v in trees}
    mem = {v: [] for v in trees}
    loads = []
    order = list(trees)
    for r in range(rounds):
        for v in order[r % len(order):] + order[:r % len(order)]:
            port = free_port()
            conf = os.path.join(root, f"{v}.conf")
            with open(conf, "w") as f:
                f.write(LIGHTTPD_CONF.format(root=root, port=port))
            tree = trees[v]
            env = dict(os.environ, IMMUNE_OPTIONS="verbosity=0")
            proc = subprocess.Popen([os.path.join(tree, "src", "lighttpd"), "-D",
                                     "-f", conf, "-m", os.path.join(tree, "src", ".libs")],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if not wait_port(port, proc):
                    raise EvalError(f"lighttpd ({v}) did not start; see {root}/error.log")
                wrk(port, 1)
                loads.append(loadavg())
                rps, err = wrk(port, seconds)
                if err:
                    raise EvalError(f"lighttpd ({v}): wrk saw errors: {err}")
                samples[v].append(rps)
                mem[v].append(proc_mem(proc.pid))
            finally:
                stop(proc)
            log(f"lighttpd round {r + 1}/{rounds} {v}: {rps:.0f} req/s, "
                f"RSS peak {mem[v][-1].get('VmHWM', 0)} KiB (load {loads[-1]:.2f})")
    med = {v: statistics.median(s) for v, s in samples.items()}
    hwm = {v: statistics.median(m["VmHWM"] for m in mem[v]) for v in mem}
    return {"version": version, "rounds": rounds, "seconds": seconds,
            "requests_per_second": samples, "median_rps": med,
            "throughput_loss_pct": {v: round(100.0 * (1 - med[v] / med["plain"]), 2) for v in med},
            "rss_peak_kib": hwm,
            "rss_overhead_pct": {v: round(100.0 * (hwm[v] / hwm["plain"] - 1), 1) for v in hwm},
            "loadavg": loads,
            "policy": open(policy).read()}


def timed(cmd, cwd, env):
    """Wall time, CPU time (user + sys) and peak RSS (KiB) of one run. The
    peak comes from the process's own VmHWM, read while it runs: rusage's
    ru_maxrss would also count the memory of this Python process, which the
    child had before its exec."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hwm = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        try:
            hwm = max(hwm, proc_mem(p.pid).get("VmHWM", 0))
        except OSError:
            pass
        time.sleep(0.02)
    wall = time.monotonic() - t0
    p.returncode = status
    if status != 0:
        raise EvalError(f"{' '.join(cmd)} failed (status {status})")
    return wall, ru.ru_utime + ru.ru_stime, hwm


def bench_sqlite3(paths, rounds):
    mod = evallib.load_program("sqlite3")
    source, version = evallib.fetch(paths, mod.PACKAGE)
    trees = {v: evallib.prepare(paths, "sqlite3", v, source, mod.build)[0] for v in ("plain", "protect-all")}
    work = os.path.join(paths.eval, "bench", "sqlite3")
    os.makedirs(work, exist_ok=True)
    res = {v: {"wall": [], "cpu": [], "maxrss": []} for v in trees}
    loads = []
    order = list(trees)
    for r in range(rounds):
        for v in order[r % 2:] + order[:r % 2]:
            db = os.path.join(work, f"speed-{v}.db")
            for p in (db, db + "-journal", db + "-wal"):
                if os.path.exists(p):
                    os.remove(p)
            loads.append(loadavg())
            wall, cpu, rss = timed([os.path.join(trees[v], "speedtest1"), "--size", "50", db], work,
                                   dict(os.environ, IMMUNE_OPTIONS="verbosity=0"))
            res[v]["wall"].append(round(wall, 3))
            res[v]["cpu"].append(round(cpu, 3))
            res[v]["maxrss"].append(rss)
            log(f"speedtest1 round {r + 1}/{rounds} {v}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                f"{rss} KiB peak (load {loads[-1]:.2f})")
    med = {v: {k: statistics.median(x) for k, x in d.items()} for v, d in res.items()}
    return {"version": version, "rounds": rounds, "args": "--size 50 (testset main, database on disk)",
            "samples": res, "median": med,
            "time_ratio": round(med["protect-all"]["wall"] / med["plain"]["wall"], 3),
            "cpu_ratio": round(med["protect-all"]["cpu"] / med["plain"]["cpu"], 3),
            "rss_overhead_pct": round(100.0 * (med["protect-all"]["maxrss"] / med["plain"]["maxrss"] - 1), 1),
            "loadavg": loads}


def bench_memcached(paths, rounds):
    mod = evallib.load_program("memcached")
    source, version = evallib.fetch(paths, mod.PACKAGE)
    trees = {v: evallib.prepare(paths, "memcached", v, source, mod.build)[0] for v in ("plain", "protect-all")}
    value = b"x" * 1024
    res = {v: [] for v in trees}
    for r in range(rounds):
        for v in trees:
            port = free_port()
            proc = subprocess.Popen([os.path.join(trees[v], "memcached"), "-U", "0", "-l", "127.0.0.1",
                                     "-p", str(port), "-m", "256", "-t", "2"] +
                                    (["-u", "nobody"] if os.getuid() == 0 else []),
                                    env=dict(os.environ, IMMUNE_OPTIONS="verbosity=0"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if not wait_port(port, proc):
                    raise EvalError(f"memcached ({v}) did not start")
                s = socket.create_connection(("127.0.0.1", port))
                f = s.makefile("rb")
                for i in range(20000):
                    s.sendall(b"set key%d 0 0 %d\r\n%s\r\n" % (i, len(value), value))
                    if f.readline() != b"STORED\r\n":
                        raise EvalError(f"memcached ({v}): set failed")
                s.close()
                res[v].append(proc_mem(proc.pid)["VmHWM"])
            finally:
                stop(proc)
            log(f"memcached round {r + 1}/{rounds} {v}: RSS peak {res[v][-1]} KiB")
    med = {v: statistics.median(x) for v, x in res.items()}
    return {"version": version, "rounds": rounds, "rss_peak_kib": med, "samples": res,
            "rss_overhead_pct": round(100.0 * (med["protect-all"] / med["plain"] - 1), 1)}


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    paths = evallib.Paths(argv[0])
    rounds, seconds, only = 5, 8, {"lighttpd", "sqlite3", "memcached"}
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--rounds":
            rounds = int(args.pop(0))
        elif a == "--seconds":
            seconds = int(args.pop(0))
        elif a == "--only":
            only = set(args.pop(0).split(","))
        else:
            raise EvalError(f"unknown argument {a}")
    out = paths.result("bench.json")
    doc = evallib.read_json(out, {})
    doc["machine"] = evallib.machine(paths)
    t0 = time.monotonic()
    if "lighttpd" in only:
        doc["lighttpd"] = bench_lighttpd(paths, rounds, seconds)
    if "sqlite3" in only:
        doc["sqlite3"] = bench_sqlite3(paths, rounds)
    if "memcached" in only:
        doc["memcached"] = bench_memcached(paths, 3)
    doc["elapsed_seconds"] = round(time.monotonic() - t0)
    evallib.write_json(out, doc)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    evallib.cli(main)
