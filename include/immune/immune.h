/* Immune's public header: the annotations that select functions for
 * protection and the counters a program can read about its own recoveries.
 *
 *   #include <immune/immune.h>
 *
 *   IMMUNE_PROTECT int parse_header(const char *line);        // -> -1 on fault
 *   IMMUNE_RETURN(-EINVAL) int open_session(struct req *r);    // -> -EINVAL
 *   IMMUNE_SKIP int hot_path(int x);       // never protected, even by policy
 *
 * The macros expand to clang `annotate` attributes, which the pass plugin
 * reads; without the plugin they are inert, so annotated code still builds
 * with any compiler that accepts them (and to nothing with one that doesn't).
 */
#ifndef IMMUNE_IMMUNE_H
#define IMMUNE_IMMUNE_H

#include <stddef.h>
#include <stdint.h>

#if defined(__clang__)
#define IMMUNE_PROTECT __attribute__((annotate("immune")))
/* Protect and return `v` (an integer, floating or null-pointer constant) when
 * the transaction aborts. */
#define IMMUNE_RETURN(v) __attribute__((annotate("immune"), annotate("immune.return", v)))
#define IMMUNE_SKIP __attribute__((annotate("immune.skip")))
/* Protect, with a time budget: a call still running after `ms` milliseconds
 * is aborted at its next loop iteration or call, and returns its error
 * value (the runaway-loop watchdog). */
#define IMMUNE_TIMEOUT_MS(ms) __attribute__((annotate("immune"), annotate("immune.timeout_ms", ms)))
/* Protect, and while the call runs put every block it (or anything it
 * calls) allocates in a guarded heap block: a write past the end of one
 * faults at once and aborts the call, whose allocations are freed and
 * stores undone (docs/guard-heap.md). */
#define IMMUNE_GUARD_HEAP __attribute__((annotate("immune"), annotate("immune.guard_heap")))
#else
#define IMMUNE_PROTECT
#define IMMUNE_RETURN(v)
#define IMMUNE_SKIP
#define IMMUNE_TIMEOUT_MS(ms)
#define IMMUNE_GUARD_HEAP
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* One protected function as the runtime knows it. */
typedef struct immune_stat {
  const char *function;   /* demangled name */
  const char *file;       /* source file, "" when unknown */
  const char *error_value;/* what an aborted call returns, as text */
  uint64_t aborts;        /* transactions of this function that aborted */
} immune_stat;

/* Total transactions aborted (faults healed) in this process. */
uint64_t immune_recoveries(void);

/* Aborts of the protected function named `function` (demangled name as in
 * reports, e.g. "parse_header" or "Parser::run(char const*)"); 0 when no
 * such function is registered. */
uint64_t immune_function_aborts(const char *function);

/* Whether the protected function named `function` heals now: 1 yes, 0 no
 * (a live vaccine is in force and does not name it, docs/live.md), -1 no
 * such function is registered. Without IMMUNE_OPTIONS=vaccine every
 * protected function heals. */
int immune_function_armed(const char *function);

/* Copies up to `max` registered protected functions into `out` and returns
 * how many are registered in all (which may exceed `max`). */
size_t immune_stats(immune_stat *out, size_t max);

/* Nesting depth of live transactions on the calling thread (0 outside). */
unsigned immune_tx_depth(void);

/* The guard-page slots that hold relocated stack buffers (DYBOC). */
typedef struct immune_guard_info {
  uint64_t slots_in_use;     /* held by live calls on the calling thread */
  uint64_t slots_committed;  /* slots with memory, all threads (each one mapping) */
  uint64_t fallbacks;        /* buffers left on the stack: pool exhausted or > 64 KiB */
  uint64_t canary_faults;    /* overflows caught by a canary at release */
} immune_guard_info;
void immune_guard_info_get(immune_guard_info *out);

#ifdef __cplusplus
}
#endif

#endif /* IMMUNE_IMMUNE_H */
