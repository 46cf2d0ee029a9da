/* One thread-specific-data key for all of a thread's runtime state, torn
 * down in one explicit order (thread.c). */
#ifndef IMMUNE_RT_THREAD_H
#define IMMUNE_RT_THREAD_H

/* In teardown order: what a thread's exit undoes first comes first. */
enum immune_thread_part {
  IMMUNE_PART_ROLLBACK,    /* rollback.c: logged operations take effect (frees) */
  IMMUNE_PART_UNDO,        /* rollback_memory.c: the memory undo log's mapping */
  IMMUNE_PART_WATCHDOG,    /* watchdog.c: the thread's budget record */
  IMMUNE_PART_GUARD_ARENA, /* guard_pool.c: the guard slots go to the next thread */
  IMMUNE_PART_TX_STACK,    /* tx_stack.c: the transaction stack's mapping */
  IMMUNE_PART_ALT_STACK,   /* alt_stack.c: last, so faults in the others still
                              have a stack to be handled on */
  IMMUNE_THREAD_PARTS
};

/* Start-up (init.c, before anything attaches). */
void immune_thread_init(void);
/* This thread has `state` for `part`; `release(state)` runs when the thread
 * exits, in the order above. Attaching again replaces the state. */
void immune_thread_attach(enum immune_thread_part part, void *state, void (*release)(void *));
/* This thread's state for `part` is gone already (released by its owner). */
void immune_thread_detach(enum immune_thread_part part);

#endif
