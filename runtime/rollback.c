/* Rollback of an aborted transaction's effects beyond its own frame: heap
 * blocks it allocated, blocks it freed, locks it took, descriptors it
 * opened. This file is the policy: each thread's log (made on its first
 * logged operation), which of its segments a transaction that ends owns,
 * and whether they are undone or handed on; the ABI's commit and rollback
 * entry points; start-up. The log as a data structure is rollback_log.c,
 * its messages rollback_report.c; the interceptors that fill it, and what
 * an entry of theirs means (their struct rlog_ops), are rollback_heap.c,
 * rollback_locks.c and rollback_fds.c. Design and limits: docs/rollback.md.
 *
 * Everything here runs in ordinary context: interceptors, the commit the
 * pass places before every pop, and the abort path after the fault handler
 * resumed the checkpoint. Other threads may hold any lock meanwhile, so
 * nothing here takes one: the log is per thread, and what other threads can
 * touch (a block's header, a descriptor's token) is changed atomically. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "options.h"
#include "rollback.h"
#include "rollback_report.h"
#include "thread.h"

IMMUNE_TLS struct rlog_thread *immune_rlog_self;
/* mmap failed once in this thread: do not try on every call. */
static IMMUNE_TLS int self_unavailable;

unsigned immune_rollback_kinds;
static uint32_t log_cap, seg_cap;
/* What each log's entries mean, registered at start-up (immune_rlog_register). */
static const struct rlog_ops *kind_ops[RLOG_NLOGS];

/* Text of libc, the dynamic loader and the runtime (immune_system_caller). */
static struct {
  uintptr_t lo, hi;
} system_text[3];
static unsigned nsystem_text;

static _Atomic uint64_t stat_rollbacks, stat_incomplete;

/* A record above another on the thread's transaction stack belongs to a
 * call made inside it: the stack grows upward, one record per nesting level,
 * and every record a thread's log names is on that thread's stack
 * (tx_stack.c). */
static int nested_in(const struct __immune_tx *inner, const struct __immune_tx *outer) {
  return inner && (uintptr_t)inner > (uintptr_t)outer;
}

/* __immune_thread.rollback_pending, which the pass compares at every commit with
 * the address of the transaction's own record (abi.h): the record of the
 * transaction that owns the newest segment of the log, 0 when the log is
 * empty. A segment is only ever made for the innermost live transaction and
 * stays on top until it commits or aborts, so a call whose record is not
 * the owner has nothing of its own in the log and skips
 * __immune_tx_commit: a lock and its unlock, a block and its free, leave the
 * caller's segment on top again. (With "not zero" as the test, every
 * protected call made inside a transaction that holds entries — a server's
 * main loop under protect-all never ends — went through the runtime.) */
static void sync_pending(const struct rlog_thread *t) {
  __immune_thread.rollback_pending = t->nsegs ? (uint64_t)(uintptr_t)t->segs[t->nsegs - 1].tx : 0;
}

/* ---- per-thread state --------------------------------------------------- */

/* Thread exit: whatever is still logged was committed by a way out the pass
 * did not see (pthread_exit inside a transaction); it takes effect. */
static void thread_exit(void *p) {
  struct rlog_thread *t = p;
  if (!t || immune_rlog_self != t) return;
  t->busy = 1;
  immune_rlog_take_effect_all(t);
  immune_rlog_self = NULL;
  __immune_thread.rollback_pending = 0;
  munmap(t, t->map_size);
}

/* Made busy: the caller is inside an interceptor. MAP_NORESERVE and lazily
 * touched: a thread that logs little costs a few pages. */
static struct rlog_thread *thread_create(void) {
  if (self_unavailable || !log_cap) return NULL;
  size_t size = immune_rlog_bytes(log_cap, seg_cap);
  void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    self_unavailable = 1;
    return NULL;
  }
  struct rlog_thread *t = immune_rlog_init(m, log_cap, seg_cap, kind_ops);
  t->map_size = size;
  t->busy = 1;
  immune_rlog_self = t;
  /* After immune_rlog_self is set (busy): should setspecific allocate, that
   * allocation goes straight through. */
  immune_thread_attach(IMMUNE_PART_ROLLBACK, t, thread_exit);
  return t;
}

struct rlog_thread *immune_rlog_enter(enum rlog_id id) {
  if (!(__atomic_load_n(&immune_rollback_kinds, __ATOMIC_ACQUIRE) & (1u << id))) return NULL;
  struct rlog_thread *t = immune_rlog_self;
  if (!t) return thread_create();
  if (t->busy) return NULL;
  t->busy = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  return t;
}

void immune_rlog_register(enum rlog_id id, const struct rlog_ops *ops) { kind_ops[id] = ops; }

void immune_rlog_leave(struct rlog_thread *t) {
  sync_pending(t);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}

/* ---- commit and rollback ------------------------------------------------------ */

/* tx ends: committed (aborting = 0) or aborted. Its part of the log is its
 * own segments and the segments of transactions nested in it that ended
 * without a commit the runtime saw (a non-local exit nobody intercepted):
 * those are newer in the log, or older but above it on the transaction
 * stack. An abort undoes that part; a commit hands it to the next outer
 * live transaction, or makes it take effect when there is none. Segments of other dead transactions (not
 * provably inside tx) are handed on in both cases: undoing them could free
 * what their callers kept. */
static int settle(struct rlog_thread *t, struct __immune_tx *tx, int aborting) {
  int incomplete = 0;
  struct __immune_tx *target = tx->prev;
  /* The common commit with nothing of tx's: the newest segment is its
   * caller's (tx popped or dropped what it logged, or only changed the
   * caller's entries). What the general case below would conclude too. */
  if (!aborting && target && t->nsegs && t->segs[t->nsegs - 1].tx == target) return 0;
  uint32_t n = t->nsegs, j = n, own = n;
  while (j > 0) {
    struct __immune_tx *s = t->segs[j - 1].tx;
    /* tx itself is never in its caller's chain: no walk for its own. */
    if (s != tx && (!s || immune_tx_in_chain(s, target))) break;
    --j;
    if (s == tx) own = j;
  }
  uint32_t k = own;
  while (k > j && nested_in(t->segs[k - 1].tx, tx)) --k;
  if (aborting) {
    atomic_fetch_add_explicit(&stat_rollbacks, 1, memory_order_relaxed);
    if (k < n) {
      uint32_t flags = 0, lost = 0;
      for (uint32_t i = k; i < n; ++i) {
        flags |= t->segs[i].flags;
        lost += t->segs[i].lost;
      }
      uint32_t undone[RLOG_UNDID_KINDS] = {0};
      immune_rlog_undo_from(t, k, undone);
      if (flags & RLOG_SEG_OVERFLOW) {
        immune_rollback_report_incomplete(
            tx, 1, lost, " operation(s) were not logged (rollback log full) and stay done");
        incomplete = 1;
      }
      immune_rollback_report_undone(tx, undone);
    }
  }
  if (target && aborting)
    immune_rlog_merge(t, j, target);
  else if (target)
    immune_rlog_commit_into(t, j, target);
  else
    immune_rlog_take_effect_all(t);
  return incomplete;
}

/* A call returns (or aborts and returns its error value) with errno as its
 * code left it: freeing, closing and unlocking must not change that. */
static void end_transaction(struct __immune_tx *tx, int aborting) {
  int incomplete = 0;
  if (aborting && tx->site && (tx->site->flags & IMMUNE_SITE_UNDO)) {
    /* Memory first: the stores may be into blocks the heap rollback is
     * about to free. */
    uint64_t lost;
    uint64_t undone = immune_undo_memory(tx, (uintptr_t)__builtin_frame_address(0), &lost);
    if (lost)
      immune_rollback_report_incomplete(tx, 1, lost,
                                        " store(s) could not be put back (memory undo log full, "
                                        "IMMUNE_OPTIONS=undo_log_max_mb, or near memory it "
                                        "handed back to malloc) and stay done");
    incomplete = lost != 0;
    if (undone && immune_opts.verbosity >= 2) immune_rollback_report_memory(tx, undone);
  }
  struct rlog_thread *t = immune_rlog_self;
  if (t && !t->busy) {
    int saved = errno;
    t->busy = 1;
    incomplete |= settle(t, tx, aborting);
    immune_rlog_leave(t);
    errno = saved;
  }
  if (incomplete) atomic_fetch_add_explicit(&stat_incomplete, 1, memory_order_relaxed);
}

/* preserve_most: see RuntimeInterface.cpp (the pass calls it so). */
IMMUNE_EXPORT __attribute__((preserve_most)) void __immune_tx_commit(struct __immune_tx *tx) {
  end_transaction(tx, 0);
}

/* The abort path's first call (abi.h): the record of the transaction just
 * aborted is the one the abort popped: the next one (abi.h). */
IMMUNE_EXPORT void *__immune_tx_rollback(void) {
  struct __immune_tx *tx = IMMUNE_TX_NEXT(&__immune_thread);
  end_transaction(tx, 1);
  return tx->aux;
}

/* longjmp and friends dropped the records of the transactions they jumped
 * out of: what those logged is committed to the transaction the jump lands
 * in (or to none: it takes effect at this thread's next commit or
 * rollback — the jump may come from a signal handler, where freeing is not
 * safe). */
void immune_rollback_after_jump(void) {
  immune_undo_after_jump();
  struct rlog_thread *t = immune_rlog_self;
  if (!t || t->busy || !t->nsegs) return;
  t->busy = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  struct __immune_tx *top = __immune_thread.tx_top;
  uint32_t j = t->nsegs;
  while (j > 0 && t->segs[j - 1].tx && !immune_tx_in_chain(t->segs[j - 1].tx, top)) --j;
  immune_rlog_merge(t, j, top);
  immune_rlog_leave(t);
}

/* A transaction starts a thread: what it allocated so far may be the new
 * thread's (its argument, std::thread's state), so an abort must keep it. */
void immune_rollback_thread_created(void) {
  struct rlog_thread *t = immune_rlog_self;
  if (!__immune_thread.tx_top || !t || t->busy) return;
  t->busy = 1;
  immune_heap_rollback_escape(t);
  immune_rlog_leave(t);
}

/* ---- start-up ------------------------------------------------------------------- */

struct text_probe {
  uintptr_t probe, lo, hi;
};

static int find_text(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct text_probe *p = data;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    if (p->probe >= lo && p->probe < hi) {
      p->lo = lo;
      p->hi = hi;
      return 1;
    }
  }
  return 0;
}

static void add_system_text(const void *probe) {
  if (!probe || nsystem_text == sizeof system_text / sizeof system_text[0]) return;
  struct text_probe p = {(uintptr_t)probe, 0, 0};
  if (!dl_iterate_phdr(find_text, &p)) return;
  system_text[nsystem_text].lo = p.lo;
  system_text[nsystem_text].hi = p.hi;
  ++nsystem_text;
}

int immune_runtime_owns(const void *f) {
  return (const char *)f >= __start_immune_rt_text && (const char *)f < __stop_immune_rt_text;
}

int immune_system_caller(uintptr_t ret) {
  for (unsigned i = 0; i < nsystem_text; ++i)
    if (ret - system_text[i].lo < system_text[i].hi - system_text[i].lo) return 1;
  return 0;
}

extern void *__libc_malloc(size_t);

static void report_incomplete_at_exit(void) {
  immune_rollback_report_incomplete_total(atomic_load(&stat_incomplete));
}

static unsigned parse_kinds(const char *list) {
  static const char *const names[RLOG_NLOGS] = {"heap", "locks", "fds"};
  unsigned mask = 0;
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    int known = 0;
    for (int id = 0; id < RLOG_NLOGS; ++id)
      if (len == strlen(names[id]) && !strncmp(p, names[id], len)) {
        mask |= 1u << id;
        known = 1;
      }
    if (len == 6 && !strncmp(p, "memory", 6)) {
      mask |= IMMUNE_ROLLBACK_MEMORY;
      known = 1;
    }
    if (!known && len) {
      char line[256];
      struct immune_buf b = {line, 0, sizeof line};
      immune_buf_str(&b, "immune: IMMUNE_OPTIONS: unknown rollback kind '");
      for (size_t i = 0; i < len && i < 64; ++i) {
        char c[2] = {p[i], 0};
        immune_buf_str(&b, c);
      }
      immune_buf_str(&b, "' ignored (expected heap, locks, fds, memory)\n");
      immune_write_all(2, b.data, b.len);
    }
    p = end ? end + 1 : NULL;
  }
  return mask;
}

void immune_rollback_init(void) {
  static int done;
  if (done) return;
  done = 1;
  long max = immune_opts.rollback_log_max;
  if (max < 16) max = 16;
  if (max > (1l << 22)) max = 1l << 22;
  log_cap = (uint32_t)max;
  seg_cap = RLOG_NLOGS * log_cap + 64 < 65536 ? RLOG_NLOGS * log_cap + 64 : 65536;
  add_system_text((const void *)__libc_malloc);
  add_system_text(dlsym(RTLD_DEFAULT, "__tls_get_addr")); /* the dynamic loader */
  if (__start_immune_rt_text && __stop_immune_rt_text > __start_immune_rt_text) {
    system_text[nsystem_text].lo = (uintptr_t)__start_immune_rt_text;
    system_text[nsystem_text].hi = (uintptr_t)__stop_immune_rt_text;
    ++nsystem_text;
  }
  unsigned mask = parse_kinds(immune_opts.rollback);
  /* A kind whose interceptors the program replaced with its own (they are
   * weak) would be logged half: off. */
  static const char *const names[RLOG_NLOGS] = {"malloc", "pthread_mutex_lock", "close"};
  int in_effect[RLOG_NLOGS] = {immune_heap_rollback_init(), immune_locks_rollback_init(), immune_fds_rollback_init()};
  for (int id = 0; id < RLOG_NLOGS; ++id) {
    if (in_effect[id] || !(mask & (1u << id))) continue;
    mask &= ~(1u << id);
    if (immune_opts.verbosity >= 2) {
      char line[160];
      struct immune_buf b = {line, 0, sizeof line};
      immune_buf_str(&b, "immune: rollback: the program has its own ");
      immune_buf_str(&b, names[id]);
      immune_buf_str(&b, "; that kind is not rolled back\n");
      immune_write_all(2, b.data, b.len);
    }
  }
  if (immune_opts.mode != IMMUNE_MODE_PROTECT) mask = 0;
  if (mask && immune_opts.verbosity >= 1) atexit(report_incomplete_at_exit);
  /* Last: interceptors start logging once everything above is in place. */
  __atomic_store_n(&immune_rollback_kinds, mask, __ATOMIC_RELEASE);
}

void immune_rollback_stats_get(uint64_t *rollbacks, uint64_t *incomplete) {
  *rollbacks = atomic_load(&stat_rollbacks);
  *incomplete = atomic_load(&stat_incomplete);
}
