#!/usr/bin/env python3
"""Pass robustness: the Immune pass over thousands of random modules, and over
real sources, in protect-all and oracle mode. Nothing may crash, and the
verifier must accept every module the pass produced.

  stress.py BUILD_DIR [--count N] [--first-seed S] [--jobs J] [--seconds T]
            [--sources] [--e2e-sources] [--all-configs] [--reduce] [--out DIR]

Random modules come from llvm-stress-19 (one function of random
straight-line and branchy code), made more interesting for Immune before the
pass sees them (see mutate()): about half of the allocas become arrays (so
DYBOC relocates them), a dynamic alloca is added, the function gets random
attributes, and wrapper functions are added that call it with a stack buffer
and return every kind of value (integers of odd widths, half, x86_fp80,
fp128, vectors, structs, arrays, sret), have several returns and callers
that test them (error-value inference), unwind through invoke and a landing
pad, take varargs, contain a musttail call (which the pass must leave alone)
or call setjmp.

Each module, in each mode, goes through the pipelines a user's build runs:

  1. opt -passes='immune,verify' (and a manifest, which must be valid JSON)
  2. llc -O0 on that                        (clang -O0: FastISel)
  3. opt -passes='default<O2>' on the original module, with the pass at
     PipelineStart, the way clang runs it
  4. llc -O2 on that

A failure is a non-zero exit, a crash, or a verifier complaint. It counts
against Immune only if the same pipeline without the plugin passes
(llvm-stress exists to find LLVM's own codegen bugs; those are counted
apart). A failing module is saved under OUT/failures/; with --reduce it is
also cut down with llvm-reduce-19 and written as a lit regression test
(OUT/reduced/*.ll) to move into tests/stress/regressions/.

--sources also compiles every tests/lit input (--e2e-sources: and every
tests/e2e case) with clang-19 and the plugin, in both modes, at -O0 and at
-O2 -g (--all-configs: -O0 and -O2, each with and without -g), with
-fverify-intermediate-code.

Exit status: 0 if nothing failed because of Immune, 1 otherwise, 2 on a
set-up error. The last line is a summary; OUT/summary.json has the counts.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
LLVM_BIN = "/usr/lib/llvm-19/bin"

MODES = {
    # name: the plugin's options
    "protect": ["-immune-protect-all"],
    "oracle": ["-immune-oracle"],
}


def tool(name):
    found = shutil.which(f"{name}-19") or os.path.join(LLVM_BIN, name)
    if not os.access(found, os.X_OK):
        sys.exit(f"stress: {name}-19 not found (apt-get install llvm-19-tools clang-19)")
    return found


# ---- making modules ------------------------------------------------------------

# Return types for the wrappers, each with the alignment of its load.
RET_TYPES = [
    "i1", "i8", "i16", "i32", "i64", "i128", "i17", "half", "bfloat", "float",
    "double", "x86_fp80", "fp128", "ptr", "<4 x i32>", "<2 x double>", "<8 x i1>",
    "<4 x float>", "<2 x ptr>", "{ i32, i64 }", "{ float, float }", "{ double, i32 }",
    "[3 x i32]", "{ i8, [5 x i16] }", "{ ptr, i64 }", "{}",
]
ATTRS = ["noinline", "noinline optnone", "nounwind", "uwtable", "sspstrong",
         '"frame-pointer"="all"', "alwaysinline", "cold", "minsize optsize", "nounwind willreturn"]


def mutate(text, rng):
    """The llvm-stress module with more for Immune to do (see the docstring)."""
    m = re.search(r"define void @(\w+)\(ptr %0, ptr %1, ptr %2, i32 %3, i64 %4, i8 %5\)", text)
    if not m:
        return text
    fn = m.group(1)
    lines = text.split("\n")
    out = []
    for line in lines:
        a = re.match(r"^(\s+%\S+ = alloca )(.+), align (\d+)$", line)
        if a and rng.random() < 0.5:
            n = rng.choice([2, 3, 16, 100, 1000, 20000])
            line = f"{a.group(1)}[{n} x {a.group(2)}], align {a.group(3)}"
        out.append(line)
    # A dynamic alloca in the entry block: where clang puts a VLA or alloca()
    # (after the static allocas and a first instruction), or, rarely, among
    # the leading static allocas, as other front ends and hand-written IR may.
    where = rng.random()
    if where < 0.6:
        first = next((i for i, l in enumerate(out) if l.startswith("  ") and " alloca " not in l), None)
        at = out.index("BB:") + 1 if where < 0.05 else (first + 1 if first else None)
        if at is not None:
            out[at:at] = ["  %stress.vla = alloca i8, i32 %3, align 16",
                          "  store i8 %5, ptr %stress.vla, align 1"]
    text = "\n".join(out)
    attrs = ""
    if rng.random() < 0.5:
        attrs = rng.choice(ATTRS)
        text = text.replace(m.group(0), m.group(0) + " #77", 1)
    w = []
    decls = set()
    for i in range(rng.randint(1, 4)):
        kind = rng.choice(["ret", "ret", "ret", "sret", "multi", "eh", "va", "musttail",
                           "setjmp", "recursive"])
        wattr = rng.choice(["", "", "noinline", "nounwind", "noinline optnone"])
        wa = f" {wattr}" if wattr else ""
        call = f"call void @{fn}(ptr %buf, ptr %p, ptr %buf, i32 %n, i64 7, i8 3)"
        if kind == "ret":
            t = rng.choice(RET_TYPES)
            w.append(f"""define {t} @stress_ret{i}(ptr %p, i32 %n){wa} {{
entry:
  %buf = alloca [64 x i8], align 16
  {call}
  %v = load {t}, ptr %buf, align 16
  ret {t} %v
}}""")
        elif kind == "sret":
            w.append(f"""define void @stress_sret{i}(ptr noalias sret([32 x i64]) align 8 %out, ptr %p, i32 %n){wa} {{
entry:
  %buf = alloca [16 x i8], align 16
  call void @{fn}(ptr %out, ptr %p, ptr %buf, i32 %n, i64 1, i8 1)
  ret void
}}""")
        elif kind == "multi":
            w.append(f"""define i64 @stress_multi{i}(ptr %p, i32 %n){wa} {{
entry:
  %buf = alloca [8 x i64], align 16
  %neg = icmp slt i32 %n, 0
  br i1 %neg, label %bad, label %go
bad:
  ret i64 -22
go:
  {call}
  %v = load i64, ptr %buf, align 8
  switch i64 %v, label %done [ i64 0, label %zero
                               i64 1, label %bad ]
zero:
  ret i64 -5
done:
  ret i64 %v
}}

define i32 @stress_caller{i}(ptr %p, i32 %n) {{
entry:
  %r = call i64 @stress_multi{i}(ptr %p, i32 %n)
  %c = icmp eq i64 %r, -22
  %z = zext i1 %c to i32
  ret i32 %z
}}""")
        elif kind == "eh":
            decls.add("declare i32 @__gxx_personality_v0(...)")
            w.append(f"""define i32 @stress_eh{i}(ptr %p, i32 %n){wa} personality ptr @__gxx_personality_v0 {{
entry:
  %buf = alloca [16 x i32], align 16
  invoke void @{fn}(ptr %buf, ptr %p, ptr %buf, i32 %n, i64 2, i8 2)
          to label %ok unwind label %lp
ok:
  %v = load i32, ptr %buf, align 4
  ret i32 %v
lp:
  %e = landingpad {{ ptr, i32 }} cleanup
  store i32 0, ptr %buf, align 4
  resume {{ ptr, i32 }} %e
}}""")
        elif kind == "va":
            decls.add("declare void @llvm.va_start.p0(ptr)")
            decls.add("declare void @llvm.va_end.p0(ptr)")
            w.append(f"""define i32 @stress_va{i}(ptr %p, i32 %n, ...){wa} {{
entry:
  %ap = alloca [24 x i8], align 16
  %buf = alloca [32 x i8], align 16
  call void @llvm.va_start.p0(ptr %ap)
  {call}
  call void @llvm.va_end.p0(ptr %ap)
  %v = load i32, ptr %buf, align 4
  ret i32 %v
}}""")
        elif kind == "musttail":
            w.append(f"""define void @stress_musttail{i}(ptr %0, ptr %1, ptr %2, i32 %3, i64 %4, i8 %5) {{
entry:
  %buf = alloca [8 x i8], align 1
  store i8 %5, ptr %buf, align 1
  musttail call void @{fn}(ptr %0, ptr %1, ptr %2, i32 %3, i64 %4, i8 %5)
  ret void
}}""")
        elif kind == "setjmp":
            decls.add("declare i32 @setjmp(ptr) returns_twice")
            w.append(f"""define i32 @stress_setjmp{i}(ptr %p, i32 %n){wa} {{
entry:
  %jb = alloca [25 x i64], align 16
  %buf = alloca [64 x i8], align 16
  %r = call i32 @setjmp(ptr %jb) returns_twice
  %z = icmp eq i32 %r, 0
  br i1 %z, label %first, label %again
first:
  {call}
  %v = load i32, ptr %buf, align 4
  ret i32 %v
again:
  ret i32 %r
}}""")
        else:  # recursive, with a loop holding a dynamic alloca
            decls.add("declare ptr @llvm.stacksave.p0()")
            decls.add("declare void @llvm.stackrestore.p0(ptr)")
            w.append(f"""define double @stress_rec{i}(ptr %p, i32 %n){wa} {{
entry:
  %buf = alloca [64 x i8], align 16
  %stop = icmp sle i32 %n, 0
  br i1 %stop, label %leaf, label %loop
loop:
  %k = phi i32 [ 0, %entry ], [ %k1, %loop ]
  %sp = call ptr @llvm.stacksave.p0()
  %dyn = alloca i32, i32 %k, align 4
  store i32 %k, ptr %dyn, align 4
  call void @{fn}(ptr %dyn, ptr %p, ptr %buf, i32 %n, i64 5, i8 5)
  call void @llvm.stackrestore.p0(ptr %sp)
  %k1 = add i32 %k, 1
  %more = icmp slt i32 %k1, %n
  br i1 %more, label %loop, label %down
down:
  %m = sub i32 %n, 1
  %r = call double @stress_rec{i}(ptr %p, i32 %m)
  ret double %r
leaf:
  {call}
  %v = load double, ptr %buf, align 8
  ret double %v
}}""")
    text += "\n" + "\n\n".join(w) + "\n" + "\n".join(sorted(decls)) + "\n"
    if attrs:
        text += f"\nattributes #77 = {{ {attrs} }}\n"
    return text


# ---- running ---------------------------------------------------------------------

class Runner:
    def __init__(self, args):
        self.build = os.path.abspath(args.build)
        built = os.path.join(self.build, "lib", "immune.so")
        if not os.path.exists(built):
            sys.exit(f"stress: {built} not found; build first (make build)")
        # A copy of the plugin for the whole run (kept with the results, so
        # the saved commands still work): a rebuild during a long run must
        # not show up as failures.
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.plugin = os.path.join(self.out, "immune.so")
        shutil.copyfile(built, self.plugin + ".tmp")
        os.replace(self.plugin + ".tmp", self.plugin)
        self.opt, self.llc = tool("opt"), tool("llc")
        self.stress, self.reduce_tool = tool("llvm-stress"), tool("llvm-reduce")
        self.clang, self.clangxx = tool("clang"), tool("clang++")
        self.args = args
        p = subprocess.run([self.opt, f"-load-pass-plugin={self.plugin}", "-passes=immune",
                            "-disable-output", "-"], input=b"", capture_output=True)
        if p.returncode != 0:
            sys.exit(f"stress: the plugin does not load (is it being rebuilt?): "
                     f"{p.stderr.decode(errors='replace').strip()}")
        self.lock = threading.RLock()
        self.counts = {"modules": 0, "pipelines": 0, "immune_failures": 0,
                       "llvm_failures": 0, "protected_functions": 0,
                       "relocated_buffers": 0,
                       "sources": 0, "source_compiles": 0, "source_skipped": 0}
        self.failures = []
        self.reduced = set()

    def count(self, **kw):
        with self.lock:
            for k, v in kw.items():
                self.counts[k] += v

    def run(self, cmd, timeout=120):
        """(status, stderr): status is the exit code, negative for a signal."""
        try:
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=timeout)
            return p.returncode, p.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            return "timeout", f"timed out after {timeout} s"

    def pipelines(self, module, mode, work, with_plugin=True):
        """The four steps of the docstring, as (name, argv) pairs."""
        load = [f"-load-pass-plugin={self.plugin}"] + MODES[mode] if with_plugin else []
        manifest = os.path.join(work, "manifest")
        p_ll, o2 = os.path.join(work, "p.ll"), os.path.join(work, "o2.bc")
        first = ([self.opt] + load + ["-passes=immune,verify", f"-immune-manifest={manifest}"]
                 if with_plugin else [self.opt, "-passes=verify"])
        return [
            ("opt immune", first + [module, "-S", "-o", p_ll]),
            ("llc -O0", [self.llc, "-O0", "-filetype=obj", p_ll, "-o", os.devnull]),
            ("opt -O2", [self.opt] + load + ["-passes=default<O2>", module, "-o", o2]),
            ("llc -O2", [self.llc, "-O2", "-filetype=obj", o2, "-o", os.devnull]),
        ]

    @staticmethod
    def failed(status, err):
        if status != 0:
            return True
        return bool(re.search(r"(^|\n)(error:|LLVM ERROR|PLEASE submit a bug report|Stack dump)"
                              r"|module is broken|does not dominate|Broken module", err))

    @staticmethod
    def signature(status, err):
        """One line that says how a step failed, for reports and reduction:
        a fatal error or assertion, else the verifier's (or the tool's) first
        message."""
        lines = [l.rstrip() for l in err.splitlines() if l.strip()]
        for l in lines:
            if re.match(r"(LLVM ERROR|Assertion|.*Assertion `)", l) and "Broken module" not in l:
                return l[:200]
        for l in lines:
            if not l.startswith((" ", "#", "PLEASE", "Stack dump", "LLVM ERROR")) \
                    and not re.match(r"\d+\.\s", l) and "warning:" not in l:
                return l[:200]
        if status == "timeout":
            return "timeout"
        if isinstance(status, int) and status < 0:
            return f"killed by signal {-status}"
        return f"exit status {status}"

    def check_module(self, module, mode, work, label):
        """Runs the pipelines; returns None or a failure record."""
        steps = self.pipelines(module, mode, work)
        for i, (name, cmd) in enumerate(steps):
            status, err = self.run(cmd)
            self.count(pipelines=1)
            if i == 0 and status == 0:
                self.inspect(work)
            if self.failed(status, err):
                base = self.pipelines(module, mode, work + "-base", with_plugin=False)
                os.makedirs(work + "-base", exist_ok=True)
                llvm_own = any(self.failed(*self.run(c)) for _, c in base[:i + 1])
                return {"label": label, "mode": mode, "step": name, "status": status,
                        "signature": self.signature(status, err), "stderr": err[-4000:],
                        "command": cmd, "llvm_own": llvm_own, "module": module}
        return None

    def inspect(self, work):
        """Protected functions and relocated buffers (for the summary); the
        manifest must be valid JSON."""
        try:
            with open(os.path.join(work, "p.ll")) as f:
                ir = f.read()
            self.count(protected_functions=len(re.findall(r"call i32 @llvm.eh.sjlj.setjmp", ir)),
                       relocated_buffers=len(re.findall(r"call ptr @__immune_slot_alloc", ir)))
            mdir = os.path.join(work, "manifest")
            for name in os.listdir(mdir) if os.path.isdir(mdir) else []:
                with open(os.path.join(mdir, name)) as f:
                    m = json.load(f)
                if not isinstance(m, dict) or m.get("immune_manifest") != 1:
                    raise ValueError("not an Immune manifest")
        except (OSError, ValueError) as e:
            with self.lock:
                self.failures.append({"label": work, "mode": "-", "step": "manifest",
                                      "signature": f"invalid manifest: {e}", "llvm_own": False})

    def record(self, fail, keep_dir):
        """Keeps a failing module (and what happened) under OUT/failures/."""
        with self.lock:
            self.failures.append(fail)
            self.count(**{"llvm_failures" if fail["llvm_own"] else "immune_failures": 1})
        dest = os.path.join(self.out, "failures", f"{fail['label']}-{fail['mode']}")
        os.makedirs(dest, exist_ok=True)
        if fail.get("module") and os.path.exists(fail["module"]):
            shutil.copy(fail["module"], os.path.join(dest, os.path.basename(fail["module"])))
        with open(os.path.join(dest, "failure.json"), "w") as f:
            json.dump(fail, f, indent=2, default=str)
        fail["saved"] = dest
        who = "LLVM itself (fails without the plugin too)" if fail["llvm_own"] else "IMMUNE"
        print(f"stress: FAIL [{who}] {fail['label']} {fail['mode']}: {fail['step']}: "
              f"{fail['signature']} (saved in {dest})", flush=True)

    def one_seed(self, seed, tmp):
        rng = random.Random(seed)
        work = os.path.join(tmp, f"seed{seed}")
        os.makedirs(work, exist_ok=True)
        module = os.path.join(work, f"stress-{seed}.ll")
        size = rng.choice([10, 30, 60, 100, 200, 400])
        status, err = self.run([self.stress, f"-seed={seed}", f"-size={size}", "-o", module])
        if status != 0:
            return
        with open(module) as f:
            text = f.read()
        with open(module, "w") as f:
            f.write(mutate(text, rng))
        self.count(modules=1)
        for mode in MODES:
            mwork = os.path.join(work, mode)
            os.makedirs(mwork, exist_ok=True)
            fail = self.check_module(module, mode, mwork, f"seed{seed}")
            if fail:
                # llvm-stress itself may emit IR that LLVM cannot compile; the
                # mutation may be at fault too: neither is the pass's failure.
                self.record(fail, work)
                # One reduction per kind of failure: the same signature at the
                # same step is almost always the same bug.
                key = (fail["mode"], fail["step"], fail["signature"])
                with self.lock:
                    first = key not in self.reduced
                    self.reduced.add(key)
                if not fail["llvm_own"] and self.args.reduce and first:
                    self.reduce(fail)
        shutil.rmtree(work, ignore_errors=True)

    # ---- real sources ----------------------------------------------------------
    def sources(self):
        files = sorted(os.path.join(SRC, "tests", "lit", f)
                       for f in os.listdir(os.path.join(SRC, "tests", "lit"))
                       if f.endswith((".c", ".cpp")))
        if self.args.e2e_sources:
            cases = os.path.join(SRC, "tests", "e2e", "cases")
            files += sorted(os.path.join(cases, f) for f in os.listdir(cases)
                            if f.endswith((".c", ".cpp")))
        return files

    def source_flags(self, path):
        """Flags the file's own RUN or E2E-CFLAGS lines ask for that matter to
        the compiler (-std=..., exceptions, ...); Immune's own are left out."""
        with open(path, errors="replace") as f:
            text = f.read()
        flags = []
        for tok in re.findall(r"(?<!\S)(-std=\S+|-fexceptions|-fcxx-exceptions|-fno-exceptions|-D\S+|-f(?:no-)?stack-protector\S*)", text):
            if tok not in flags:
                flags.append(tok)
        return flags

    def one_source(self, path, tmp):
        self.count(sources=1)
        cxx = path.endswith(".cpp")
        cc = [self.clangxx if cxx else self.clang]
        base = cc + ["-c", "-w", "-I", os.path.join(SRC, "include"), "-I", os.path.dirname(path),
                     "-fverify-intermediate-code"] + self.source_flags(path)
        if cxx:
            base += ["-fexceptions", "-fcxx-exceptions"]
        obj = os.path.join(tmp, os.path.basename(path) + ".o")
        # Only what compiles without the plugin counts.
        if self.failed(*self.run(base + ["-O0", path, "-o", obj])):
            self.count(source_skipped=1)
            return
        plugin = [f"-fpass-plugin={self.plugin}", "-Xclang", "-load", "-Xclang", self.plugin]
        configs = ([("-O0", []), ("-O0", ["-g"]), ("-O2", []), ("-O2", ["-g"])]
                   if self.args.all_configs else [("-O0", []), ("-O2", ["-g"])])
        for mode, opts in MODES.items():
            for level, g in configs:
                mllvm = [x for o in opts for x in ("-mllvm", o)]
                cmd = base + plugin + mllvm + [level] + g + [path, "-o", obj]
                status, err = self.run(cmd)
                self.count(source_compiles=1)
                if self.failed(status, err):
                    label = os.path.relpath(path, SRC).replace("/", "_") + level + ("-g" if g else "")
                    self.record({"label": label, "mode": mode, "step": "clang " + level,
                                 "status": status, "signature": self.signature(status, err),
                                 "stderr": err[-4000:], "command": cmd, "llvm_own": False,
                                 "module": path}, tmp)

    # ---- reduction -------------------------------------------------------------
    def reduce(self, fail):
        """Cuts the module down with llvm-reduce to what still fails the same
        way (and still passes without the plugin), and writes a lit test."""
        dest = fail["saved"]
        module = os.path.join(dest, os.path.basename(fail["module"]))
        test = os.path.join(dest, "interesting.sh")
        sig = fail["signature"]
        step_names = [n for n, _ in self.pipelines("IN", fail["mode"], "W")]
        upto = step_names.index(fail["step"]) + 1
        def sh(cmd):  # $1 and $w must stay expandable
            return " ".join(f'"{a}"' if "$" in a else shlex.quote(a) for a in cmd)
        crash = isinstance(fail["status"], int) and (fail["status"] < 0 or fail["status"] >= 128)
        with open(test, "w") as f:
            f.write("#!/bin/bash\n# llvm-reduce interestingness test: $1 is a candidate module.\n"
                    "# Interesting: the same pipeline without the plugin passes, and with it\n"
                    f"# step '{fail['step']}' still fails the same way ({sig}).\n")
            f.write('w=$(mktemp -d) && trap \'rm -rf "$w"\' EXIT\nmkdir -p "$w/base" "$w/p"\n')
            for _, c in self.pipelines("$1", fail["mode"], "$w/base", with_plugin=False)[:upto]:
                f.write(sh(c) + " 2>/dev/null || exit 1\n")
            cmds = [c for _, c in self.pipelines("$1", fail["mode"], "$w/p")[:upto]]
            for c in cmds[:-1]:
                f.write(sh(c) + " 2>/dev/null || exit 1\n")
            f.write(sh(cmds[-1]) + ' 2>"$w/err"; st=$?\n')
            if crash:
                f.write('[ "$st" -ge 128 ] || exit 1\n')
            else:
                f.write('[ "$st" != 0 ] || grep -qE "error|broken|Broken" "$w/err" || exit 1\n')
            f.write(f"grep -qF -- {shlex.quote(sig)} \"$w/err\"\n")
        os.chmod(test, 0o755)
        reduced = os.path.join(dest, "reduced.ll")
        status, err = self.run([self.reduce_tool, f"--test={test}", module, "-o", reduced], timeout=900)
        if status != 0 or not os.path.exists(reduced):
            print(f"stress: llvm-reduce failed on {module}: {err[-500:]}", flush=True)
            return
        os.makedirs(os.path.join(self.out, "reduced"), exist_ok=True)
        name = f"stress-{fail['label']}-{fail['mode']}.ll"
        opts = " ".join(MODES[fail["mode"]])
        runs = {
            "opt immune": f"; RUN: %opt_immune {opts} -S %s -o /dev/null",
            "llc -O0": f"; RUN: %opt_immune {opts} -S %s -o %t.ll\n; RUN: llc -O0 -filetype=obj %t.ll -o /dev/null",
            "opt -O2": f"; RUN: opt -load-pass-plugin=%immune_plugin {opts} -passes='default<O2>' %s -o /dev/null",
            "llc -O2": f"; RUN: opt -load-pass-plugin=%immune_plugin {opts} -passes='default<O2>' %s -o %t.bc\n; RUN: llc -O2 -filetype=obj %t.bc -o /dev/null",
        }
        with open(reduced) as f:
            body = f.read()
        with open(os.path.join(self.out, "reduced", name), "w") as f:
            f.write(f"; Found by tests/stress/stress.py ({fail['label']}, {fail['mode']} mode), "
                    f"reduced by llvm-reduce.\n; It failed at '{fail['step']}': {sig}\n"
                    f"; The pass must accept it and leave a valid module.\n{runs[fail['step']]}\n\n{body}")
        print(f"stress: reduced to {reduced}; lit test {self.out}/reduced/{name}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("--count", type=int, default=300, help="random modules (default %(default)s)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seconds", type=float, default=0,
                    help="stop starting new modules after this long (0: no limit)")
    ap.add_argument("--sources", action="store_true", help="also every tests/lit input")
    ap.add_argument("--e2e-sources", action="store_true", help="also every tests/e2e case")
    ap.add_argument("--all-configs", action="store_true",
                    help="sources at -O0 and -O2, each with and without -g (default: -O0, -O2 -g)")
    ap.add_argument("--reduce", action="store_true", help="reduce failing modules to lit tests")
    ap.add_argument("--out", default=None, help="failures and summary (default BUILD/tests/stress)")
    args = ap.parse_args()
    args.out = args.out or os.path.join(args.build, "tests", "stress")
    args.sources = args.sources or args.e2e_sources
    r = Runner(args)
    os.makedirs(r.out, exist_ok=True)
    t0 = time.monotonic()
    stopped_early = False
    with tempfile.TemporaryDirectory(prefix="immune-stress.") as tmp:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futs = []
            if args.sources:
                futs += [pool.submit(r.one_source, s, tmp) for s in r.sources()]
            seeds = iter(range(args.first_seed, args.first_seed + args.count))
            # Submit a few at a time, so --seconds can stop the run.
            pending = set(futs)
            for seed in seeds:
                if args.seconds and time.monotonic() - t0 > args.seconds:
                    stopped_early = True
                    break
                pending.add(pool.submit(r.one_seed, seed, tmp))
                if len(pending) >= 2 * args.jobs:
                    done, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for d in done:
                        d.result()
            for d in concurrent.futures.as_completed(pending):
                d.result()
    secs = time.monotonic() - t0
    c = r.counts
    summary = dict(c, seconds=round(secs, 1), first_seed=args.first_seed,
                   modes=list(MODES), stopped_early=stopped_early,
                   failures=[{k: f.get(k) for k in ("label", "mode", "step", "signature",
                                                     "llvm_own", "saved")}
                             for f in r.failures])
    with open(os.path.join(r.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    src = (f", {c['sources']} sources in {c['source_compiles']} compilations"
           f" ({c['source_skipped']} not compilable on their own)") if args.sources else ""
    kinds = {}
    for f in r.failures:
        k = (f.get("mode"), f.get("step"), f.get("signature"), bool(f.get("llvm_own")))
        kinds[k] = kinds.get(k, 0) + 1
    for (mode, step, sig, llvm_own), n in sorted(kinds.items(), key=str):
        print(f"stress: {n} x [{'LLVM' if llvm_own else 'Immune'}] {mode} mode, {step}: {sig}")
    print(f"stress: {c['modules']} random modules (seeds {args.first_seed}.."
          f"{args.first_seed + c['modules'] - 1}) x {len(MODES)} modes, {c['pipelines']} "
          f"pipeline steps{src}, {secs:.0f} s; {c['protected_functions']} functions protected, "
          f"{c['relocated_buffers']} buffers relocated; "
          f"failures: {c['immune_failures']} Immune, {c['llvm_failures']} LLVM's own"
          + (" (time limit reached)" if stopped_early else ""))
    return 1 if c["immune_failures"] or any(f.get("step") == "manifest" for f in r.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
