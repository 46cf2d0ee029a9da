/* Backtraces of faults, taken on the fault path (see backtrace.c). */
#ifndef IMMUNE_RT_BACKTRACE_H
#define IMMUNE_RT_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#define IMMUNE_MAX_FRAMES 64

/* Fills pcs[0..] with the faulting pc and the return addresses of its
 * callers, innermost first; returns how many. Async-signal-safe. */
size_t immune_backtrace(const ucontext_t *uc, uint64_t *pcs, size_t max);

/* Called first thing by the fault handler: if this thread is walking a
 * backtrace and faulted doing so, resume the walk's checkpoint and return 1. */
int immune_backtrace_guard_resume(ucontext_t *uc);

#endif
