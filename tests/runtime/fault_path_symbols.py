#!/usr/bin/env python3
"""The fault-path rule, checked: the runtime's files that run inside the
signal handler (or in code that has just found the program's state broken)
must not call the allocator, stdio, pthread locks, the dynamic loader or
any name the runtime itself interposes (its own I/O goes through raw
system calls, runtime/raw_io.h). `nm -u` of each such object must name
none of them, except what ALLOWED lists with the reason it is not reached
from the fault path.

    fault_path_symbols.py EXPORTS_TXT OBJECT...   (the runtime's objects)
"""
import os
import subprocess
import sys

# The files whose code the fault path runs.
FAULT_PATH = {"fault_handler.c", "abort.c", "tx_stack.c", "context.c", "resume.S",
              "event_log.c", "backtrace.c", "safe_format.c", "guard_pool.c",
              "guard_heap.c", "canary.c", "libc_guard.c", "symbols.c", "site_registry.c", "watchdog.c"}

FORBIDDEN = {
    # the allocator
    "malloc", "calloc", "realloc", "reallocarray", "free", "posix_memalign", "memalign",
    "aligned_alloc", "valloc", "pvalloc", "strdup", "strndup",
    # stdio
    "printf", "fprintf", "sprintf", "snprintf", "vprintf", "vfprintf", "vsnprintf",
    "puts", "fputs", "fputc", "putchar", "fwrite", "fopen", "fdopen", "fclose", "fflush",
    "perror", "setvbuf",
    # locks
    "pthread_mutex_lock", "pthread_mutex_trylock", "pthread_mutex_unlock",
    "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "pthread_rwlock_unlock",
    "pthread_spin_lock",
    # the dynamic loader
    "dlopen", "dlclose", "dlsym", "dlvsym", "dladdr", "dladdr1", "dl_iterate_phdr",
    # C++ exceptions
    "__cxa_throw", "_Unwind_RaiseException",
}

# file -> {symbol: why it is not reached from the fault path}
ALLOWED = {
    "tx_stack.c": {},
    "guard_pool.c": {},
    "libc_guard.c": {
        "dl_iterate_phdr": "start-up: the allocator's address ranges are found once (init)",
        "dladdr1": "start-up, as above",
        "dlsym": "start-up, as above",
    },
    "symbols.c": {
        "dladdr": "names a frame inside the handler when a JSON record is written: glibc's "
                  "dladdr takes the loader's lock, so a fault inside the dynamic loader "
                  "while it holds the lock would hang that record (known limit, "
                  "docs/reliability.md)",
    },
    "watchdog.c": {},
}


def interposed(exports_txt):
    names = set()
    with open(exports_txt) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and not line.startswith(("immune_", "__immune_")):
                names.add(line)
    return names


def undefined(obj):
    out = subprocess.run(["nm", "-u", obj], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bad = FORBIDDEN | interposed(argv[1])
    seen, failures = set(), []
    for obj in argv[2:]:
        src = os.path.basename(obj)
        for suffix in (".o", ".obj"):
            if src.endswith(suffix):
                src = src[: -len(suffix)]
        if src not in FAULT_PATH:
            continue
        seen.add(src)
        allowed = ALLOWED.get(src, {})
        for sym in sorted(undefined(obj)):
            if sym in bad and sym not in allowed:
                failures.append(f"{src}: references {sym}")
    for src in sorted(FAULT_PATH - seen):
        failures.append(f"{src}: no object given (renamed? update FAULT_PATH)")
    for f in failures:
        print("FAIL:", f)
    print(f"checked {len(seen)} fault-path objects against {len(bad)} names: "
          f"{'ok' if not failures else str(len(failures)) + ' violation(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
