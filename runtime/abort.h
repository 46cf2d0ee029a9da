/* The abort engine's interface (abort.c), for the fault handler and the
 * runtime's own detectors. */
#ifndef IMMUNE_RT_ABORT_H
#define IMMUNE_RT_ABORT_H

#include <stdint.h>

#include "immune/abi.h"

struct immune_event;

/* Whether a fault at addr with the stack pointer at sp is the stack running
 * out (a push or a frame allocation into the guard page). */
int immune_is_stack_exhaustion(int sig, uintptr_t addr, uint64_t sp);
/* The transaction a fault at fault_sp aborts, or NULL (then *why says why
 * when the reason is not simply "outside every transaction"). stack_fault:
 * the faulting address when the fault exhausted the stack, else 0;
 * guard_fault: the faulting address of a SIGSEGV/SIGBUS (a relocated
 * buffer's guard page names its owner), else 0. */
struct __immune_tx *immune_choose_transaction(uint64_t fault_sp, uintptr_t stack_fault,
                                              uintptr_t guard_fault, const char **why);
/* Whether tx's function still has the return address it had at entry. */
int immune_frame_intact(const struct __immune_tx *tx);
/* Counts an abort of s; 1 when s is over its max_recoveries budget. */
int immune_over_budget(struct __immune_site *s);
/* Counts an abort of tx at pc; 1 when it is a replay of one input beyond
 * replay_aborts (abort.c): abort the enclosing transaction instead. */
int immune_replayed(struct __immune_tx *tx, uint64_t pc);
/* The next transaction outside tx that may be resumed: valid, armed (not
 * dormant under a vaccine), its frame intact; NULL when there is none. */
struct __immune_tx *immune_enclosing_resumable(struct __immune_tx *tx);
/* The innermost live transaction that is not dormant, or NULL. */
struct __immune_tx *immune_innermost_armed(void);
/* Pops tx (and what it called), restores its slots, counts, reports ev. */
void immune_abort_transaction(struct __immune_tx *tx, struct immune_event *ev);

#endif
