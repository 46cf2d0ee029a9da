/* DYBOC's guard-paged buffers: the slots that stack arrays of protected
 * functions are moved to, so that an overflow faults on a guard page inside
 * the transaction instead of smashing the frame.
 *
 * Layout. Each thread reserves, the first time it needs a slot, one region
 * per size class: `cap` slots of [guard page][data pages], plus a final guard
 * page. Everything is reserved PROT_NONE; a slot's data pages become
 * read-write the first time that slot is used and stay so, so the guard
 * pages never move and the fast path makes no system call. A buffer is
 * placed at the END of its slot's data, flush against the next guard page:
 * one byte past the end faults. Where the buffer's alignment forces slack
 * after it, the slack is filled with canary bytes; 16 canary bytes also sit
 * just below the buffer. Canaries are checked when the slot is released.
 *
 * Allocation is a stack per class: slots are used and released in LIFO
 * order (a function releases everything above the mark it took at entry), so
 * the per-thread state is one packed word, __immune_thread.slot_top: the slot count
 * of each class in 12 bits. The mark is that word; releasing is restoring it
 * after checking the canaries of the slots above it.
 *
 * Bounds. Per thread and class at most `cap` slots (deep recursion runs out:
 * the buffer then stays on the stack, counted as a fallback); process-wide
 * at most MAX_COMMITTED slots with pages (each committed slot is a separate
 * mapping between two guards; the budget keeps the process far below
 * vm.max_map_count); buffers larger than the largest class (64 KiB) stay on
 * the stack. A thread that exits gives its arena to the next new thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "canary.h"
#include "guard_pool.h"
#include "immune/immune.h"
#include "internal.h"
#include "thread.h"

#define PAGE 4096u
#define NCLASS 5
#define TOP_BITS 12
#define TOP_MASK ((1u << TOP_BITS) - 1)
#define CANARY_LEAD 16
#define MAX_COMMITTED 16384
#define MAX_ARENAS 1024

static const uint32_t class_data[NCLASS] = {1 * PAGE, 2 * PAGE, 4 * PAGE, 8 * PAGE, 16 * PAGE};
static const uint32_t class_cap[NCLASS] = {256, 64, 32, 16, 8};

struct slot_meta {
  uintptr_t addr;    /* the buffer */
  uintptr_t trail;   /* end of the buffer: canary from here to the guard page */
  uintptr_t lead;    /* start of the 16 canary bytes below addr, 0 if none */
  const struct __immune_buffer *desc;
};

struct arena {
  _Atomic int in_use; /* owned by a live thread */
  char *base[NCLASS];
  size_t span[NCLASS];
  uint32_t committed[NCLASS];
  struct slot_meta *meta[NCLASS];
  size_t self_size; /* this struct plus the meta arrays, one mapping */
};

static IMMUNE_TLS struct arena *my_arena;

static _Atomic(struct arena *) arenas[MAX_ARENAS];
static _Atomic uint64_t committed_total, fallbacks, canary_faults;

static inline unsigned top_of(uint64_t tops, int c) {
  return (unsigned)(tops >> (TOP_BITS * c)) & TOP_MASK;
}

/* A thread's exit gives its arena back for the next thread to reuse, with
 * its slots still committed. Arenas are never unmapped: another thread's
 * fault handler may be reading any of them (immune_guard_buffer_at) at any
 * moment, and reuse also spares the next thread the mprotect calls. */
static void arena_release(void *p) {
  struct arena *a = p;
  if (my_arena == a) {
    my_arena = NULL;
    __immune_thread.slot_top = 0;
  }
  atomic_store(&a->in_use, 0);
}

/* Only for an arena that failed half-way through creation (never shared). */
static void arena_discard(struct arena *a) {
  for (int c = 0; c < NCLASS; ++c)
    if (a->base[c]) munmap(a->base[c], a->span[c]);
  munmap(a, a->self_size);
}

static struct arena *arena_create(void) {
  immune_canary_init();
  /* An arena a finished thread gave back, if there is one. */
  for (int i = 0; i < MAX_ARENAS; ++i) {
    struct arena *a = atomic_load(&arenas[i]);
    int expected = 0;
    if (a && atomic_compare_exchange_strong(&a->in_use, &expected, 1)) {
      immune_thread_attach(IMMUNE_PART_GUARD_ARENA, a, arena_release);
      my_arena = a;
      return a;
    }
  }
  size_t metas = 0;
  for (int c = 0; c < NCLASS; ++c) metas += class_cap[c];
  size_t self = (sizeof(struct arena) + metas * sizeof(struct slot_meta) + PAGE - 1) & ~(size_t)(PAGE - 1);
  struct arena *a = mmap(NULL, self, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED) return NULL;
  a->self_size = self;
  struct slot_meta *m = (struct slot_meta *)(a + 1);
  for (int c = 0; c < NCLASS; ++c) {
    a->meta[c] = m;
    m += class_cap[c];
    a->span[c] = (size_t)class_cap[c] * (PAGE + class_data[c]) + PAGE;
    void *r = mmap(NULL, a->span[c], PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) {
      a->base[c] = NULL;
      arena_discard(a);
      return NULL;
    }
    a->base[c] = r;
  }
  atomic_store(&a->in_use, 1);
  int registered = 0;
  for (int i = 0; i < MAX_ARENAS && !registered; ++i) {
    struct arena *expected = NULL;
    registered = atomic_compare_exchange_strong(&arenas[i], &expected, a);
  }
  if (!registered) { /* more live threads with slots than MAX_ARENAS */
    arena_discard(a);
    return NULL;
  }
  immune_thread_attach(IMMUNE_PART_GUARD_ARENA, a, arena_release);
  my_arena = a;
  return a;
}

/* Makes slots committed..idx of class c usable. */
static int commit(struct arena *a, int c, unsigned idx) {
  unsigned want = idx + 1 - a->committed[c];
  if (atomic_fetch_add(&committed_total, want) + want > MAX_COMMITTED) {
    atomic_fetch_sub(&committed_total, want);
    return 0;
  }
  for (unsigned i = a->committed[c]; i <= idx; ++i) {
    char *data = a->base[c] + (size_t)i * (PAGE + class_data[c]) + PAGE;
    if (mprotect(data, class_data[c], PROT_READ | PROT_WRITE) != 0) {
      atomic_fetch_sub(&committed_total, idx + 1 - i);
      return 0;
    }
    a->committed[c] = i + 1;
  }
  return 1;
}

static void *fallback(void) {
  atomic_fetch_add_explicit(&fallbacks, 1, memory_order_relaxed);
  return NULL;
}

IMMUNE_EXPORT void *__immune_slot_alloc(uint64_t size, uint64_t align,
                                        const struct __immune_buffer *desc) {
  struct arena *a = my_arena;
  if (__builtin_expect(!a, 0) && !(a = arena_create())) return fallback();
  /* Classes are 4 KiB << c: c = ceil(log2(size)) - 12, at least 0. */
  int c = size <= PAGE ? 0 : 64 - __builtin_clzll(size - 1) - 12;
  if (c >= NCLASS || align > PAGE) return fallback();
  if (align == 0 || (align & (align - 1))) align = 16;
  uint64_t tops = __immune_thread.slot_top;
  unsigned idx = top_of(tops, c);
  if (idx >= class_cap[c]) return fallback();
  if (idx >= a->committed[c] && !commit(a, c, idx)) return fallback();
  uintptr_t data = (uintptr_t)a->base[c] + (uintptr_t)idx * (PAGE + class_data[c]) + PAGE;
  uintptr_t end = data + class_data[c];
  uintptr_t p = (end - size) & ~(uintptr_t)(align - 1);
  /* The common case first: no slack after the buffer, an aligned lead. */
  if (__builtin_expect(p + size != end, 0)) immune_canary_fill(p + size, end);
  uintptr_t lead = 0;
  if (__builtin_expect(p - data >= CANARY_LEAD, 1)) {
    lead = p - CANARY_LEAD;
    if (__builtin_expect(!(p & 7), 1)) {
      ((uint64_t *)p)[-1] = immune_canary_word();
      ((uint64_t *)p)[-2] = immune_canary_word();
    } else {
      immune_canary_fill(lead, p);
    }
  }
  struct slot_meta *m = &a->meta[c][idx];
  m->addr = p;
  m->trail = p + size;
  m->lead = lead;
  m->desc = desc;
  __immune_thread.slot_top = tops + (1ull << (TOP_BITS * c));
  return (void *)p;
}

static int canary_intact(const struct slot_meta *m) {
  /* The slot's data ends at the next page boundary (the guard page): the
   * buffer sits flush against it but for less than its alignment. */
  uintptr_t end = (m->trail + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
  if (__builtin_expect(m->trail != end, 0) && !immune_canary_ok(m->trail, end)) return 0;
  if (!m->lead) return 1;
  if (__builtin_expect(!(m->addr & 7), 1))
    return ((const uint64_t *)m->addr)[-1] == immune_canary_word() &&
           ((const uint64_t *)m->addr)[-2] == immune_canary_word();
  return immune_canary_ok(m->lead, m->addr);
}

IMMUNE_EXPORT void __immune_slot_release(uint64_t mark) {
  uint64_t tops = __immune_thread.slot_top;
  if (tops == mark) return;
  const struct arena *a = my_arena;
  const struct __immune_buffer *broken = NULL;
  /* Only the classes whose count changed (usually one): a release runs at
   * every exit of a function with a relocated buffer. */
  for (uint64_t diff = a ? tops ^ mark : 0; diff;) {
    int c = __builtin_ctzll(diff) / TOP_BITS;
    diff &= ~((uint64_t)TOP_MASK << (TOP_BITS * c));
    for (unsigned i = top_of(tops, c); i > top_of(mark, c); --i)
      if (!broken && !canary_intact(&a->meta[c][i - 1])) broken = a->meta[c][i - 1].desc;
  }
  __immune_thread.slot_top = mark;
  if (broken) {
    atomic_fetch_add(&canary_faults, 1);
    immune_abort_for_canary(broken);
  }
}

/* Where addr lies in arena a: the size class and the slot. A guard page
 * counts for the slot below it (what runs past that slot's end hits it);
 * *guard says whether addr is in one. 0 when addr is in none of a's slots
 * (or in the guard page before the first). Async-signal-safe. */
static int slot_at(const struct arena *a, uintptr_t addr, int *cls, size_t *idx, int *guard) {
  for (int c = 0; c < NCLASS; ++c) {
    uintptr_t base = (uintptr_t)a->base[c];
    if (!base || addr < base || addr >= base + a->span[c]) continue;
    size_t stride = PAGE + class_data[c];
    size_t i = (addr - base) / stride, off = (addr - base) % stride;
    *guard = off < PAGE;
    if (*guard) {
      if (i == 0) return 0;
      --i;
    }
    *cls = c;
    *idx = i;
    return 1;
  }
  return 0;
}

const struct __immune_buffer *immune_guard_buffer_at(uintptr_t addr) {
  for (int i = 0; i < MAX_ARENAS; ++i) {
    const struct arena *a = atomic_load_explicit(&arenas[i], memory_order_acquire);
    int c, guard;
    size_t idx;
    /* In a guard page: past the end of the slot below (overflow). In data:
     * the slack below the buffer of this slot (underflow). */
    if (a && slot_at(a, addr, &c, &idx, &guard))
      return idx < a->committed[c] ? a->meta[c][idx].desc : NULL;
  }
  return NULL;
}

/* The transaction that took the slot whose guard page (or lead slack) addr
 * is in, among this thread's live transactions: the innermost one with
 * slots whose mark, for that class, is at or below the slot's index (slots
 * are taken right after the owner's checkpoint, so every transaction that
 * began before the slot was taken and still holds slots has a mark below
 * it, and the innermost of them took it). NULL when addr is in no slot of
 * this thread in use. Async-signal-safe: reads this thread's arena and
 * records. */
struct __immune_tx *immune_guard_owner(uintptr_t addr) {
  int c, guard;
  size_t idx;
  if (!my_arena || !slot_at(my_arena, addr, &c, &idx, &guard) ||
      idx >= top_of(__immune_thread.slot_top, c))
    return NULL;
  for (struct __immune_tx *tx = __immune_thread.tx_top; tx && immune_tx_valid(tx); tx = tx->prev)
    if (tx->site && (tx->site->flags & IMMUNE_SITE_SLOTS) && top_of(tx->slot_mark, c) <= idx)
      return tx;
  return NULL;
}

/* The relocated buffer of this thread that [addr, addr + len) starts in and
 * runs past the end of, or NULL (not in a live slot, or within the buffer).
 * For the system-call sensor (efault_sensor.c). */
const struct __immune_buffer *immune_guard_overrun(uintptr_t addr, size_t len) {
  int c, guard;
  size_t idx;
  if (!my_arena || !len || !slot_at(my_arena, addr, &c, &idx, &guard) || guard ||
      idx >= top_of(__immune_thread.slot_top, c))
    return NULL;
  const struct slot_meta *m = &my_arena->meta[c][idx];
  return addr >= m->addr && addr < m->trail && len > m->trail - addr ? m->desc : NULL;
}

IMMUNE_EXPORT void immune_guard_info_get(immune_guard_info *out) {
  uint64_t tops = __immune_thread.slot_top, n = 0;
  for (int c = 0; c < NCLASS; ++c) n += top_of(tops, c);
  out->slots_in_use = n;
  out->slots_committed = atomic_load(&committed_total);
  out->fallbacks = atomic_load(&fallbacks);
  out->canary_faults = atomic_load(&canary_faults);
}
