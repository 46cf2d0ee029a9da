/* The rollback log shared by rollback.c (the log, commit and rollback) and
 * the interceptors that fill it: rollback_heap.c, rollback_locks.c,
 * rollback_fds.c. See docs/rollback.md for the design.
 *
 * Each thread has three logs (heap blocks; held locks; open descriptors and
 * streams) in one mapping made at its first logged operation, never with
 * malloc. Entries are appended in time order, so the entries of the
 * innermost live transaction are always the top of each log: a "segment"
 * records, per transaction that logged something, where its part of each
 * log starts. An inner commit pops its segment (its entries become the
 * outer one's); an abort undoes its entries in reverse and truncates. */
#ifndef IMMUNE_RT_ROLLBACK_H
#define IMMUNE_RT_ROLLBACK_H

#include <stdint.h>

#include "internal.h"

enum rb_log_id { RB_HEAP, RB_LOCKS, RB_FDS, RB_NLOGS };

enum rb_kind {
  RB_NONE,   /* dropped (a tombstone until the log is compacted) */
  RB_ALLOC,  /* heap block the transaction allocated: freed on abort */
  RB_KEEP,   /* heap block a system library allocated: kept on abort */
  RB_FREE,   /* deferred free: done at the outermost commit, dropped on abort */
  RB_MUTEX,  /* pthread mutex held: unlocked on abort */
  RB_RWLOCK, /* pthread rwlock held: unlocked on abort */
  RB_FD,     /* descriptor opened: closed on abort */
  RB_STREAM, /* FILE opened: fclose'd on abort */
};

struct rb_entry {
  uintptr_t obj;   /* block, lock, FILE *, or the descriptor */
  uint32_t token;  /* RB_FD, RB_STREAM: the descriptor's ownership token */
  uint8_t kind;    /* enum rb_kind */
  uint8_t pad;
  uint16_t fd;     /* RB_FD, RB_STREAM: the descriptor (< RB_MAX_FD) */
};

/* Descriptors at or above this are not logged (rollback_fds.c). */
#define RB_MAX_FD 65536

struct rb_log {
  struct rb_entry *e;
  uint32_t n, cap, tombs;
};

#define RB_SEG_OVERFLOW 0x1u /* something of this transaction was not logged */
#define RB_SEG_WARNED 0x2u   /* ... and the warning was printed */

struct rb_segment {
  struct __immune_tx *tx; /* owner; NULL: committed to no transaction */
  uint32_t start[RB_NLOGS];
  uint32_t flags;
  uint32_t lost; /* operations not logged */
  uint32_t pad;
};

struct rb_thread {
  struct rb_log log[RB_NLOGS];
  struct rb_segment *segs;
  uint32_t nsegs, seg_cap;
  /* Set while the log is being changed or walked: an interceptor that finds
   * it set (the log's own commit or rollback calling fclose, a signal
   * handler running protected code) goes straight through. */
  volatile int busy;
  /* Set while commit or rollback walks the entries: removals only mark
   * entries, they never shrink a log. */
  volatile int walking;
  size_t map_size;
};

/* The interceptors of the rollback files are weak: a program that brings
 * its own malloc (or close, or pthread_mutex_lock) links and keeps it, and
 * the rollback of that kind is switched off at start-up (rollback.c). */
#define RB_INTERCEPTOR IMMUNE_EXPORT __attribute__((weak))

/* __immune_thread.rollback_pending: the record of the transaction that
 * owns the newest segment, 0 when the log is empty; the pass calls
 * __immune_tx_commit only when it is the committing transaction's own
 * (abi.h). */

/* This thread's state; NULL until its first logged operation. */
extern IMMUNE_TLS struct rb_thread *immune_rb_self;

/* Bit (1 << enum rb_log_id) set when IMMUNE_OPTIONS=rollback=... enables
 * that kind, and IMMUNE_RB_MEMORY for the memory undo log; 0 before
 * start-up and outside mode=protect. */
extern unsigned immune_rb_enabled;
#define IMMUNE_RB_MEMORY (1u << RB_NLOGS)

/* The memory undo log (rollback_memory.c). Undoes tx's stores, newest
 * first, skipping the dead stack below tx's checkpoint down to sp; returns
 * how many entries it undid and sets *lost to the stores that could not be
 * logged (log full). */
uint64_t immune_undo_memory(struct __immune_tx *tx, uintptr_t sp, uint64_t *lost);
void immune_undo_after_jump(void);
/* Whether this thread's memory undo log holds entries (memory rollback on). */
int immune_undo_pending(void);
/* [p, p + len) goes back to malloc inside a transaction: the undo must not
 * put back older stores into it (malloc may reuse it). Appends a barrier to
 * the memory undo log when the log holds entries. */
void immune_undo_released(const void *p, size_t len);

/* For an interceptor called while the thread has a live transaction: the
 * thread's state, marked busy, or NULL when the operation is not to be
 * logged (kind disabled, log unavailable, log already busy). */
struct rb_thread *immune_rb_enter(enum rb_log_id id);
void immune_rb_leave(struct rb_thread *t);

/* Appends an entry to the innermost live transaction's part of log `id`.
 * Returns its index, or -1 when the log is full: the operation then goes
 * unlogged and the transaction is marked (and reported) as not fully
 * undoable. */
int64_t immune_rb_append(struct rb_thread *t, enum rb_log_id id, uintptr_t obj,
                         enum rb_kind kind, uint32_t token, int fd);
/* Drops entry idx of log `id` (it no longer needs undoing). */
void immune_rb_drop(struct rb_thread *t, enum rb_log_id id, uint32_t idx);
/* Whether entry idx of log `id` belongs to the innermost live transaction
 * itself (not to an outer one). */
int immune_rb_in_current(const struct rb_thread *t, enum rb_log_id id, uint32_t idx);
/* Index of the most recent entry (kind, obj) within the last `window`
 * entries of log `id` (0: all), or -1. */
int64_t immune_rb_find(const struct rb_thread *t, enum rb_log_id id, enum rb_kind kind,
                       uintptr_t obj, uint32_t window);
/* An operation of the innermost live transaction could not be logged. */
void immune_rb_lost(struct rb_thread *t);
void immune_rb_heap_give_up(struct rb_thread *t, struct rb_entry *e);

/* Whether a return address lies in libc, the dynamic loader or the runtime:
 * memory those allocate inside a transaction is their own state (stdio
 * buffers, link maps) and is never freed by an abort. */
int immune_rb_system_caller(uintptr_t ret);

/* Per-kind actions, implemented next to the interceptors. undo: the
 * transaction aborted; commit: it committed at the outermost level (the
 * entry takes effect). live: whether the entry still matters (compaction
 * drops the others); moved: it was moved to index idx. */
void immune_rb_heap_undo(struct rb_thread *t, struct rb_entry *e);
void immune_rb_heap_commit(struct rb_thread *t, struct rb_entry *e);
void immune_rb_heap_moved(struct rb_entry *e, uint32_t idx);
void immune_rb_heap_merged(struct rb_thread *t, uint32_t from, uint32_t owner_start);
void immune_rb_heap_escape(struct rb_thread *t);
void immune_rb_locks_undo(struct rb_entry *e);
void immune_rb_fds_undo(struct rb_entry *e);
void immune_rb_fds_commit(struct rb_entry *e);
int immune_rb_fds_live(const struct rb_entry *e);

/* Totals since start-up, for tests: aborted transactions seen by the
 * rollback, and those whose rollback was incomplete (log full). */
void immune_rb_stats_get(uint64_t *rollbacks, uint64_t *incomplete);

/* Whether f, as the runtime's own calls bind to it, is the runtime's
 * definition (not one the program brought). */
int immune_rb_ours(const void *f);

/* Start-up of each piece (after the options): resolves what it forwards
 * to; returns whether its interceptors are the ones in effect. */
int immune_rb_heap_init(void);
int immune_rb_locks_init(void);
int immune_rb_fds_init(void);

#endif
