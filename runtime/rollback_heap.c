/* Heap rollback: the malloc family, interposed by symbol (the runtime is in
 * the executable, or loaded before libc) and forwarded to glibc's own
 * entry points (__libc_malloc and friends, which glibc exports for exactly
 * this: no dlsym, so no recursion through dlsym's own allocations).
 *
 * Outside a transaction every call goes straight to glibc after one TLS
 * load (free and realloc also look at the block's header word, which
 * glibc's free reads anyway).
 *
 * Inside one:
 * - A block is allocated 16 bytes (or its alignment) larger and carries a
 *   header in front: the owning thread's log, the index of its log entry,
 *   and a state word other threads change only atomically. The header is
 *   how free() knows, in O(1), that a block belongs to the running
 *   transaction, and it lets a block handed to another thread be freed there
 *   without a double free when its transaction later aborts (the other
 *   thread marks it ORPHANED and the owner frees it when it settles).
 * - free() of the transaction's own block frees at once; free() of any
 *   other block is deferred to the outermost commit, so an abort finds it
 *   valid and unchanged.
 * - realloc() of the transaction's own block reallocates in place; of any
 *   other block it makes a new block and defers the free of the old one.
 * - Memory handed back to malloc inside a transaction (an own block, a
 *   system library's block, anything when the log is full) is first marked
 *   in the memory undo log (undo_barrier): malloc may reuse it, and
 *   the undo must not write the old contents of earlier stores over it.
 * - Blocks requested by libc, the dynamic loader or the runtime (stdio
 *   buffers, FILEs, link maps) are logged as KEEP: an abort never frees
 *   them, since libc's own state points to them.
 * - While a guard_heap function's transaction is live (its site has
 *   IMMUNE_SITE_GUARD_HEAP, read at each allocation, so a flag set at run
 *   time counts), or for the oracle's sampled allocations, the program's
 *   blocks come from the guarded heap (guard_heap.c) with the same header:
 *   a bit in it says where the block's memory is. free and realloc check
 *   its canaries first; a broken one aborts the innermost transaction
 *   (outside one the process dies, as glibc's free would). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "guard_heap.h"
#include "internal.h"
#include "rollback.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

typedef size_t (*usable_size_fn)(void *);
static usable_size_fn real_usable_size;

/* In front of a block allocated inside a transaction. The word's top 16
 * bits are a magic no glibc chunk size can have (glibc keeps the chunk size
 * in this very word for untagged blocks), then the entry index, the log2 of
 * the distance to the underlying block (with GUARDED set when that block is
 * a guarded heap block, not glibc's), and the state. */
struct block_header {
  struct rlog_thread *owner;
  _Atomic uint64_t word;
};
#define HDR_MAGIC 0xA11Cull
enum {
  ST_LIVE = 1, /* logged by owner; only the owner frees it */
  ST_ORPHANED, /* freed by another thread while logged: owner frees it */
  ST_PLAIN,    /* its transaction is over: an ordinary block */
  ST_DEAD,     /* being freed */
};

#define GUARDED 0x80u
static inline uint64_t make_word(uint32_t idx, unsigned shift, unsigned state) {
  return HDR_MAGIC << 48 | (uint64_t)idx << 16 | (uint64_t)shift << 8 | state;
}
static inline uint32_t w_index(uint64_t w) { return (uint32_t)(w >> 16); }
static inline unsigned w_shift(uint64_t w) { return (unsigned)(w >> 8) & 0x7f; }
static inline int w_guarded(uint64_t w) { return (w >> 8) & GUARDED; }
/* A glibc block with the plain 16-byte header: realloc can move it in place. */
static inline int w_glibc16(uint64_t w) { return ((w >> 8) & 0xff) == 4; }
static inline unsigned w_state(uint64_t w) { return (unsigned)w & 0xff; }
static inline uint64_t w_with(uint64_t w, unsigned state) { return (w & ~0xffull) | state; }

static inline struct block_header *header_of(void *p) { return (struct block_header *)p - 1; }
static inline void *base_of(void *p, uint64_t w) { return (char *)p - ((size_t)1 << w_shift(w)); }
static inline __attribute__((always_inline)) int tagged(void *p) {
  return __atomic_load_n((const uint64_t *)p - 1, __ATOMIC_RELAXED) >> 48 == HDR_MAGIC;
}

/* The entry points that take the program's pointer (free, realloc,
 * reallocarray, malloc_usable_size) read the word in front of it first,
 * as glibc would. A garbage pointer faults on that read: the program's
 * fault, as it is without Immune, so it must not count as a fault inside
 * the runtime (never healed). They live outside the runtime's text section
 * (rt_section.h); everything after the probe runs there as usual. */
#define PROBE_ENTRY __attribute__((section(".text.immune_heap_probe")))

#define CALLER() ((uintptr_t)__builtin_return_address(0))

static size_t usable_of_base(void *base) {
  if (!real_usable_size) real_usable_size = (usable_size_fn)dlsym(RTLD_NEXT, "malloc_usable_size");
  return real_usable_size ? real_usable_size(base) : 0;
}

/* p's usable size; is_tagged: tagged(p), already probed. A guarded block
 * has exactly what was asked: its slack is canary. */
static size_t usable_known(void *p, int is_tagged) {
  if (!is_tagged) return usable_of_base(p);
  uint64_t w = atomic_load(&header_of(p)->word);
  if (w_guarded(w)) return immune_gh_size(base_of(p, w));
  size_t n = usable_of_base(base_of(p, w)), off = (size_t)1 << w_shift(w);
  return n > off ? n - off : 0;
}

static size_t usable(void *p) { return usable_known(p, tagged(p)); }

/* The index of p's entry when p is LIVE in t's own log, else -1. */
static int64_t own_entry(const struct rlog_thread *t, void *p, uint64_t w) {
  if (!t || w_state(w) != ST_LIVE || header_of(p)->owner != t) return -1;
  uint32_t idx = w_index(w);
  const struct rlog_entries *l = &t->log[RLOG_HEAP];
  if (idx >= l->n || l->e[idx].obj != (uintptr_t)p) return -1;
  if (l->e[idx].kind != RLOG_ALLOC && l->e[idx].kind != RLOG_KEEP) return -1;
  return idx;
}

/* p goes back to malloc inside a transaction: a barrier in the memory undo
 * log, when it holds entries (only then is the block's size looked up). */
static void undo_barrier(void *p) {
  if (immune_undo_pending()) immune_undo_released(p, usable(p));
}

/* The memory under a tagged block goes back where it came from. */
static void free_base(void *p, uint64_t w) {
  if (w_guarded(w))
    immune_gh_free(base_of(p, w));
  else
    __libc_free(base_of(p, w));
}

/* Marks p dead and frees it, unless someone else got there first. */
static void free_tagged(void *p, uint64_t w) {
  uint64_t old = atomic_exchange(&header_of(p)->word, w_with(w, ST_DEAD));
  if (w_state(old) == ST_LIVE || w_state(old) == ST_ORPHANED) free_base(p, old);
}

/* ---- the guarded heap --------------------------------------------------- */

/* Whether a live transaction of this thread is a guard_heap function's. The
 * records are contiguous from tx_base to tx_top. A dormant one (a vaccine
 * is in force and does not arm it) does not count: its faults are not its
 * own, and without Immune its overflow would not fault. */
static int guard_heap_live(void) {
  const struct __immune_tx *top = __immune_thread.tx_top;
  for (const struct __immune_tx *tx = __immune_thread.tx_base; top && tx && tx <= top; ++tx) {
    uint32_t f = tx->site ? __atomic_load_n(&tx->site->flags, __ATOMIC_RELAXED) : 0;
    if ((f & (IMMUNE_SITE_GUARD_HEAP | IMMUNE_SITE_DORMANT)) == IMMUNE_SITE_GUARD_HEAP) return 1;
  }
  return 0;
}

/* Whether the program's block about to be allocated inside a transaction
 * comes from the guarded heap. libc's own blocks (KEEP) never do. */
static int want_guard(uintptr_t caller) {
  return (immune_gh_sampled() || guard_heap_live()) && !immune_system_caller(caller);
}

/* A guarded block's canaries were found broken (or a pointer into the
 * guarded heap has lost its header): the program overflowed it by less
 * than its slack, or underflowed it. */
static __attribute__((noreturn)) void heap_broken(void *p) {
  struct immune_heap_hit hit = {0, 0, 0, 0};
  immune_gh_block_at((uintptr_t)p, &hit);
  immune_abort_for_heap_canary(&hit, (uintptr_t)p);
}

/* p (probed, tagged or not) is a block the program hands back: check it
 * when it is, or claims to be, a guarded one. A block freed twice is left
 * to the code below (a DEAD header). */
static inline void check_guarded(void *p, int is_tagged) {
  if (!is_tagged) {
    if (__builtin_expect(immune_gh_contains(p), 0)) heap_broken(p);
    return;
  }
  uint64_t w = atomic_load(&header_of(p)->word);
  if (__builtin_expect(w_guarded(w), 0) && w_state(w) != ST_DEAD &&
      !immune_gh_intact(base_of(p, w)))
    heap_broken(p);
}

/* A tagged block is freed for good, now (no transaction to defer to, or the
 * log is full). The owner drops its entry and frees it; any other thread
 * leaves it to the owner, who may still undo its allocation. */
static void release(void *p) {
  struct block_header *h = header_of(p);
  struct rlog_thread *t = immune_rlog_self;
  uint64_t w = atomic_load(&h->word);
  for (;;) {
    if (w_state(w) == ST_PLAIN) {
      free_base(p, w);
      return;
    }
    if (w_state(w) != ST_LIVE) return; /* freed twice by the program */
    int64_t idx = own_entry(t, p, w);
    if (idx >= 0) {
      /* Busy here means the log is being walked (commit, rollback) or was
       * interrupted: only mark the entry, never shrink the log. */
      int was_busy = t->busy, was_walking = t->walking;
      t->busy = 1;
      if (was_busy) t->walking = 1;
      immune_rlog_drop(t, RLOG_HEAP, (uint32_t)idx);
      t->walking = was_walking;
      if (!was_busy) immune_rlog_leave(t);
      free_tagged(p, w);
      return;
    }
    if (atomic_compare_exchange_weak(&h->word, &w, w_with(w, ST_ORPHANED))) return;
  }
}

/* Allocates n bytes aligned to `align` (0: malloc's) with a header naming
 * entry idx of t's log; zeroed if `zero`. From the guarded heap if `guard`
 * (and it has room). Without a log (t NULL: heap rollback is off, the
 * oracle in monitor mode) the block is PLAIN from the start. */
static void *tagged_alloc(struct rlog_thread *t, uint32_t idx, size_t n, size_t align, int zero,
                          int guard, uintptr_t caller) {
  unsigned shift = 4;
  while (((size_t)1 << shift) < align && shift < 40) ++shift;
  size_t off = (size_t)1 << shift;
  if (n > SIZE_MAX - off) {
    errno = ENOMEM;
    return NULL;
  }
  char *base = guard ? immune_gh_alloc(n, off, caller) : NULL;
  if (base) {
    shift |= GUARDED;
    if (zero) memset(base + off, 0, n); /* a reused slot holds old bytes */
  } else {
    base = off == 16 ? (zero ? __libc_calloc(1, n + off) : __libc_malloc(n + off))
                     : __libc_memalign(off, n + off);
    if (!base) return NULL;
    if (zero && off != 16) memset(base + off, 0, n);
  }
  void *p = base + off;
  header_of(p)->owner = t;
  atomic_store(&header_of(p)->word, make_word(idx, shift, t ? ST_LIVE : ST_PLAIN));
  return p;
}

static void *plain_alloc(size_t n, size_t align, int zero) {
  if (align > 16) return __libc_memalign(align, n);
  return zero ? __libc_calloc(1, n) : __libc_malloc(n);
}

static void *alloc_tx(size_t n, size_t align, int zero, uintptr_t caller) {
  int guard = want_guard(caller);
  struct rlog_thread *t = immune_rlog_enter(RLOG_HEAP);
  if (!t) return guard ? tagged_alloc(NULL, 0, n, align, zero, 1, caller) : plain_alloc(n, align, zero);
  enum rlog_kind kind = immune_system_caller(caller) ? RLOG_KEEP : RLOG_ALLOC;
  int64_t idx = immune_rlog_append(t, __immune_thread.tx_top, RLOG_HEAP, 0, kind, 0, 0);
  void *p;
  if (idx < 0) {
    p = plain_alloc(n, align, zero); /* log full: reported, not logged */
  } else {
    p = tagged_alloc(t, (uint32_t)idx, n, align, zero, guard, caller);
    if (p)
      t->log[RLOG_HEAP].e[idx].obj = (uintptr_t)p;
    else
      immune_rlog_drop(t, RLOG_HEAP, (uint32_t)idx);
  }
  immune_rlog_leave(t);
  return p;
}

static void free_slow(void *p, int is_tagged, uintptr_t caller) {
  check_guarded(p, is_tagged);
  struct rlog_thread *t = __immune_thread.tx_top ? immune_rlog_enter(RLOG_HEAP) : NULL;
  if (!t) {
    if (is_tagged)
      release(p);
    else
      __libc_free(p);
    return;
  }
  if (is_tagged) {
    uint64_t w = atomic_load(&header_of(p)->word);
    int64_t idx = own_entry(t, p, w);
    /* The running transaction's own block: an abort would free it anyway.
     * A system library's block freed by that library: its own business. */
    if (idx >= 0 && (immune_rlog_in_current(t, __immune_thread.tx_top, RLOG_HEAP, (uint32_t)idx) ||
                     (t->log[RLOG_HEAP].e[idx].kind == RLOG_KEEP && immune_system_caller(caller)))) {
      immune_rlog_drop(t, RLOG_HEAP, (uint32_t)idx);
      immune_rlog_leave(t);
      undo_barrier(p);
      free_tagged(p, w);
      return;
    }
  }
  /* Anything else is freed at the outermost commit. */
  int64_t logged = immune_rlog_append(t, __immune_thread.tx_top, RLOG_HEAP, (uintptr_t)p, RLOG_FREE, 0, 0);
  immune_rlog_leave(t);
  if (logged >= 0) return;
  undo_barrier(p);
  if (is_tagged) /* log full: free now (reported) */
    release(p);
  else
    __libc_free(p);
}

/* realloc when nothing is logged; into a guarded block if `guard` (the
 * oracle in monitor mode: a transaction is live, the log is not). */
static void *realloc_now(void *p, int is_tagged, size_t n, int guard, uintptr_t caller) {
  if (guard) {
    void *q = tagged_alloc(NULL, 0, n, 0, 0, 1, caller);
    if (!q) return NULL;
    size_t old = usable_known(p, is_tagged);
    memcpy(q, p, old < n ? old : n);
    if (is_tagged)
      release(p);
    else
      __libc_free(p);
    return q;
  }
  if (!is_tagged) return __libc_realloc(p, n);
  uint64_t w = atomic_load(&header_of(p)->word);
  if (w_state(w) == ST_PLAIN && w_glibc16(w)) {
    if (n > SIZE_MAX - 16) {
      errno = ENOMEM;
      return NULL;
    }
    char *base = __libc_realloc(base_of(p, w), n + 16);
    return base ? base + 16 : NULL;
  }
  void *q = __libc_malloc(n);
  if (!q) return NULL;
  size_t old = usable(p);
  memcpy(q, p, old < n ? old : n);
  release(p);
  return q;
}

/* is_tagged: tagged(p), probed by the entry point. */
static void *realloc_slow(void *p, int is_tagged, size_t n, uintptr_t caller) {
  if (!p) return __immune_thread.tx_top ? alloc_tx(n, 0, 0, caller) : __libc_malloc(n);
  if (n == 0) { /* glibc: realloc(p, 0) frees p */
    free_slow(p, is_tagged, caller);
    return NULL;
  }
  check_guarded(p, is_tagged);
  int guard = __immune_thread.tx_top && want_guard(caller);
  struct rlog_thread *t = __immune_thread.tx_top ? immune_rlog_enter(RLOG_HEAP) : NULL;
  if (!t) return realloc_now(p, is_tagged, n, guard, caller);
  if (is_tagged) {
    uint64_t w = atomic_load(&header_of(p)->word);
    int64_t idx = own_entry(t, p, w);
    /* In place when an abort would not need the old contents: the running
     * transaction's own block, or one that is kept anyway. The header moves
     * with the contents. */
    if (idx >= 0 && w_glibc16(w) && !guard &&
        (immune_rlog_in_current(t, __immune_thread.tx_top, RLOG_HEAP, (uint32_t)idx) ||
         t->log[RLOG_HEAP].e[idx].kind == RLOG_KEEP)) {
      undo_barrier(p); /* it may move */
      char *base = NULL;
      if (n <= SIZE_MAX - 16)
        base = __libc_realloc(base_of(p, w), n + 16);
      else
        errno = ENOMEM;
      if (base) t->log[RLOG_HEAP].e[idx].obj = (uintptr_t)(base + 16);
      immune_rlog_leave(t);
      return base ? base + 16 : NULL;
    }
  }
  /* A new block; the old one's free is deferred, so an abort finds it
   * unchanged. */
  int64_t fidx = immune_rlog_append(t, __immune_thread.tx_top, RLOG_HEAP, (uintptr_t)p, RLOG_FREE, 0, 0);
  if (fidx < 0) {
    immune_rlog_leave(t);
    undo_barrier(p);
    return realloc_now(p, is_tagged, n, 0, caller);
  }
  enum rlog_kind kind = immune_system_caller(caller) ? RLOG_KEEP : RLOG_ALLOC;
  int64_t aidx = immune_rlog_append(t, __immune_thread.tx_top, RLOG_HEAP, 0, kind, 0, 0);
  void *q = aidx >= 0 ? tagged_alloc(t, (uint32_t)aidx, n, 0, 0, guard && kind == RLOG_ALLOC, caller)
                      : __libc_malloc(n);
  if (!q) {
    if (aidx >= 0) immune_rlog_drop(t, RLOG_HEAP, (uint32_t)aidx);
    immune_rlog_drop(t, RLOG_HEAP, (uint32_t)fidx);
    immune_rlog_leave(t);
    return NULL;
  }
  if (aidx >= 0) t->log[RLOG_HEAP].e[aidx].obj = (uintptr_t)q;
  size_t old = usable_known(p, is_tagged);
  memcpy(q, p, old < n ? old : n);
  immune_rlog_leave(t);
  return q;
}

/* ---- the interceptors ------------------------------------------------------ */

ROLLBACK_INTERCEPTOR void *malloc(size_t n) {
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1)) return __libc_malloc(n);
  return alloc_tx(n, 0, 0, CALLER());
}

ROLLBACK_INTERCEPTOR PROBE_ENTRY void free(void *p) {
  if (!p) return;
  int is_tagged = tagged(p);
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1) && !is_tagged) {
    check_guarded(p, 0); /* a guarded block whose header an underflow overwrote */
    __libc_free(p);
    return;
  }
  free_slow(p, is_tagged, CALLER());
}

ROLLBACK_INTERCEPTOR void *calloc(size_t m, size_t n) {
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1)) return __libc_calloc(m, n);
  size_t total;
  if (__builtin_mul_overflow(m, n, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return alloc_tx(total, 0, 1, CALLER());
}

ROLLBACK_INTERCEPTOR PROBE_ENTRY void *realloc(void *p, size_t n) {
  int is_tagged = p && tagged(p);
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1) && !is_tagged) {
    check_guarded(p, 0);
    return __libc_realloc(p, n);
  }
  return realloc_slow(p, is_tagged, n, CALLER());
}

ROLLBACK_INTERCEPTOR PROBE_ENTRY void *reallocarray(void *p, size_t m, size_t n) {
  size_t total;
  if (__builtin_mul_overflow(m, n, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  int is_tagged = p && tagged(p);
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1) && !is_tagged) {
    check_guarded(p, 0);
    return __libc_realloc(p, total);
  }
  return realloc_slow(p, is_tagged, total, CALLER());
}

ROLLBACK_INTERCEPTOR void *memalign(size_t align, size_t n) {
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1)) return __libc_memalign(align, n);
  return alloc_tx(n, align, 0, CALLER());
}

/* glibc's aligned_alloc is memalign (2.36 accepts any alignment). */
ROLLBACK_INTERCEPTOR void *aligned_alloc(size_t align, size_t n) {
  if (__builtin_expect(__immune_thread.tx_top == NULL, 1)) return __libc_memalign(align, n);
  return alloc_tx(n, align, 0, CALLER());
}

ROLLBACK_INTERCEPTOR int posix_memalign(void **out, size_t align, size_t n) {
  if (align == 0 || align % sizeof(void *) || (align & (align - 1))) return EINVAL;
  void *p = __immune_thread.tx_top == NULL ? __libc_memalign(align, n) : alloc_tx(n, align, 0, CALLER());
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

ROLLBACK_INTERCEPTOR PROBE_ENTRY size_t malloc_usable_size(void *p) {
  return p ? usable_known(p, tagged(p)) : 0;
}

/* Called by the program, these allocate on its behalf: logged as its
 * blocks (glibc's own would allocate from libc, and be kept on abort).
 * Otherwise from whatever malloc is in effect, as glibc's would. */
static inline int logging_heap(void) {
  return __immune_thread.tx_top != NULL && (immune_rollback_kinds & (1u << RLOG_HEAP));
}

ROLLBACK_INTERCEPTOR char *strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = logging_heap() ? alloc_tx(n, 0, 0, CALLER()) : malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

ROLLBACK_INTERCEPTOR char *strndup(const char *s, size_t max) {
  size_t n = strnlen(s, max);
  char *d = logging_heap() ? alloc_tx(n + 1, 0, 0, CALLER()) : malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* ---- log actions ------------------------------------------------------------- */

/* The entry's transaction is over and the block stays: an ordinary block
 * from now on, unless another thread freed it meanwhile. */
static void make_plain(void *p) {
  struct block_header *h = header_of(p);
  uint64_t w = atomic_load(&h->word);
  while (w_state(w) == ST_LIVE)
    if (atomic_compare_exchange_weak(&h->word, &w, w_with(w, ST_PLAIN))) return;
  if (w_state(w) == ST_ORPHANED) free_tagged(p, w);
}

static enum rlog_undone heap_undo(struct rlog_thread *t, struct rlog_entry *e) {
  (void)t;
  void *p = (void *)e->obj;
  if (e->kind == RLOG_FREE) return RLOG_UNDID_CANCEL_FREE; /* the free never happens */
  if (!p) return e->kind == RLOG_ALLOC ? RLOG_UNDID_FREE_BLOCK : RLOG_UNDID_NOTHING;
  if (e->kind == RLOG_KEEP) {
    make_plain(p);
  } else if (e->kind == RLOG_ALLOC) {
    free_tagged(p, atomic_load(&header_of(p)->word));
    return RLOG_UNDID_FREE_BLOCK;
  }
  return RLOG_UNDID_NOTHING;
}

static void heap_commit(struct rlog_thread *t, struct rlog_entry *e) {
  (void)t;
  void *p = (void *)e->obj;
  if (!p) return;
  if (e->kind == RLOG_ALLOC || e->kind == RLOG_KEEP) {
    make_plain(p);
  } else if (e->kind == RLOG_FREE) {
    if (tagged(p))
      release(p);
    else
      __libc_free(p);
  }
}

/* An inner transaction committed into the one whose heap entries start at
 * owner_start; its entries from `from` on are that one's now. A deferred
 * free of a block that transaction allocated can happen at once: its abort
 * would free the block too, its commit would free it anyway. Without this a
 * buffer grown by realloc in successive nested calls would keep every old
 * copy until the outermost commit. */
static void heap_merged(struct rlog_thread *t, uint32_t from, uint32_t owner_start) {
  struct rlog_entries *l = &t->log[RLOG_HEAP];
  int was_walking = t->walking;
  t->walking = 1;
  for (uint32_t i = from; i < l->n; ++i) {
    struct rlog_entry *e = &l->e[i];
    void *p = (void *)e->obj;
    if (e->kind != RLOG_FREE || !p || !tagged(p)) continue;
    uint64_t w = atomic_load(&header_of(p)->word);
    int64_t idx = own_entry(t, p, w);
    if (idx < 0 || (uint32_t)idx < owner_start || l->e[idx].kind != RLOG_ALLOC) continue;
    immune_rlog_drop(t, RLOG_HEAP, i);
    immune_rlog_drop(t, RLOG_HEAP, (uint32_t)idx);
    undo_barrier(p);
    free_tagged(p, w);
  }
  t->walking = was_walking;
}

/* An enclosing transaction gives up entry e (rollback_log.c, give_up_outer):
 * it takes effect now, as at the outermost commit; a deferred free puts a
 * barrier in the memory undo log first, since a transaction is still live. */
static void heap_give_up(struct rlog_thread *t, struct rlog_entry *e) {
  if (e->kind == RLOG_FREE && e->obj) undo_barrier((void *)e->obj);
  heap_commit(t, e);
}

/* The block's header says where its entry is (own_entry). */
static void heap_moved(struct rlog_entry *e, uint32_t idx) {
  if ((e->kind != RLOG_ALLOC && e->kind != RLOG_KEEP) || !e->obj) return;
  struct block_header *h = header_of((void *)e->obj);
  uint64_t w = atomic_load(&h->word);
  for (;;) {
    uint64_t nw = (w & ~(0xffffffffull << 16)) | (uint64_t)idx << 16;
    if (atomic_compare_exchange_weak(&h->word, &w, nw)) return;
  }
}

void immune_heap_rollback_escape(struct rlog_thread *t) {
  struct rlog_entries *l = &t->log[RLOG_HEAP];
  for (uint32_t i = 0; i < l->n; ++i)
    if (l->e[i].kind == RLOG_ALLOC) l->e[i].kind = RLOG_KEEP;
}

/* The probing entry points are outside the runtime's text section, so
 * whether free and realloc are still ours is asked of these aliases. */
extern void own_free(void *) __attribute__((alias("free"), visibility("hidden")));
extern void *own_realloc(void *, size_t) __attribute__((alias("realloc"), visibility("hidden")));

static const struct rlog_ops heap_ops = {
    .undo = heap_undo,
    .commit = heap_commit,
    .give_up = heap_give_up,
    .moved = heap_moved,
    .merged = heap_merged,
};

int immune_heap_rollback_init(void) {
  immune_rlog_register(RLOG_HEAP, &heap_ops);
  if (!real_usable_size) real_usable_size = (usable_size_fn)dlsym(RTLD_NEXT, "malloc_usable_size");
  return immune_runtime_owns((const void *)malloc) && immune_runtime_owns((const void *)calloc) &&
         (void (*)(void *))free == own_free && (void *(*)(void *, size_t))realloc == own_realloc;
}
