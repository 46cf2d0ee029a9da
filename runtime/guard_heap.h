/* The guarded heap (guard_heap.c): blocks whose end sits flush against a
 * PROT_NONE page, for the functions a policy marks guard_heap and for the
 * oracle's sampled allocations. rollback_heap.c decides which allocations
 * come here and keeps its block header in front of each block; this pool
 * knows nothing of transactions. */
#ifndef IMMUNE_RT_GUARD_HEAP_H
#define IMMUNE_RT_GUARD_HEAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A block of off + n bytes at a start aligned to off (a power of two, 16 or
 * more), so the caller's header fits in the first off bytes and the
 * program's n bytes end flush against the guard page, but for less than off
 * bytes of canary. NULL when the pool cannot serve it (larger than the
 * largest class, or guard_heap_mb used up: one warning line, once). pc: who
 * allocated it, for reports. Not async-signal-safe (it takes the pool's
 * spinlock). */
void *immune_gh_alloc(size_t n, size_t off, uintptr_t pc);
/* Whether p lies in the pool's reservation: one range check, usable on any
 * pointer without reading it. */
int immune_gh_contains(const void *p);
/* Whether the start `base` (from immune_gh_alloc) is a live block with its
 * canaries intact (before it, after it). */
int immune_gh_intact(const void *base);
/* The program's n of the live block at base. */
size_t immune_gh_size(const void *base);
/* Gives the block at base back (no canary check: the caller checked, or the
 * block is being discarded by a rollback). */
void immune_gh_free(void *base);

/* A fault address in the guarded heap, mapped back to its block. */
struct immune_heap_hit {
  uint64_t size;      /* the program's bytes */
  uintptr_t block;    /* the program's first byte */
  uintptr_t alloc_pc; /* who allocated it */
  int guard;          /* 1: addr is in the guard page after the block */
};
/* Fills *out for addr inside a live block's slot or the guard page after
 * it; 0 when addr is not in the guarded heap's used part. Async-signal-safe:
 * reads the fixed metadata only. */
int immune_gh_block_at(uintptr_t addr, struct immune_heap_hit *out);

struct immune_gh_stats {
  uint64_t live, committed_bytes, reused, fallbacks;
};
void immune_gh_stats_get(struct immune_gh_stats *out);

/* Whether an allocation inside a transaction is sampled for the oracle
 * (IMMUNE_OPTIONS=guard_heap_sample=N: every Nth on each thread). */
int immune_gh_sampled(void);

#ifdef __cplusplus
}
#endif

#endif
