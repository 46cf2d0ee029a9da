/* Rollback of an aborted transaction's effects beyond its own frame: heap
 * blocks it allocated, blocks it freed, locks it took, descriptors it
 * opened. This file is the log itself and what happens to it at a commit
 * and at an abort; the interceptors that fill it are rollback_heap.c,
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
#include "thread.h"

IMMUNE_TLS struct rb_thread *immune_rb_self;
/* mmap failed once in this thread: do not try on every call. */
static IMMUNE_TLS int self_unavailable;

unsigned immune_rb_enabled;
static uint32_t log_cap, seg_cap;

/* Text of libc, the dynamic loader and the runtime (immune_rb_system_caller). */
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
static void sync_pending(const struct rb_thread *t) {
  __immune_thread.rollback_pending = t->nsegs ? (uint64_t)(uintptr_t)t->segs[t->nsegs - 1].tx : 0;
}

/* ---- per-thread state --------------------------------------------------- */

static void take_effect_all(struct rb_thread *t);

/* Thread exit: whatever is still logged was committed by a way out the pass
 * did not see (pthread_exit inside a transaction); it takes effect. */
static void thread_exit(void *p) {
  struct rb_thread *t = p;
  if (!t || immune_rb_self != t) return;
  t->busy = 1;
  take_effect_all(t);
  immune_rb_self = NULL;
  __immune_thread.rollback_pending = 0;
  munmap(t, t->map_size);
}

static size_t page_round(size_t n) { return (n + 4095) & ~(size_t)4095; }

/* Made busy: the caller is inside an interceptor. MAP_NORESERVE and lazily
 * touched: a thread that logs little costs a few pages. */
static struct rb_thread *thread_create(void) {
  if (self_unavailable || !log_cap) return NULL;
  size_t head = page_round(sizeof(struct rb_thread));
  size_t logs = page_round((size_t)RB_NLOGS * log_cap * sizeof(struct rb_entry));
  size_t size = head + logs + page_round((size_t)seg_cap * sizeof(struct rb_segment));
  void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    self_unavailable = 1;
    return NULL;
  }
  struct rb_thread *t = m;
  t->map_size = size;
  t->busy = 1;
  for (int id = 0; id < RB_NLOGS; ++id) {
    t->log[id].e = (struct rb_entry *)((char *)m + head) + (size_t)id * log_cap;
    t->log[id].cap = log_cap;
  }
  t->segs = (struct rb_segment *)((char *)m + head + logs);
  t->seg_cap = seg_cap;
  immune_rb_self = t;
  /* After immune_rb_self is set (busy): should setspecific allocate, that
   * allocation goes straight through. */
  immune_thread_attach(IMMUNE_PART_ROLLBACK, t, thread_exit);
  return t;
}

struct rb_thread *immune_rb_enter(enum rb_log_id id) {
  if (!(__atomic_load_n(&immune_rb_enabled, __ATOMIC_ACQUIRE) & (1u << id))) return NULL;
  struct rb_thread *t = immune_rb_self;
  if (!t) return thread_create();
  if (t->busy) return NULL;
  t->busy = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  return t;
}

void immune_rb_leave(struct rb_thread *t) {
  sync_pending(t);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}

/* ---- segments ------------------------------------------------------------ */

static struct rb_segment *top_segment(struct rb_thread *t) {
  return t->nsegs ? &t->segs[t->nsegs - 1] : NULL;
}

/* The innermost live transaction's segment, made on its first entry. */
static struct rb_segment *current_segment(struct rb_thread *t) {
  struct __immune_tx *cur = __immune_thread.tx_top;
  struct rb_segment *s = top_segment(t);
  if (s && s->tx == cur) return s;
  if (t->nsegs == t->seg_cap) return NULL;
  s = &t->segs[t->nsegs];
  s->tx = cur;
  for (int id = 0; id < RB_NLOGS; ++id) s->start[id] = t->log[id].n;
  s->flags = s->lost = 0;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  ++t->nsegs;
  return s;
}

/* Drops empty, unmarked segments from the top. */
static void trim_top(struct rb_thread *t) {
  while (t->nsegs) {
    struct rb_segment *s = &t->segs[t->nsegs - 1];
    if (s->flags) return;
    for (int id = 0; id < RB_NLOGS; ++id)
      if (s->start[id] != t->log[id].n) return;
    --t->nsegs;
  }
}

/* Segments j.. become one segment of `target` (merged into the one below if
 * that is target's already). Their entries are target's from now on. */
static void merge_into(struct rb_thread *t, uint32_t j, struct __immune_tx *target) {
  if (j >= t->nsegs) return;
  uint32_t flags = 0, lost = 0, start[RB_NLOGS];
  memcpy(start, t->segs[j].start, sizeof start);
  for (uint32_t i = j; i < t->nsegs; ++i) {
    flags |= t->segs[i].flags & RB_SEG_OVERFLOW;
    lost += t->segs[i].lost;
  }
  t->nsegs = j;
  struct rb_segment *below = top_segment(t);
  if (below && below->tx == target) {
    below->flags |= flags;
    below->lost += lost;
  } else {
    struct rb_segment *s = &t->segs[t->nsegs++];
    s->tx = target;
    memcpy(s->start, start, sizeof start);
    s->flags = flags;
    s->lost = lost;
  }
  trim_top(t);
}

/* ---- reports ------------------------------------------------------------- */

static const char *function_of(const struct __immune_tx *tx) {
  return tx && tx->site && tx->site->function ? tx->site->function : "?";
}

/* Once per segment, one line: "rollback log full (N entries)" and parts
 * (NULL-terminated). At verbosity 2: a transaction that fills the log
 * (a protect-all main loop) usually commits, and one that aborts says so
 * at verbosity 1 ("rollback incomplete"); a command-line tool's stderr
 * stays its own (jq under protect-all printed it on every run). */
static void warn_once(struct rb_segment *s, const char *const *parts) {
  if (!s || (s->flags & RB_SEG_WARNED)) return;
  s->flags |= RB_SEG_WARNED;
  if (immune_opts.verbosity < 2) return;
  int saved = errno;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rollback log full (");
  immune_buf_udec(&b, log_cap);
  immune_buf_str(&b, " entries)");
  for (; *parts; ++parts) immune_buf_str(&b, *parts);
  if (b.len + 1 >= b.cap) b.len = b.cap - 2;
  immune_buf_str(&b, "\n");
  immune_write_all(2, b.data, b.len);
  errno = saved;
}

static void warn_full(struct rb_segment *s, const struct __immune_tx *tx) {
  const char *parts[] = {" in ", function_of(tx),
                         ": its further allocations, frees, locks and descriptors are not "
                         "logged and an abort cannot undo them (IMMUNE_OPTIONS=rollback_log_max)",
                         NULL};
  warn_once(s, parts);
}

/* The transaction of s gives up its entries (give_up_outer). */
static void warn_given_up(struct rb_segment *s) {
  const char *parts[] = {" inside ", function_of(s->tx),
                         ": its logged allocations, frees, locks and descriptors take effect "
                         "now, so the calls inside it can be undone; an abort of ",
                         function_of(s->tx), " cannot undo them (IMMUNE_OPTIONS=rollback_log_max)",
                         NULL};
  warn_once(s, parts);
}

/* One line: "rollback incomplete in F: [N]what". The caller counts the
 * transaction once (stat_incomplete), however many lines it gets. */
static void report_incomplete(const struct __immune_tx *tx, int counted, uint64_t n,
                              const char *what) {
  if (immune_opts.verbosity < 1) return;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rollback incomplete in ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": ");
  if (counted) immune_buf_udec(&b, n);
  immune_buf_str(&b, what);
  immune_buf_str(&b, "\n");
  immune_write_all(2, b.data, b.len);
}

static void report_memory(const struct __immune_tx *tx, uint64_t undone) {
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rolled back ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": restored ");
  immune_buf_udec(&b, undone);
  immune_buf_str(&b, " logged store(s)\n");
  immune_write_all(2, b.data, b.len);
}

struct undo_counts {
  uint32_t freed, kept, unlocked, closed;
};

static void report_rollback(const struct __immune_tx *tx, const struct undo_counts *c) {
  if (immune_opts.verbosity < 2) return;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rolled back ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": freed ");
  immune_buf_udec(&b, c->freed);
  immune_buf_str(&b, " block(s), cancelled ");
  immune_buf_udec(&b, c->kept);
  immune_buf_str(&b, " free(s), released ");
  immune_buf_udec(&b, c->unlocked);
  immune_buf_str(&b, " lock(s), closed ");
  immune_buf_udec(&b, c->closed);
  immune_buf_str(&b, " descriptor(s)\n");
  immune_write_all(2, b.data, b.len);
}

static void dump_incomplete_at_exit(void) {
  uint64_t n = atomic_load(&stat_incomplete);
  if (!n) return;
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: ");
  immune_buf_udec(&b, n);
  immune_buf_str(&b, " aborted transaction(s) rolled back incompletely (rollback log full)\n");
  immune_write_all(2, b.data, b.len);
}

/* ---- entries --------------------------------------------------------------- */

/* Removes dropped entries (and descriptors that are no longer the
 * transaction's) from log id; returns how many went. */
static uint32_t compact(struct rb_thread *t, enum rb_log_id id) {
  struct rb_log *l = &t->log[id];
  uint32_t w = 0, s = 0;
  for (uint32_t r = 0; r < l->n; ++r) {
    while (s < t->nsegs && t->segs[s].start[id] <= r) t->segs[s++].start[id] = w;
    struct rb_entry *e = &l->e[r];
    if (e->kind == RB_NONE || (id == RB_FDS && !immune_rb_fds_live(e))) continue;
    if (w != r) {
      l->e[w] = *e;
      if (id == RB_HEAP) immune_rb_heap_moved(&l->e[w], w);
    }
    ++w;
  }
  while (s < t->nsegs) t->segs[s++].start[id] = w;
  uint32_t gone = l->n - w;
  l->n = w;
  l->tombs = 0;
  return gone;
}

void immune_rb_lost(struct rb_thread *t) {
  struct rb_segment *s = current_segment(t);
  if (!s) s = top_segment(t); /* no room for a segment: mark the enclosing one */
  if (!s) return;
  s->flags |= RB_SEG_OVERFLOW;
  ++s->lost;
  warn_full(s, __immune_thread.tx_top);
}

/* Log id is full, compacted, and the innermost transaction needs room. The
 * transactions around it give up their entries of that log: the entries
 * take effect now, as at a commit (deferred frees are done, blocks become
 * ordinary, lock and descriptor entries are forgotten), and those
 * transactions are marked overflowed, so an abort of theirs reports an
 * incomplete rollback. A transaction that never ends (a server's main loop
 * under protect-all) fills the log once; without this, nothing any request
 * inside it did afterwards would be logged. Returns whether room was made. */
static int give_up_outer(struct rb_thread *t, enum rb_log_id id) {
  if (t->nsegs < 2) return 0;
  struct rb_log *l = &t->log[id];
  uint32_t top = t->nsegs - 1, end = t->segs[top].start[id];
  if (!end) return 0;
  int was_walking = t->walking;
  t->walking = 1;
  for (uint32_t j = 0, i = 0; j < top; ++j) {
    uint32_t stop = j + 1 < top ? t->segs[j + 1].start[id] : end, given = 0;
    for (; i < stop; ++i) {
      struct rb_entry *e = &l->e[i];
      if (e->kind == RB_NONE) continue;
      if (id == RB_HEAP) immune_rb_heap_give_up(t, e);
      else if (id == RB_FDS) immune_rb_fds_commit(e);
      e->kind = RB_NONE;
      ++l->tombs;
      ++given;
    }
    if (given) {
      t->segs[j].flags |= RB_SEG_OVERFLOW;
      t->segs[j].lost += given;
      warn_given_up(&t->segs[j]);
    }
  }
  t->walking = was_walking;
  compact(t, id);
  return l->n < l->cap;
}

int64_t immune_rb_append(struct rb_thread *t, enum rb_log_id id, uintptr_t obj,
                         enum rb_kind kind, uint32_t token, int fd) {
  struct rb_segment *s = current_segment(t);
  if (!s) {
    immune_rb_lost(t);
    return -1;
  }
  struct rb_log *l = &t->log[id];
  if (l->n == l->cap) {
    /* Once the transaction overflowed, compacting on every call would make
     * each operation cost a pass over the log: only with many holes. */
    int worth = !(s->flags & RB_SEG_OVERFLOW) ? (l->tombs > 0 || id == RB_FDS)
                                               : l->tombs >= l->cap / 16;
    if (worth) compact(t, id);
    if (l->n == l->cap && !give_up_outer(t, id)) {
      immune_rb_lost(t);
      return -1;
    }
  }
  struct rb_entry *e = &l->e[l->n];
  e->obj = obj;
  e->token = token;
  e->kind = (uint8_t)kind;
  e->fd = (uint16_t)fd;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  return l->n++;
}

void immune_rb_drop(struct rb_thread *t, enum rb_log_id id, uint32_t idx) {
  struct rb_log *l = &t->log[id];
  if (idx >= l->n || l->e[idx].kind == RB_NONE) return;
  l->e[idx].kind = RB_NONE;
  ++l->tombs;
  if (t->walking) return;
  while (l->n && l->e[l->n - 1].kind == RB_NONE) {
    --l->n;
    --l->tombs;
  }
  for (uint32_t i = t->nsegs; i-- > 0 && t->segs[i].start[id] > l->n;) t->segs[i].start[id] = l->n;
  trim_top(t);
}

int immune_rb_in_current(const struct rb_thread *t, enum rb_log_id id, uint32_t idx) {
  if (!t->nsegs) return 0;
  const struct rb_segment *s = &t->segs[t->nsegs - 1];
  return s->tx == __immune_thread.tx_top && idx >= s->start[id] && idx < t->log[id].n;
}

int64_t immune_rb_find(const struct rb_thread *t, enum rb_log_id id, enum rb_kind kind,
                       uintptr_t obj, uint32_t window) {
  const struct rb_log *l = &t->log[id];
  uint32_t lo = window && l->n > window ? l->n - window : 0;
  for (uint32_t i = l->n; i-- > lo;)
    if (l->e[i].kind == kind && l->e[i].obj == obj) return i;
  return -1;
}

/* ---- commit and rollback ------------------------------------------------------ */

/* Everything in the log takes effect: no live transaction of this thread
 * is left to own it. */
static void take_effect_all(struct rb_thread *t) {
  t->walking = 1;
  for (uint32_t i = 0; i < t->log[RB_HEAP].n; ++i)
    immune_rb_heap_commit(t, &t->log[RB_HEAP].e[i]);
  for (uint32_t i = 0; i < t->log[RB_FDS].n; ++i) immune_rb_fds_commit(&t->log[RB_FDS].e[i]);
  t->walking = 0;
  for (int id = 0; id < RB_NLOGS; ++id) t->log[id].n = t->log[id].tombs = 0;
  t->nsegs = 0;
}

/* Undoes the entries of segments k.. in reverse order (locks first, then
 * descriptors, then the heap, whose blocks may hold either) and removes
 * them. */
static void undo_from(struct rb_thread *t, uint32_t k, struct undo_counts *c) {
  static const enum rb_log_id order[RB_NLOGS] = {RB_LOCKS, RB_FDS, RB_HEAP};
  t->walking = 1;
  for (int o = 0; o < RB_NLOGS; ++o) {
    enum rb_log_id id = order[o];
    struct rb_log *l = &t->log[id];
    for (uint32_t i = l->n; i-- > t->segs[k].start[id];) {
      struct rb_entry *e = &l->e[i];
      /* Re-read: undoing one entry (fclose) may drop another (its FILE). */
      switch (e->kind) {
      case RB_ALLOC:
      case RB_KEEP:
        if (e->kind == RB_ALLOC) ++c->freed;
        immune_rb_heap_undo(t, e);
        break;
      case RB_FREE: ++c->kept; break;
      case RB_MUTEX:
      case RB_RWLOCK:
        ++c->unlocked;
        immune_rb_locks_undo(e);
        break;
      case RB_FD:
      case RB_STREAM:
        if (immune_rb_fds_live(e)) ++c->closed;
        immune_rb_fds_undo(e);
        break;
      default: break;
      }
    }
  }
  t->walking = 0;
  for (int id = 0; id < RB_NLOGS; ++id) {
    struct rb_log *l = &t->log[id];
    uint32_t start = t->segs[k].start[id];
    for (uint32_t i = start; i < l->n; ++i)
      if (l->e[i].kind == RB_NONE) --l->tombs;
    l->n = start;
  }
  t->nsegs = k;
}

/* tx ends: committed (aborting = 0) or aborted. Its part of the log is its
 * own segments and the segments of transactions nested in it that ended
 * without a commit the runtime saw (a non-local exit nobody intercepted):
 * those are newer in the log, or older but above it on the transaction
 * stack. An abort undoes that part; a commit hands it to the next outer
 * live transaction, or makes it take effect when there is none. Segments of other dead transactions (not
 * provably inside tx) are handed on in both cases: undoing them could free
 * what their callers kept. */
static int settle(struct rb_thread *t, struct __immune_tx *tx, int aborting) {
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
      struct undo_counts c = {0, 0, 0, 0};
      undo_from(t, k, &c);
      if (flags & RB_SEG_OVERFLOW) {
        report_incomplete(tx, 1, lost, " operation(s) were not logged (rollback log full) and stay done");
        incomplete = 1;
      }
      report_rollback(tx, &c);
    }
  }
  if (target) {
    uint32_t from = j < t->nsegs ? t->segs[j].start[RB_HEAP] : t->log[RB_HEAP].n;
    merge_into(t, j, target);
    struct rb_segment *owner = top_segment(t);
    if (!aborting && owner && owner->tx == target)
      immune_rb_heap_merged(t, from, owner->start[RB_HEAP]);
  } else {
    take_effect_all(t);
  }
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
      report_incomplete(tx, 1, lost, " store(s) could not be put back (memory undo log full, "
                                     "IMMUNE_OPTIONS=undo_log_max_mb, or near memory it "
                                     "handed back to malloc) and stay done");
    incomplete = lost != 0;
    if (undone && immune_opts.verbosity >= 2) report_memory(tx, undone);
  }
  struct rb_thread *t = immune_rb_self;
  if (t && !t->busy) {
    int saved = errno;
    t->busy = 1;
    incomplete |= settle(t, tx, aborting);
    immune_rb_leave(t);
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
  struct rb_thread *t = immune_rb_self;
  if (!t || t->busy || !t->nsegs) return;
  t->busy = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  struct __immune_tx *top = __immune_thread.tx_top;
  uint32_t j = t->nsegs;
  while (j > 0 && t->segs[j - 1].tx && !immune_tx_in_chain(t->segs[j - 1].tx, top)) --j;
  merge_into(t, j, top);
  immune_rb_leave(t);
}

/* A transaction starts a thread: what it allocated so far may be the new
 * thread's (its argument, std::thread's state), so an abort must keep it. */
void immune_rollback_thread_created(void) {
  struct rb_thread *t = immune_rb_self;
  if (!__immune_thread.tx_top || !t || t->busy) return;
  t->busy = 1;
  immune_rb_heap_escape(t);
  immune_rb_leave(t);
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

int immune_rb_ours(const void *f) {
  return (const char *)f >= __start_immune_rt_text && (const char *)f < __stop_immune_rt_text;
}

int immune_rb_system_caller(uintptr_t ret) {
  for (unsigned i = 0; i < nsystem_text; ++i)
    if (ret - system_text[i].lo < system_text[i].hi - system_text[i].lo) return 1;
  return 0;
}

extern void *__libc_malloc(size_t);

static unsigned parse_kinds(const char *list) {
  static const char *const names[RB_NLOGS] = {"heap", "locks", "fds"};
  unsigned mask = 0;
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    int known = 0;
    for (int id = 0; id < RB_NLOGS; ++id)
      if (len == strlen(names[id]) && !strncmp(p, names[id], len)) {
        mask |= 1u << id;
        known = 1;
      }
    if (len == 6 && !strncmp(p, "memory", 6)) {
      mask |= IMMUNE_RB_MEMORY;
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
  seg_cap = RB_NLOGS * log_cap + 64 < 65536 ? RB_NLOGS * log_cap + 64 : 65536;
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
  static const char *const names[RB_NLOGS] = {"malloc", "pthread_mutex_lock", "close"};
  int in_effect[RB_NLOGS] = {immune_rb_heap_init(), immune_rb_locks_init(), immune_rb_fds_init()};
  for (int id = 0; id < RB_NLOGS; ++id) {
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
  if (mask && immune_opts.verbosity >= 1) atexit(dump_incomplete_at_exit);
  /* Last: interceptors start logging once everything above is in place. */
  __atomic_store_n(&immune_rb_enabled, mask, __ATOMIC_RELEASE);
}

void immune_rb_stats_get(uint64_t *rollbacks, uint64_t *incomplete) {
  *rollbacks = atomic_load(&stat_rollbacks);
  *incomplete = atomic_load(&stat_incomplete);
}
