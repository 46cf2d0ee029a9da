/* The rollback shared by rollback.c (the policy: who owns what at a commit
 * or an abort), the log it keeps (rollback_log.h) and the interceptors that
 * fill it: rollback_heap.c, rollback_locks.c, rollback_fds.c, plus the
 * memory undo log (rollback_memory.c). See docs/rollback.md for the design. */
#ifndef IMMUNE_RT_ROLLBACK_H
#define IMMUNE_RT_ROLLBACK_H

#include <stdint.h>

#include "internal.h"
#include "rollback_log.h"

/* The interceptors of the rollback files are weak: a program that brings
 * its own malloc (or close, or pthread_mutex_lock) links and keeps it, and
 * the rollback of that kind is switched off at start-up (rollback.c). */
#define ROLLBACK_INTERCEPTOR IMMUNE_EXPORT __attribute__((weak))

/* __immune_thread.rollback_pending: the record of the transaction that
 * owns the newest segment, 0 when the log is empty; the pass calls
 * __immune_tx_commit only when it is the committing transaction's own
 * (abi.h). */

/* This thread's state; NULL until its first logged operation. */
extern IMMUNE_TLS struct rlog_thread *immune_rlog_self;

/* Bit (1 << enum rlog_id) set when IMMUNE_OPTIONS=rollback=... enables
 * that kind, and IMMUNE_ROLLBACK_MEMORY for the memory undo log; 0 before
 * start-up and outside mode=protect. */
extern unsigned immune_rollback_kinds;
#define IMMUNE_ROLLBACK_MEMORY (1u << RLOG_NLOGS)

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
 * thread's log, marked busy, or NULL when the operation is not to be
 * logged (kind disabled, log unavailable, log already busy). Leave marks
 * it not busy again. */
struct rlog_thread *immune_rlog_enter(enum rlog_id id);
void immune_rlog_leave(struct rlog_thread *t);
/* At start-up, by the file that logs entries of log id: what they mean. */
void immune_rlog_register(enum rlog_id id, const struct rlog_ops *ops);

/* Whether a return address lies in libc, the dynamic loader or the runtime:
 * memory those allocate inside a transaction is their own state (stdio
 * buffers, link maps) and is never freed by an abort. */
int immune_system_caller(uintptr_t ret);

/* A transaction starts a thread: its blocks so far may be the new
 * thread's, kept on abort (rollback_heap.c). */
void immune_heap_rollback_escape(struct rlog_thread *t);

/* Totals since start-up, for tests: aborted transactions seen by the
 * rollback, and those whose rollback was incomplete (log full). */
void immune_rollback_stats_get(uint64_t *rollbacks, uint64_t *incomplete);

/* Whether f, as the runtime's own calls bind to it, is the runtime's
 * definition (not one the program brought). */
int immune_runtime_owns(const void *f);

/* Start-up of each piece (after the options): resolves what it forwards
 * to, registers its struct rlog_ops; returns whether its interceptors are
 * the ones in effect. */
int immune_heap_rollback_init(void);
int immune_locks_rollback_init(void);
int immune_fds_rollback_init(void);

#endif
