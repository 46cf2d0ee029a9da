/* The memory undo log: what an aborted transaction wrote to memory outside
 * its own frame is put back, byte for byte, in reverse order.
 *
 * The pass does the logging inline (abi.h, "Memory undo log"): before a
 * store it appends {address | size << 56, old contents} at
 * __immune_thread.undo_cur while that is below __immune_thread.undo_end. This file owns
 * the log's memory and the slow paths:
 *
 * - The log is one private anonymous mapping per thread, reserved at the
 *   thread's first logged store with MAP_NORESERVE (pages are only
 *   committed as they are written), of undo_log_max_mb MiB. Never malloc.
 * - When it is full, the transactions live at that moment give up what
 *   they logged and the log starts over (rebase below): one transaction that
 *   never ends (a server's main loop under protect-all) would otherwise fill
 *   it once, and every store after that, in every request nested inside,
 *   would go unlogged through this file's slow path. A transaction that gave
 *   up still undoes what it logged after the restart, and its abort reports
 *   the rest as not put back. Transactions that begin after the restart are
 *   undone completely. Memory is never written out of bounds.
 * - When the log cannot be mapped, or one write is wider than the whole log,
 *   __immune_thread.undo_end is set to NULL / the write is counted as lost: the
 *   abort of a transaction that lost stores reports an incomplete rollback.
 * - With memory rollback off (IMMUNE_OPTIONS=rollback without "memory", or
 *   mode other than protect), the log is a small scratch area that is
 *   reused from the start whenever it fills, and nothing is undone.
 *
 * Memory the heap rollback hands back to malloc inside a transaction gets a
 * barrier entry (address | 0xfe << 56, length): the undo, walking back,
 * does not write older entries into it, since malloc may have reused it.
 *
 * __immune_undo_range copies the old bytes of a wider write. It reads the
 * program's memory, so it runs outside the runtime's text section: a bad
 * address faults as the program's own write would have, inside the
 * transaction, and is healed like it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "options.h"
#include "rollback.h"
#include "thread.h"

static IMMUNE_TLS char *undo_base;  /* the mapping; NULL before first use */
static IMMUNE_TLS char *undo_limit; /* its end */
static IMMUNE_TLS uint64_t undo_lost; /* stores not logged since the log filled */

/* Thread exit (thread.c): the log's mapping goes. */
static void thread_exit(void *p);

static int memory_enabled(void) {
  return (__atomic_load_n(&immune_rollback_kinds, __ATOMIC_ACQUIRE) & IMMUNE_ROLLBACK_MEMORY) != 0;
}

#define ENTRY 16u
#define BARRIER_TAG 0xfeu
#define RESTART_TAG 0xfdu /* at the log's start after a rebase: {tag, entries dropped} */
#define ADDR_MASK ((UINT64_C(1) << 56) - 1)
#define SCRATCH_BYTES 4096u

static size_t log_bytes(void) {
  if (!memory_enabled()) return SCRATCH_BYTES;
  long mb = immune_opts.undo_log_max_mb;
  if (mb < 1) mb = 1;
  if (mb > 65536) mb = 65536;
  return (size_t)mb << 20;
}

/* Maps this thread's log; returns whether it has one. */
static int ensure_log(void) {
  if (undo_base) return 1;
  size_t size = log_bytes();
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return 0;
  undo_base = p;
  undo_limit = (char *)p + size;
  /* Transactions live on this thread began before there was a log: their
   * mark (NULL) becomes its start, which their commit or abort truncates
   * the log back to. */
  for (struct __immune_tx *tx = __immune_thread.tx_top; tx; tx = tx->prev)
    if (tx->site && (tx->site->flags & IMMUNE_SITE_UNDO) && !tx->undo_mark)
      tx->undo_mark = undo_base;
  immune_thread_attach(IMMUNE_PART_UNDO, p, thread_exit);
  return 1;
}

static void lose(void) {
  ++undo_lost;
  __immune_thread.undo_end = NULL; /* every store comes here until there is room */
}

/* The log is full: it starts over. Every live transaction's mark moves to
 * its start, where a RESTART entry says how many entries were dropped; the
 * undo of a transaction whose mark is there meets it last and reports that
 * many stores as not put back. Transactions that begin later have marks
 * above it and never see it. Returns the new position. */
static char *rebase(char *cur) {
  uint64_t dropped = (uint64_t)(cur - undo_base) / ENTRY;
  uint64_t *e = (uint64_t *)undo_base;
  if ((uint64_t)(cur - undo_base) >= ENTRY && (unsigned)(e[0] >> 56) == RESTART_TAG)
    dropped += e[1] - 1; /* dropped again: count the earlier restart's too */
  e[0] = (uint64_t)RESTART_TAG << 56;
  e[1] = dropped;
  for (struct __immune_tx *tx = __immune_thread.tx_top; tx; tx = tx->prev)
    if (tx->site && (tx->site->flags & IMMUNE_SITE_UNDO)) tx->undo_mark = undo_base;
  return undo_base + ENTRY;
}

/* Where the log stands when a store arrives on the slow path: returns the
 * position to append at, or NULL when it cannot be logged. */
static char *room_for(uint64_t bytes) {
  int saved = errno;
  int ok = ensure_log();
  errno = saved;
  if (!ok) {
    lose();
    return NULL;
  }
  if (!memory_enabled()) {
    /* Scratch: the inline path fills it, this resets it; nothing is ever
     * undone from it. */
    __immune_thread.undo_cur = undo_base;
    __immune_thread.undo_end = undo_limit;
    return NULL;
  }
  char *cur = __immune_thread.undo_cur;
  if (!cur || cur < undo_base || cur > undo_limit) cur = undo_base;
  if (cur == undo_base) undo_lost = 0; /* nothing live: an overflow is over */
  __immune_thread.undo_cur = cur;
  if ((uint64_t)(undo_limit - cur) < bytes) {
    if (bytes > (uint64_t)(undo_limit - undo_base) - ENTRY) {
      ++undo_lost; /* wider than the whole log: this one write is lost */
      return NULL;
    }
    cur = rebase(cur);
    __immune_thread.undo_cur = cur;
  }
  __immune_thread.undo_end = undo_limit;
  return cur;
}

IMMUNE_EXPORT void __immune_undo_word(void *addr, uint64_t size, uint64_t old) {
  char *cur = room_for(ENTRY);
  if (!cur) return;
  uint64_t *e = (uint64_t *)cur;
  e[0] = ((uint64_t)(uintptr_t)addr & ADDR_MASK) | (size << 56);
  e[1] = old;
  __immune_thread.undo_cur = cur + ENTRY;
}

/* Reads the program's memory: outside the runtime's text (see above). */
__attribute__((section(".text.immune_undo_copy"), noinline)) static void
copy_old(void *dst, const void *src, uint64_t len) {
  memcpy(dst, src, len);
}

IMMUNE_EXPORT void __immune_undo_range(void *addr, uint64_t len) {
  if (!len) return;
  if (len > ((uint64_t)1 << 40)) len = (uint64_t)1 << 40; /* never fits: lost */
  uint64_t padded = (len + ENTRY - 1) & ~(uint64_t)(ENTRY - 1);
  /* Where it fits, as the inline path does; else the slow path. */
  char *cur = __immune_thread.undo_cur, *end = __immune_thread.undo_end;
  if (!cur || !end || cur > end || (uint64_t)(end - cur) < padded + ENTRY) cur = room_for(padded + ENTRY);
  if (!cur) return;
  copy_old(cur, addr, len);
  uint64_t *t = (uint64_t *)(cur + padded);
  t[0] = ((uint64_t)(uintptr_t)addr & ADDR_MASK) | ((uint64_t)IMMUNE_UNDO_RANGE_TAG << 56);
  t[1] = len;
  __immune_thread.undo_cur = cur + padded + ENTRY;
}

int immune_undo_pending(void) {
  char *cur = __immune_thread.undo_cur;
  return undo_base && cur > undo_base && cur <= undo_limit && memory_enabled();
}

void immune_undo_released(const void *p, size_t len) {
  char *cur = __immune_thread.undo_cur;
  /* Nothing logged, nothing older to keep out of it. */
  if (!len || !immune_undo_pending()) return;
  /* Full: start over (the stores it would guard are given up with it). */
  if ((size_t)(undo_limit - cur) < ENTRY) cur = rebase(cur);
  uint64_t *e = (uint64_t *)cur;
  e[0] = ((uint64_t)(uintptr_t)p & ADDR_MASK) | ((uint64_t)BARRIER_TAG << 56);
  e[1] = len;
  __immune_thread.undo_cur = cur + ENTRY;
}

/* The released ranges met so far in an undo walk: the first ones exactly,
 * then only their hull (an entry inside it is skipped, conservatively, and
 * the rollback reported incomplete). */
#define EXACT_BARRIERS 256
struct barriers {
  uintptr_t lo[EXACT_BARRIERS], hi[EXACT_BARRIERS];
  unsigned n;
  int hull;
  uintptr_t hull_lo, hull_hi;
};

static void barrier_add(struct barriers *b, uintptr_t lo, uintptr_t hi) {
  if (b->n < EXACT_BARRIERS) {
    b->lo[b->n] = lo;
    b->hi[b->n] = hi;
    ++b->n;
  } else if (!b->hull) {
    b->hull = 1;
    b->hull_lo = lo;
    b->hull_hi = hi;
    for (unsigned i = 0; i < b->n; ++i) {
      if (b->lo[i] < b->hull_lo) b->hull_lo = b->lo[i];
      if (b->hi[i] > b->hull_hi) b->hull_hi = b->hi[i];
    }
  } else {
    if (lo < b->hull_lo) b->hull_lo = lo;
    if (hi > b->hull_hi) b->hull_hi = hi;
  }
}

/* Whether [a, a + len) touches released memory; *conservative is set when
 * only the hull said so (the entry is then counted as not undone). */
static int barred(const struct barriers *b, uintptr_t a, uint64_t len, int *conservative) {
  if (b->hull) {
    if (a < b->hull_hi && a + len > b->hull_lo) {
      *conservative = 1;
      return 1;
    }
    return 0;
  }
  for (unsigned i = 0; i < b->n; ++i)
    if (a < b->hi[i] && a + len > b->lo[i]) return 1;
  return 0;
}

/* Writes back [addr, addr + len) from src, byte by byte where it differs,
 * except what lies in the dead
 * part of the stack [lo, hi): frames that returned before the abort (their
 * addresses now hold the frames of this very rollback). */
static void restore(uintptr_t addr, const unsigned char *src, uint64_t len, uintptr_t lo,
                    uintptr_t hi) {
  for (uint64_t i = 0; i < len; ++i) {
    uintptr_t a = addr + i;
    if (a >= lo && a < hi) continue;
    /* Only what changed: the faulting store itself never happened, and its
     * target may not be writable at all (a store to read-only memory). */
    volatile unsigned char *m = (volatile unsigned char *)a;
    if (*m != src[i]) *m = src[i];
  }
}

/* Undoes the entries above tx's mark, newest first. */
uint64_t immune_undo_memory(struct __immune_tx *tx, uintptr_t sp, uint64_t *lost) {
  /* Read before the log is truncated (which clears it for the outermost). */
  *lost = 0;
  char *cur = __immune_thread.undo_cur, *mark = tx->undo_mark;
  if (!undo_base || !cur) return 0;
  if (!mark || mark < undo_base) mark = undo_base;
  if (cur > undo_limit || cur < mark) return 0;
  uint64_t n = 0;
  if (memory_enabled()) {
    /* The dead stack: below the checkpoint's stack pointer, down past the
     * frames of this rollback (sp, less a page for restore()'s frame). */
    uintptr_t hi = (uintptr_t)tx->sp, lo = sp > 4096 ? sp - 4096 : 0;
    struct barriers bars;
    bars.n = 0;
    bars.hull = 0;
    uint64_t skipped = 0;
    char *p = cur;
    while (p - mark >= (ptrdiff_t)ENTRY) {
      const uint64_t *e = (const uint64_t *)(p - ENTRY);
      unsigned tag = (unsigned)(e[0] >> 56);
      uintptr_t addr = (uintptr_t)(e[0] & ADDR_MASK);
      if (tag == BARRIER_TAG) {
        barrier_add(&bars, addr, addr + e[1]);
        p -= ENTRY;
        continue;
      }
      if (tag == RESTART_TAG) { /* this transaction's older entries were dropped */
        skipped += e[1];
        p -= ENTRY;
        continue;
      }
      if (tag == IMMUNE_UNDO_RANGE_TAG) {
        uint64_t len = e[1], padded = (len + ENTRY - 1) & ~(uint64_t)(ENTRY - 1);
        if ((uint64_t)(p - ENTRY - mark) < padded) break; /* torn: stop */
        const char *src = p - ENTRY - padded;
        int c = 0;
        if (!barred(&bars, addr, len, &c))
          restore(addr, (const unsigned char *)src, len, lo, hi);
        else if (c)
          ++skipped;
        p = (char *)src;
      } else {
        unsigned size = tag <= 8 ? tag : 8;
        int c = 0;
        if (!barred(&bars, addr, size, &c))
          restore(addr, (const unsigned char *)&e[1], size, lo, hi);
        else if (c)
          ++skipped;
        p -= ENTRY;
      }
      ++n;
    }
    *lost = undo_lost + skipped;
  }
  __immune_thread.undo_cur = mark;
  if (mark == undo_base) {
    undo_lost = 0;
    if (undo_base) __immune_thread.undo_end = undo_limit;
  }
  return n;
}

/* longjmp left every transaction: the log is empty again. */
void immune_undo_after_jump(void) {
  if (!__immune_thread.tx_top && undo_base) {
    __immune_thread.undo_cur = undo_base;
    __immune_thread.undo_end = undo_limit;
    undo_lost = 0;
  }
}

/* A thread's log goes with it: a key whose destructor runs at its exit
 * (set when the log is mapped; keys below 32 never allocate). */
static void thread_exit(void *p) {
  (void)p;
  if (!undo_base) return;
  munmap(undo_base, (size_t)(undo_limit - undo_base));
  undo_base = undo_limit = NULL;
  __immune_thread.undo_cur = __immune_thread.undo_end = NULL;
}

