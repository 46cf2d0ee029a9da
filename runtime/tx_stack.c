/* The per-thread transaction stack: the records of live transactions, in a
 * runtime-owned mapping with guard pages on both sides, never in the frames
 * of the protected functions. A stack buffer that overflows (upward into its
 * callers' frames, or through a callee's frame) cannot reach the records the
 * runtime reads at fault time: the resume context, the site, the marks.
 *
 * Instrumented code pushes inline (abi.h: the record after tx_top, below
 * tx_limit): a compare against the limit, the push, the record's fields.
 * Everything that is not that happens here, on the cold path: the first
 * protected call of a thread maps its stack; a full stack (unbounded
 * recursion of protected functions) aborts the innermost transaction
 * (TX_STACK_FULL); fault injection keeps tx_limit at zero so every call
 * comes here and its site is checked.
 *
 * The stack is reserved with MAP_NORESERVE (tx_stack_mb, default 32 MiB:
 * about 380,000 nested transactions of 88 bytes, more than an 8 MiB thread
 * stack holds) and only the pages written are committed. It is unmapped
 * when the thread exits (thread.c; a later part that runs protected code
 * maps a fresh one, which the next destructor round unmaps again). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "immune/immune.h"
#include "abort.h"
#include "internal.h"
#include "options.h"
#include "thread.h"

/* One cache line holds the fields every protected call touches. */
IMMUNE_TLS struct __immune_thread __immune_thread IMMUNE_EXPORT __attribute__((aligned(64)));

_Static_assert(sizeof(struct __immune_tx) == IMMUNE_TX_SIZE, "abi.h: one word per tx field");
_Static_assert(sizeof(struct __immune_thread) == 8 * IMMUNE_THREAD_NUM_FIELDS,
               "abi.h: one word per thread field");
/* The resume code (arch/x86_64/resume.S) and the pass rely on these. */
_Static_assert(__builtin_offsetof(struct __immune_tx, fp) == 0 &&
                   __builtin_offsetof(struct __immune_tx, ip) == 8 &&
                   __builtin_offsetof(struct __immune_tx, sp) == 16,
               "abi.h: the record starts with the setjmp buffer");

static size_t page_size;

/* Read by the slow path: nonzero once a site is marked for injection
 * (site_registry.c), so no thread keeps a nonzero tx_limit. */
unsigned char immune_inject_armed;

/* This thread's mapping size, fixed when it is mapped (the options may be
 * parsed after a constructor's first protected call). */
static IMMUNE_TLS size_t mapped_bytes;

static size_t stack_bytes(void) {
  uint64_t mb = (uint64_t)immune_opts.tx_stack_mb;
  if (mb == 0) mb = 32; /* options not parsed yet: the default */
  if (mb > 65536) mb = 65536;
  return (size_t)(mb << 20);
}

static void unmap_stack(void *base) {
  struct __immune_thread *t = &__immune_thread;
  if ((void *)t->tx_base != base) return;
  if (t->tx_top) return; /* a live transaction (pthread_exit inside one): keep it */
  t->tx_base = t->tx_limit = NULL;
  munmap((char *)base - page_size, mapped_bytes + 2 * page_size);
  mapped_bytes = 0;
}

void immune_tx_stack_init(void) {
  page_size = (size_t)sysconf(_SC_PAGESIZE);
}

/* Maps the calling thread's stack; 0 when it cannot (the thread then runs
 * its protected functions unprotected: see __immune_tx_enter_slow). Only
 * mmap, mprotect and pthread_setspecific: a first protected call inside a
 * signal handler must not take a lock. */
static int map_stack(void) {
  struct __immune_thread *t = &__immune_thread;
  if (!page_size) page_size = (size_t)sysconf(_SC_PAGESIZE);
  size_t bytes = stack_bytes();
  char *m = mmap(NULL, bytes + 2 * page_size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return 0;
  /* Guard pages on both sides: a wild linear write that runs into the
   * stack from a neighbouring mapping faults first. */
  mprotect(m, page_size, PROT_NONE);
  mprotect(m + page_size + bytes, page_size, PROT_NONE);
  struct __immune_tx *base = (struct __immune_tx *)(m + page_size);
  mapped_bytes = bytes;
  t->tx_base = base;
  t->tx_top = NULL;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  if (!__atomic_load_n(&immune_inject_armed, __ATOMIC_ACQUIRE))
    t->tx_limit = base + bytes / sizeof *base - 1;
  immune_thread_attach(IMMUNE_PART_TX_STACK, base, unmap_stack);
  return 1;
}

/* Whether tx is a record of this thread's stack: inside the mapping, on a
 * record boundary, below the next free one. The fault path uses nothing it
 * has not checked so (issue: never act on a record an overflow wrote). */
int immune_tx_valid(const struct __immune_tx *tx) {
  const struct __immune_thread *t = &__immune_thread;
  uintptr_t p = (uintptr_t)tx, b = (uintptr_t)t->tx_base, n = (uintptr_t)IMMUNE_TX_NEXT(t);
  return b && p >= b && p < n && (p - b) % sizeof *tx == 0 &&
         (tx->prev == NULL ? tx == t->tx_base : tx->prev == tx - 1);
}

/* Drops every record from tx (inclusive) up: the transaction stack after tx
 * and all it called have gone (aborted, or left by a non-local exit). */
void immune_tx_pop_to(struct __immune_tx *tx) {
  struct __immune_thread *t = &__immune_thread;
  t->tx_top = tx->prev;
}

/* The cold path of a protected call's entry (abi.h). */
IMMUNE_EXPORT struct __immune_tx *__immune_tx_enter_slow(struct __immune_site *site) {
  struct __immune_thread *t = &__immune_thread;
  if (!t->tx_base && !map_stack()) {
    /* No address space left for even this: a transaction with no record
     * would be a wrong heal later, so say so and die as abort() would. */
    static const char msg[] = "immune: cannot map this thread's transaction stack "
                              "(IMMUNE_OPTIONS=tx_stack_mb); aborting\n";
    immune_write_all(2, msg, sizeof msg - 1);
    immune_die_with_signal(SIGABRT);
  }
  struct __immune_tx *rec = IMMUNE_TX_NEXT(t);
  struct __immune_tx *end = t->tx_base + mapped_bytes / sizeof *rec - 1;
  if (rec >= end) {
    /* Full: unbounded recursion of protected functions. That is a fault
     * of the innermost (armed) transaction, as a stack overflow would be. */
    ucontext_t uc;
    getcontext(&uc);
    immune_abort_now(immune_innermost_armed(), &uc, "TX_STACK_FULL");
  }
  if (__atomic_load_n(&immune_inject_armed, __ATOMIC_ACQUIRE) &&
      (__atomic_load_n(&site->flags, __ATOMIC_RELAXED) & IMMUNE_SITE_INJECT)) {
    rec->prev = t->tx_top;
    rec->site = site;
    rec->aux = NULL;
    rec->slot_mark = t->slot_top;
    rec->undo_mark = t->undo_cur;
    immune_inject_abort(rec);
    return NULL;
  }
  return rec;
}

/* Site registration armed injection: this thread's calls take the slow
 * path from now on (threads started later never get a limit). */
void immune_tx_stack_arm_injection(void) {
  __atomic_store_n(&immune_inject_armed, 1, __ATOMIC_RELEASE);
  __immune_thread.tx_limit = NULL;
}

IMMUNE_EXPORT unsigned immune_tx_depth(void) {
  unsigned n = 0;
  for (struct __immune_tx *tx = __immune_thread.tx_top; tx; tx = tx->prev) ++n;
  return n;
}
