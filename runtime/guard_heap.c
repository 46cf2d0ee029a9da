/* The guarded heap: heap blocks whose last byte sits right below a
 * PROT_NONE page, so that a write past the end faults at the bad store, in
 * the function that made it, while its transaction can still roll back —
 * instead of corrupting glibc's chunk headers and dying much later inside
 * malloc, where nothing can be healed (bc 1.06's more_arrays). It is DYBOC's
 * guard-paged stack slots (guard_pool.c) for the heap, in gwp_asan's manner.
 *
 * Layout. One reservation, PROT_NONE and MAP_NORESERVE, made at the first
 * guarded allocation: per size class (data of 4 KiB << c, c < NCLASS) a
 * run of slots of [data pages][guard page]. A slot's data pages become
 * read-write when the slot is first used and stay so: reuse makes no system
 * call and the guard pages never move. A block is placed at the END of its
 * slot's data: the program's bytes end flush against the guard page, but
 * for the slack its alignment forces (less than 16 bytes for malloc), which
 * is filled with canary; the caller's header (rollback_heap.c) sits in
 * front of the program's bytes, and 16 canary bytes in front of the header
 * when the slot has room. Canaries are checked when the program frees or
 * reallocates the block (rollback_heap.c asks immune_gh_intact).
 *
 * Bounds. At most guard_heap_mb MiB of data pages are ever committed, and
 * at most MAX_SLOTS slots (each committed slot is two mappings: the process
 * stays far below vm.max_map_count next to guard_pool.c's 16384). A freed
 * slot goes to its class's FIFO and is reused once QUARANTINE slots of that
 * class wait there (a short quarantine: a use just after free hits a slot
 * nobody reuses yet), or at once when the budget is used up. A block the
 * pool cannot serve (larger than the largest class, or the budget used up
 * and nothing free) is the caller's to get from malloc; the first time the
 * budget runs out one line says so.
 *
 * The metadata is one fixed array per class inside its own mapping, written
 * under a spinlock by allocation and free (ordinary code: the allocator
 * interceptors), read without it by the fault handler (immune_gh_block_at),
 * which only looks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "canary.h"
#include "guard_heap.h"
#include "internal.h"
#include "options.h"

#define PAGE 4096u
#define NCLASS 8 /* 4 KiB ... 512 KiB of data per slot */
#define QUARANTINE 8
#define MAX_SLOTS 8192u
#define LEAD 16u

struct gh_slot {
  uintptr_t start;       /* the block (the caller's header), 0 when free */
  uint64_t n;            /* the program's bytes */
  uintptr_t pc;          /* who allocated it */
  uint32_t off;          /* header size: the program's bytes are at start + off */
  uint32_t next;         /* FIFO of free slots: index + 1, 0 = end */
  _Atomic uint32_t live; /* read by the fault handler */
};

struct gh_class {
  uintptr_t base;       /* first slot */
  size_t nslots;        /* slots reserved */
  uint32_t bump;        /* slots ever used (committed): 0..bump-1 */
  uint32_t head, tail;  /* FIFO of freed slots, index + 1 */
  uint32_t nfree;
  struct gh_slot *meta; /* nslots entries */
};

static struct gh_class cls[NCLASS];
static uintptr_t gh_lo, gh_hi; /* the reservation, for immune_gh_contains */
static atomic_flag lock = ATOMIC_FLAG_INIT;
static int ready;              /* under lock: 1 reserved, -1 could not */
static uint64_t cap_bytes, committed_bytes;
static uint32_t committed_slots;
static _Atomic uint64_t n_live, n_reused, n_fallbacks;
static _Atomic int warned, atfork_done;

static inline size_t class_data(int c) { return (size_t)PAGE << c; }
static inline size_t class_stride(int c) { return class_data(c) + PAGE; }
static inline uintptr_t slot_data(const struct gh_class *k, int c, uint32_t i) {
  return k->base + (uintptr_t)i * class_stride(c);
}

static void lock_pool(void) {
  while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) sched_yield();
}
static void unlock_pool(void) { atomic_flag_clear_explicit(&lock, memory_order_release); }

/* Reserves the address space and the metadata, once (under the lock). The
 * reservation holds guard_heap_mb MiB of data in every class, so any one
 * class can use the whole budget; only committed pages cost memory. */
static int reserve(void) {
  if (ready) return ready > 0;
  ready = -1;
  long mb = immune_opts.guard_heap_mb;
  cap_bytes = (uint64_t)(mb > 16384 ? 16384 : mb) << 20;
  if (!cap_bytes) return 0;
  immune_canary_init();
  size_t span = 0, metas = 0;
  for (int c = 0; c < NCLASS; ++c) {
    cls[c].nslots = cap_bytes / class_data(c);
    if (cls[c].nslots > MAX_SLOTS) cls[c].nslots = MAX_SLOTS;
    span += cls[c].nslots * class_stride(c);
    metas += cls[c].nslots;
  }
  void *r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) return 0;
  void *m = mmap(NULL, metas * sizeof(struct gh_slot), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    munmap(r, span);
    return 0;
  }
  uintptr_t at = (uintptr_t)r;
  struct gh_slot *meta = m;
  for (int c = 0; c < NCLASS; ++c) {
    cls[c].base = at;
    cls[c].meta = meta;
    at += cls[c].nslots * class_stride(c);
    meta += cls[c].nslots;
  }
  gh_lo = (uintptr_t)r;
  __atomic_store_n(&gh_hi, (uintptr_t)r + span, __ATOMIC_RELEASE);
  ready = 1;
  return 1;
}

static void warn_full(void) {
  if (atomic_exchange(&warned, 1) || immune_opts.verbosity < 1) return;
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: guarded heap full (");
  immune_buf_udec(&b, (uint64_t)immune_opts.guard_heap_mb);
  immune_buf_str(&b, " MiB in use): further blocks of guard_heap functions come from malloc, "
                     "without a guard page (IMMUNE_OPTIONS=guard_heap_mb)\n");
  immune_write_all(2, b.data, b.len);
}

static uint32_t pop_free(struct gh_class *k) {
  uint32_t i = k->head - 1;
  k->head = k->meta[i].next;
  if (!k->head) k->tail = 0;
  --k->nfree;
  atomic_fetch_add_explicit(&n_reused, 1, memory_order_relaxed);
  return i;
}

/* A slot of class c for a new block, or -1 (under the lock). */
static int64_t take_slot(int c) {
  struct gh_class *k = &cls[c];
  if (k->nfree > QUARANTINE) return pop_free(k);
  if (k->bump < k->nslots && committed_bytes + class_data(c) <= cap_bytes &&
      committed_slots < MAX_SLOTS &&
      mprotect((void *)slot_data(k, c, k->bump), class_data(c), PROT_READ | PROT_WRITE) == 0) {
    committed_bytes += class_data(c);
    ++committed_slots;
    return k->bump++;
  }
  if (k->nfree) return pop_free(k);
  return -1;
}

void *immune_gh_alloc(size_t n, size_t off, uintptr_t pc) {
  /* The class leaves room for the header and for the alignment's slack
   * (less than off) below the program's bytes. */
  if (n > class_data(NCLASS - 1)) goto none;
  size_t need = n + 2 * off;
  int c = need <= PAGE ? 0 : 64 - __builtin_clzll(need - 1) - 12;
  if (c >= NCLASS) goto none;
  /* A fork while another thread holds the lock would leave the child's pool
   * locked forever: the fork takes it and both sides release it. Registered
   * outside the lock: pthread_atfork allocates (from libc, so not here). */
  if (!atomic_load_explicit(&atfork_done, memory_order_relaxed) && !atomic_exchange(&atfork_done, 1))
    pthread_atfork(lock_pool, unlock_pool, unlock_pool);
  lock_pool();
  int64_t i = reserve() ? take_slot(c) : -1;
  if (i < 0) {
    unlock_pool();
    if (ready > 0) warn_full();
    goto none;
  }
  struct gh_class *k = &cls[c];
  struct gh_slot *m = &k->meta[i];
  uintptr_t data = slot_data(k, c, (uint32_t)i), end = data + class_data(c);
  uintptr_t user = (end - n) & ~(uintptr_t)(off - 1), start = user - off;
  m->start = start;
  m->n = n;
  m->pc = pc;
  m->off = (uint32_t)off;
  m->next = 0;
  atomic_store_explicit(&m->live, 1, memory_order_release);
  unlock_pool();
  immune_canary_fill(user + n, end);
  if (start - data >= LEAD) immune_canary_fill(start - LEAD, start);
  atomic_fetch_add_explicit(&n_live, 1, memory_order_relaxed);
  return (void *)start;
none:
  atomic_fetch_add_explicit(&n_fallbacks, 1, memory_order_relaxed);
  return NULL;
}

int immune_gh_contains(const void *p) {
  uintptr_t a = (uintptr_t)p;
  return a >= gh_lo && a < __atomic_load_n(&gh_hi, __ATOMIC_RELAXED);
}

/* The slot addr lies in (its data or the guard page after it): class and
 * index; 0 when addr is in no slot ever used. Async-signal-safe. */
static int slot_of(uintptr_t addr, int *cls_out, uint32_t *idx, int *guard) {
  if (!immune_gh_contains((const void *)addr)) return 0;
  for (int c = 0; c < NCLASS; ++c) {
    const struct gh_class *k = &cls[c];
    uintptr_t span = k->nslots * class_stride(c);
    if (addr < k->base || addr >= k->base + span) continue;
    size_t i = (addr - k->base) / class_stride(c);
    if (i >= __atomic_load_n(&k->bump, __ATOMIC_RELAXED)) return 0;
    *cls_out = c;
    *idx = (uint32_t)i;
    *guard = (addr - k->base) % class_stride(c) >= class_data(c);
    return 1;
  }
  return 0;
}

static struct gh_slot *live_slot(const void *base, int *c, uint32_t *i) {
  int guard;
  if (!slot_of((uintptr_t)base, c, i, &guard) || guard) return NULL;
  struct gh_slot *m = &cls[*c].meta[*i];
  return atomic_load_explicit(&m->live, memory_order_acquire) && m->start == (uintptr_t)base ? m
                                                                                             : NULL;
}

int immune_gh_intact(const void *base) {
  int c;
  uint32_t i;
  const struct gh_slot *m = live_slot(base, &c, &i);
  if (!m) return 0;
  uintptr_t data = slot_data(&cls[c], c, i), end = data + class_data(c);
  uintptr_t start = m->start, user = start + m->off;
  if (!immune_canary_ok(user + m->n, end)) return 0;
  return start - data < LEAD || immune_canary_ok(start - LEAD, start);
}

size_t immune_gh_size(const void *base) {
  int c;
  uint32_t i;
  const struct gh_slot *m = live_slot(base, &c, &i);
  return m ? m->n : 0;
}

void immune_gh_free(void *base) {
  int c;
  uint32_t i;
  struct gh_slot *m = live_slot(base, &c, &i);
  if (!m) return; /* not a live block: freed twice (the header said live) */
  struct gh_class *k = &cls[c];
  lock_pool();
  atomic_store_explicit(&m->live, 0, memory_order_relaxed);
  m->start = 0;
  m->next = 0;
  if (k->tail)
    k->meta[k->tail - 1].next = i + 1;
  else
    k->head = i + 1;
  k->tail = i + 1;
  ++k->nfree;
  unlock_pool();
  atomic_fetch_sub_explicit(&n_live, 1, memory_order_relaxed);
}

int immune_gh_block_at(uintptr_t addr, struct immune_heap_hit *out) {
  int c, guard;
  uint32_t i;
  if (!slot_of(addr, &c, &i, &guard)) return 0;
  const struct gh_slot *m = &cls[c].meta[i];
  if (!atomic_load_explicit(&m->live, memory_order_acquire)) return 0;
  out->size = m->n;
  out->block = m->start + m->off;
  out->alloc_pc = m->pc;
  out->guard = guard;
  return 1;
}

void immune_gh_stats_get(struct immune_gh_stats *out) {
  out->live = atomic_load(&n_live);
  lock_pool();
  out->committed_bytes = committed_bytes;
  unlock_pool();
  out->reused = atomic_load(&n_reused);
  out->fallbacks = atomic_load(&n_fallbacks);
}

static IMMUNE_TLS uint64_t sample_tick;

int immune_gh_sampled(void) {
  long every = immune_opts.guard_heap_sample;
  return every > 0 && ++sample_tick % (uint64_t)every == 0;
}
