/* The rollback log as a data structure (rollback_log.c): a thread's logs of
 * heap blocks, held locks and open descriptors, cut into per-transaction
 * segments. It knows nothing of what an entry means: what an undo, a commit
 * or a compaction does to an entry is the operations table of its log
 * (struct rlog_ops), registered by the file that logs that kind
 * (rollback_heap.c, rollback_locks.c, rollback_fds.c). When a transaction
 * aborts or commits, and whose segments are its, is rollback.c's policy.
 *
 * Each thread has three logs in one mapping made at its first logged
 * operation, never with malloc. Entries are appended in time order, so the
 * entries of the innermost live transaction are always the top of each
 * log: a segment records, per transaction that logged something, where its
 * part of each log starts. An inner commit merges its segment into the
 * outer one (its entries become the outer one's); an abort undoes its
 * entries in reverse and truncates.
 *
 * Nothing here takes a lock or allocates: the log is per thread, and the
 * caller marks it busy (rollback.c) while it changes it. */
#ifndef IMMUNE_RT_ROLLBACK_LOG_H
#define IMMUNE_RT_ROLLBACK_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

enum rlog_id { RLOG_HEAP, RLOG_LOCKS, RLOG_FDS, RLOG_NLOGS };

enum rlog_kind {
  RLOG_NONE,   /* dropped (a tombstone until the log is compacted) */
  RLOG_ALLOC,  /* heap block the transaction allocated: freed on abort */
  RLOG_KEEP,   /* heap block a system library allocated: kept on abort */
  RLOG_FREE,   /* deferred free: done at the outermost commit, dropped on abort */
  RLOG_MUTEX,  /* pthread mutex held: unlocked on abort */
  RLOG_RWLOCK, /* pthread rwlock held: unlocked on abort */
  RLOG_FD,     /* descriptor opened: closed on abort */
  RLOG_STREAM, /* FILE opened: fclose'd on abort */
};

struct rlog_entry {
  uintptr_t obj;   /* block, lock, FILE *, or the descriptor */
  uint32_t token;  /* RLOG_FD, RLOG_STREAM: the descriptor's ownership token */
  uint8_t kind;    /* enum rlog_kind */
  uint8_t pad;
  uint16_t fd;     /* RLOG_FD, RLOG_STREAM: the descriptor (< RLOG_MAX_FD) */
};

/* Descriptors at or above this are not logged (rollback_fds.c). */
#define RLOG_MAX_FD 65536

/* One of a thread's logs: entries [0, n), `tombs` of them RLOG_NONE. */
struct rlog_entries {
  struct rlog_entry *e;
  uint32_t n, cap, tombs;
};

#define RLOG_SEG_OVERFLOW 0x1u /* something of this transaction was not logged */
#define RLOG_SEG_WARNED 0x2u   /* ... and the warning was printed */

struct rlog_segment {
  struct __immune_tx *tx; /* owner; NULL: committed to no transaction */
  uint32_t start[RLOG_NLOGS];
  uint32_t flags;
  uint32_t lost; /* operations not logged */
  uint32_t pad;
};

/* What undoing an entry did, for the rollback report (rollback_report.c). */
enum rlog_undone {
  RLOG_UNDID_NOTHING,
  RLOG_UNDID_FREE_BLOCK,    /* a block the transaction allocated, freed */
  RLOG_UNDID_CANCEL_FREE,   /* a free it made, cancelled */
  RLOG_UNDID_RELEASE_LOCK,  /* a lock it held, released */
  RLOG_UNDID_CLOSE,         /* a descriptor it opened, closed */
  RLOG_UNDID_KINDS
};

struct rlog_thread;

/* What the log does with the entries of one log. A NULL member does
 * nothing (live: every entry is live). Called with the log busy and
 * walking: removals inside them only mark entries. */
struct rlog_ops {
  /* The entry's transaction aborted. */
  enum rlog_undone (*undo)(struct rlog_thread *t, struct rlog_entry *e);
  /* No live transaction of this thread owns the entry any more: it takes
   * effect (a deferred free is done, a block becomes ordinary). */
  void (*commit)(struct rlog_thread *t, struct rlog_entry *e);
  /* An enclosing transaction gives the entry up to make room for an inner
   * one's: it takes effect now, while transactions are still live. */
  void (*give_up)(struct rlog_thread *t, struct rlog_entry *e);
  /* Whether the entry still matters; compaction drops the others. */
  int (*live)(const struct rlog_entry *e);
  /* Compaction moved the entry to index idx. */
  void (*moved)(struct rlog_entry *e, uint32_t idx);
  /* An inner transaction committed: its entries from index `from` on are
   * now those of the enclosing transaction whose entries start at
   * owner_start. */
  void (*merged)(struct rlog_thread *t, uint32_t from, uint32_t owner_start);
};

struct rlog_thread {
  struct rlog_entries log[RLOG_NLOGS];
  struct rlog_segment *segs;
  uint32_t nsegs, seg_cap;
  const struct rlog_ops *const *ops; /* [RLOG_NLOGS], entries may be NULL */
  /* Set while the log is being changed or walked: an interceptor that finds
   * it set (the log's own commit or rollback calling fclose, a signal
   * handler running protected code) goes straight through. */
  volatile int busy;
  /* Set while commit or rollback walks the entries: removals only mark
   * entries, they never shrink a log. */
  volatile int walking;
  size_t map_size;
};

/* Bytes of one thread's log with room for log_cap entries per log and
 * seg_cap segments, header included (a multiple of the page size). */
size_t immune_rlog_bytes(uint32_t log_cap, uint32_t seg_cap);
/* Lays out an empty log in mem (immune_rlog_bytes(log_cap, seg_cap) bytes,
 * zeroed) with the operations ops[RLOG_NLOGS]. */
struct rlog_thread *immune_rlog_init(void *mem, uint32_t log_cap, uint32_t seg_cap,
                                     const struct rlog_ops *const *ops);

/* Appends an entry to tx's part of log `id`; tx is the innermost live
 * transaction. Returns its index, or -1 when the log is full even after
 * compaction and the enclosing transactions gave up their entries: the
 * operation then goes unlogged and tx's segment is marked (and reported)
 * as not fully undoable. */
int64_t immune_rlog_append(struct rlog_thread *t, const struct __immune_tx *tx, enum rlog_id id,
                           uintptr_t obj, enum rlog_kind kind, uint32_t token, int fd);
/* Drops entry idx of log `id` (it no longer needs undoing). */
void immune_rlog_drop(struct rlog_thread *t, enum rlog_id id, uint32_t idx);
/* Whether entry idx of log `id` belongs to tx's own segment, the newest. */
int immune_rlog_in_current(const struct rlog_thread *t, const struct __immune_tx *tx,
                           enum rlog_id id, uint32_t idx);
/* Index of the most recent entry (kind, obj) within the last `window`
 * entries of log `id` (0: all), or -1. */
int64_t immune_rlog_find(const struct rlog_thread *t, enum rlog_id id, enum rlog_kind kind,
                         uintptr_t obj, uint32_t window);
/* An operation of tx (the innermost live transaction) could not be logged. */
void immune_rlog_lost(struct rlog_thread *t, const struct __immune_tx *tx);

/* Segments j.. become one segment of `target` (merged into the one below
 * if that is target's already). Their entries are target's from now on. */
void immune_rlog_merge(struct rlog_thread *t, uint32_t j, struct __immune_tx *target);
/* The same for an inner transaction that committed into target: then each
 * log's `merged` runs over the entries that became target's. */
void immune_rlog_commit_into(struct rlog_thread *t, uint32_t j, struct __immune_tx *target);
/* Undoes the entries of segments k.. newest first (locks, then
 * descriptors, then the heap, whose blocks may hold either), removes them
 * and adds what was done to undone[RLOG_UNDID_KINDS]. */
void immune_rlog_undo_from(struct rlog_thread *t, uint32_t k, uint32_t *undone);
/* Every entry takes effect (commit) and the log is empty. */
void immune_rlog_take_effect_all(struct rlog_thread *t);

#endif
