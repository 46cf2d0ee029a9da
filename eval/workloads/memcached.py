#!/usr/bin/env python3
"""Campaign workload for memcached, with immune-campaign's exit codes (0
correct, 1 wrong responses, 2 the server died of a signal, 124 it stopped
answering): starts the build's memcached on a private port and drives it
over loopback with a fixed request mix whose every response is checked —
the text protocol (set/add/replace/append/prepend/cas/gets, multi-get,
incr/decr, touch/gat, delete, flush_all, noreply), the meta protocol
(ms/mg/md/ma/mn), the binary protocol (set/get/getk/delete/noop), a 600 KiB
chunked item, 2,000 keys, malformed commands, the stats families and an
LRU-crawler metadump; then SIGTERM, and the server must exit 0.
Its full test suite sleeps for minutes; this takes about a second.
  memcached.py BUILD_DIR
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

TIMEOUT = 5.0


class Wrong(Exception):
    pass


class Hung(Exception):
    pass


def expect(got, want, what):
    if got != want:
        raise Wrong(f"{what}: expected {want!r}, got {got!r}")


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.f = self.s.makefile("rb")

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        try:
            l = self.f.readline()
        except socket.timeout:
            raise Hung("no response")
        if not l:
            raise Wrong("connection closed")
        return l

    def read(self, n):
        try:
            d = self.f.read(n)
        except socket.timeout:
            raise Hung("no response")
        if len(d) != n:
            raise Wrong("connection closed")
        return d

    def cmd(self, text):
        self.send(text)
        return self.line()

    def get(self, keys):
        """{key: (flags, value, cas)} from get/gets."""
        out = {}
        while True:
            l = self.line().split()
            if l == [b"END"]:
                return out
            if l[0] != b"VALUE":
                raise Wrong(f"get: {l!r}")
            n = int(l[3])
            out[l[1]] = (int(l[2]), self.read(n + 2)[:-2], int(l[4]) if len(l) > 4 else None)

    def close(self):
        self.s.close()


def text_protocol(c):
    expect(c.cmd(b"set a 5 0 3\r\nabc\r\n"), b"STORED\r\n", "set")
    c.send(b"get a\r\n")
    expect(c.get([b"a"]), {b"a": (5, b"abc", None)}, "get")
    expect(c.cmd(b"add a 0 0 1\r\nx\r\n"), b"NOT_STORED\r\n", "add existing")
    expect(c.cmd(b"add b 0 0 1\r\nx\r\n"), b"STORED\r\n", "add")
    expect(c.cmd(b"replace b 0 0 2\r\nyy\r\n"), b"STORED\r\n", "replace")
    expect(c.cmd(b"replace nokey 0 0 1\r\nz\r\n"), b"NOT_STORED\r\n", "replace missing")
    expect(c.cmd(b"append b 0 0 2\r\nzz\r\n"), b"STORED\r\n", "append")
    expect(c.cmd(b"prepend b 0 0 2\r\naa\r\n"), b"STORED\r\n", "prepend")
    c.send(b"gets b\r\n")
    r = c.get([b"b"])
    if r.get(b"b", (None, None))[1] != b"aayyzz":
        raise Wrong(f"append/prepend: {r!r}")
    cas = r[b"b"][2]
    expect(c.cmd(b"cas b 0 0 1 %d\r\nq\r\n" % (cas + 1000)), b"EXISTS\r\n", "cas stale")
    expect(c.cmd(b"cas b 0 0 1 %d\r\nq\r\n" % cas), b"STORED\r\n", "cas")
    expect(c.cmd(b"set n 0 0 2\r\n10\r\n"), b"STORED\r\n", "set number")
    expect(c.cmd(b"incr n 5\r\n"), b"15\r\n", "incr")
    expect(c.cmd(b"decr n 20\r\n"), b"0\r\n", "decr")
    expect(c.cmd(b"incr a 1\r\n"), b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
           "incr non-numeric")
    expect(c.cmd(b"touch a 100\r\n"), b"TOUCHED\r\n", "touch")
    c.send(b"gat 200 a\r\n")
    expect(c.get([b"a"]), {b"a": (5, b"abc", None)}, "gat")
    expect(c.cmd(b"delete a\r\n"), b"DELETED\r\n", "delete")
    expect(c.cmd(b"delete a\r\n"), b"NOT_FOUND\r\n", "delete missing")
    c.send(b"set q 0 0 1 noreply\r\nq\r\nget q\r\n")
    expect(c.get([b"q"]), {b"q": (0, b"q", None)}, "noreply")
    # Many keys, one multi-get.
    for i in range(2000):
        c.send(b"set key%d %d 0 %d noreply\r\n%s\r\n" % (i, i, len(str(i) * 3), str(i).encode() * 3))
    c.send(b"get " + b" ".join(b"key%d" % i for i in range(0, 2000, 7)) + b"\r\n")
    r = c.get(None)
    for i in range(0, 2000, 7):
        if r.get(b"key%d" % i) != (i, str(i).encode() * 3, None):
            raise Wrong(f"multi-get key{i}: {r.get(b'key%d' % i)!r}")
    # A large item: chunked storage.
    big = bytes(range(256)) * 2400
    expect(c.cmd(b"set big 0 0 %d\r\n%s\r\n" % (len(big), big)), b"STORED\r\n", "set big")
    c.send(b"get big\r\n")
    if c.get([b"big"]).get(b"big", (0, b""))[1] != big:
        raise Wrong("big item corrupted")
    # Malformed commands get errors, and the connection goes on.
    expect(c.cmd(b"bogus\r\n"), b"ERROR\r\n", "unknown command")
    expect(c.cmd(b"set x 0 0 notanumber\r\n"), b"CLIENT_ERROR bad command line format\r\n", "bad set")
    expect(c.cmd(b"get " + b"k" * 300 + b"\r\n"), b"CLIENT_ERROR bad command line format\r\n", "long key")


def meta_protocol(c):
    expect(c.cmd(b"ms mk 2 T0 F7\r\nhi\r\n"), b"HD\r\n", "ms")
    expect(c.cmd(b"mg mk v f\r\n"), b"VA 2 f7\r\n", "mg")
    expect(c.line(), b"hi\r\n", "mg value")
    expect(c.cmd(b"mg missing v\r\n"), b"EN\r\n", "mg miss")
    expect(c.cmd(b"ms mn 1\r\n5\r\n"), b"HD\r\n", "ms number")
    expect(c.cmd(b"ma mn D3 v\r\n"), b"VA 1\r\n", "ma")
    expect(c.line(), b"8\r\n", "ma value")
    expect(c.cmd(b"md mk\r\n"), b"HD\r\n", "md")
    expect(c.cmd(b"mn\r\n"), b"MN\r\n", "mn")


def binary_protocol(c):
    def req(op, key=b"", value=b"", extras=b"", opaque=0):
        hdr = struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0,
                          len(key) + len(extras) + len(value), opaque, 0)
        c.send(hdr + extras + key + value)
        h = c.read(24)
        magic, rop, klen, elen, _, status, blen, ropaque, _ = struct.unpack(">BBHBBHIIQ", h)
        body = c.read(blen) if blen else b""
        if magic != 0x81 or rop != op or ropaque != opaque:
            raise Wrong(f"binary op {op:#x}: header {h!r}")
        return status, body[elen:elen + klen], body[elen + klen:]

    expect(req(0x01, b"bk", b"bval", struct.pack(">II", 3, 0), 1)[0], 0, "binary set")
    st, _, val = req(0x00, b"bk", opaque=2)
    expect((st, val), (0, b"bval"), "binary get")
    st, key, val = req(0x0c, b"bk", opaque=3)
    expect((st, key, val), (0, b"bk", b"bval"), "binary getk")
    expect(req(0x04, b"bk", opaque=4)[0], 0, "binary delete")
    expect(req(0x00, b"bk", opaque=5)[0], 1, "binary get missing")
    expect(req(0x0a, opaque=6)[0], 0, "binary noop")


def stats(c):
    for sub in (b"", b" slabs", b" items", b" settings", b" conns", b" sizes"):
        c.send(b"stats" + sub + b"\r\n")
        n = 0
        while True:
            l = c.line()
            if l == b"END\r\n":
                break
            if not l.startswith(b"STAT "):
                raise Wrong(f"stats{sub.decode()}: {l!r}")
            n += 1
        if sub == b"" and n < 20:
            raise Wrong(f"stats: only {n} lines")
    c.send(b"lru_crawler metadump all\r\n")
    seen = 0
    while True:
        l = c.line()
        if l == b"END\r\n":
            break
        if l.startswith(b"key="):
            seen += 1
        elif l.startswith(b"ERROR") or l.startswith(b"BUSY"):
            break  # the crawler may be busy; not an error of the server
    expect(c.cmd(b"flush_all\r\n"), b"OK\r\n", "flush_all")
    c.send(b"get b\r\n")
    expect(c.get([b"b"]), {}, "get after flush_all")
    expect(c.cmd(b"verbosity 1\r\n"), b"OK\r\n", "verbosity")


def alive(port):
    try:
        c = Conn(port)
        ok = c.cmd(b"version\r\n").startswith(b"VERSION ")
        c.close()
        return ok
    except (OSError, Hung, Wrong):
        return False


def main():
    tree = os.path.abspath(sys.argv[1])
    slot = int(os.environ.get("IMMUNE_CAMPAIGN_SLOT", "0"))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cmd = [os.path.join(tree, "memcached"), "-U", "0", "-l", "127.0.0.1", "-p", str(port), "-t", "2",
           "-m", "64", "-c", "64"]
    if os.getuid() == 0:
        cmd += ["-u", "nobody"]
    srv = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = 0
    try:
        t0 = time.monotonic()
        while True:
            if srv.poll() is not None:
                raise Wrong(f"memcached exited at start-up (status {srv.returncode})")
            try:
                c = Conn(port)
                break
            except OSError:
                if time.monotonic() - t0 > 10:
                    raise Hung("memcached does not listen")
                time.sleep(0.02)
        text_protocol(c)
        meta_protocol(c)
        # memcached picks the protocol of a connection from its first byte.
        b = Conn(port)
        binary_protocol(b)
        b.close()
        stats(c)
        c.close()
    except Wrong as e:
        print(f"WRONG: {e} (slot {slot})")
        status = 1
    except (Hung, socket.timeout) as e:
        # One request without an answer: is the server still serving? A
        # server that answers a new connection lost that request (a wrong
        # result); one that does not has stopped answering.
        if srv.poll() is None and alive(port):
            print(f"WRONG: no answer to a request ({e}); the server still answers new connections")
            status = 1
        else:
            print(f"HUNG: {e}")
            status = 124
    except OSError as e:
        print(f"WRONG: connection: {e}")
        status = 1
    if srv.poll() is None:
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
            print("HUNG: memcached ignores SIGTERM")
            return 124
    rc = srv.returncode
    if rc < 0 and rc != -signal.SIGTERM:
        print(f"DIED: memcached killed by signal {-rc}")
        return 2
    if status == 0 and rc not in (0, -signal.SIGTERM):
        print(f"WRONG: memcached exit status {rc}")
        return 1
    if status == 124 and rc < 0 and rc != -signal.SIGTERM:
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
