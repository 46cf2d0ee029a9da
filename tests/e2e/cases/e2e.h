/* Shared by every end-to-end case: values the optimizer cannot see through
 * (so -O2 keeps the fault where the source puts it) and self-checks that
 * print what the program got and make it exit non-zero on a wrong value.
 *
 * Works as C and as C++. Each case ends main with `return e2e_done();`. */
#ifndef IMMUNE_E2E_H
#define IMMUNE_E2E_H

#include <immune/immune.h>

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

/* The value passes through a register the compiler must assume changed, so a
 * NULL stays unknown at compile time and the access is not folded into a
 * trap or deleted as undefined behaviour. */
#define E2E_HIDE(x)                                                            \
  ({                                                                           \
    __typeof__(x) e2e_v_ = (x);                                                \
    __asm__ volatile("" : "+r"(e2e_v_));                                       \
    e2e_v_;                                                                    \
  })
#define E2E_NULL(T) E2E_HIDE((T)0)
/* Stores before it are done before anything after it starts (e.g. a load
 * that faults): for checking what a function did before its fault. */
#define E2E_BARRIER() __asm__ volatile("" ::: "memory")
/* The buffer is seen by code the compiler cannot look into, so it exists
 * at every -O level with every store made to it before this point: the
 * pass places transactions and relocates buffers after the optimizer, which
 * deletes a local buffer whose contents nothing reads (and the overflowing
 * write with it: the plain build would not overflow either). */
#define E2E_KEEP(p) __asm__ volatile("" : : "r"(p) : "memory")

static int e2e_failures;

/* Writes go straight out: a case that dies of a signal must still show what
 * it printed before. */
static inline void e2e_setup_stdio(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
}

#define E2E_REPORT(ok, what, fmt, ...)                                         \
  do {                                                                         \
    if (ok) {                                                                  \
      printf("ok   %s: " fmt "\n", what, __VA_ARGS__);                         \
    } else {                                                                   \
      printf("FAIL %s:%d %s: " fmt "\n", __FILE__, __LINE__, what,             \
             __VA_ARGS__);                                                     \
      ++e2e_failures;                                                          \
    }                                                                          \
  } while (0)

/* Integers (any width, either signedness, enums, pointers as integers). */
#define CHECK_INT(expr, want)                                                  \
  do {                                                                         \
    long long got_ = (long long)(expr), want_ = (long long)(want);             \
    E2E_REPORT(got_ == want_, #expr, "got %lld, want %lld", got_, want_);      \
  } while (0)
#define CHECK_UINT(expr, want)                                                 \
  do {                                                                         \
    unsigned long long got_ = (unsigned long long)(expr),                      \
                       want_ = (unsigned long long)(want);                     \
    E2E_REPORT(got_ == want_, #expr, "got %llu, want %llu", got_, want_);      \
  } while (0)
#define CHECK_PTR(expr, want)                                                  \
  do {                                                                         \
    const void *got_ = (const void *)(expr), *want_ = (const void *)(want);    \
    E2E_REPORT(got_ == want_, #expr, "got %p, want %p", got_, want_);          \
  } while (0)
#define CHECK_NAN(expr)                                                        \
  do {                                                                         \
    long double got_ = (expr);                                                 \
    E2E_REPORT(isnan(got_), #expr, "got %Lg, want nan", got_);                 \
  } while (0)
#define CHECK_FLT(expr, want)                                                  \
  do {                                                                         \
    long double got_ = (expr), want_ = (want);                                 \
    E2E_REPORT(got_ == want_, #expr, "got %Lg, want %Lg", got_, want_);        \
  } while (0)
#define CHECK_TRUE(expr)                                                       \
  do {                                                                         \
    int got_ = !!(expr);                                                       \
    E2E_REPORT(got_, #expr, "%s", got_ ? "true" : "false");                    \
  } while (0)

/* Every live transaction was left on the way back here. */
#define CHECK_DEPTH0() CHECK_INT(immune_tx_depth(), 0)

/* For crash cases: says where the program is about to die (the driver looks
 * for it, so an earlier, unexpected death does not pass for the right one). */
static inline void e2e_mark(const char *what) { printf("MARK %s\n", what); }

/* Bounds the main thread's stack to 8 MiB: with an unlimited limit a
 * runaway recursion would grow into the heap's address space before it
 * faults. */
static inline void e2e_bound_stack(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 &&
      (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20))) {
    rl.rlim_cur = 8u << 20;
    setrlimit(RLIMIT_STACK, &rl);
  }
}

/* fn's result, run on a new thread whose stack is `stack` bytes (a small
 * stack runs out quickly, on a thread's own alternate signal stack). */
struct e2e_thread_call {
  int (*fn)(void);
  int result;
};
static inline void *e2e_thread_entry(void *arg) {
  struct e2e_thread_call *c = (struct e2e_thread_call *)arg;
  c->result = c->fn();
  return NULL;
}
static inline int e2e_on_thread(int (*fn)(void), size_t stack) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack);
  pthread_t t;
  struct e2e_thread_call c = {fn, 0};
  CHECK_INT(pthread_create(&t, &attr, e2e_thread_entry, &c), 0);
  CHECK_INT(pthread_join(t, NULL), 0);
  pthread_attr_destroy(&attr);
  return c.result;
}

/* Faults `levels` calls below the caller, each frame a few hundred bytes:
 * deep enough to reach below the frames of any protected function the
 * caller called before, where a transaction record those calls failed to
 * drop (longjmp, exceptions) would look live again. */
static inline __attribute__((noinline)) int e2e_fault_deep(int levels) {
  volatile char frame[256];
  frame[levels & 255] = (char)levels;
  if (levels == 0) return *E2E_NULL(volatile int *);
  return e2e_fault_deep(levels - 1) + frame[levels & 255];
}

/* The end of a crash case whose fatal fault is a deep one: stops with the
 * failed checks if anything so far went wrong, else marks and faults. */
static inline int e2e_crash_deep(void) {
  if (e2e_failures) {
    printf("%d check(s) FAILED before the fatal fault\n", e2e_failures);
    return 1;
  }
  e2e_mark("faulting outside any transaction");
  e2e_fault_deep(40);
  printf("FAIL: survived a fault outside any transaction\n");
  return 1;
}

/* Whether the runtime knows `function` as a protected function. */
static inline int e2e_registered(const char *function) {
  immune_stat stats[256];
  size_t n = immune_stats(stats, 256);
  for (size_t i = 0; i < n && i < 256; ++i)
    if (stats[i].function && strcmp(stats[i].function, function) == 0)
      return 1;
  return 0;
}

static inline int e2e_done(void) {
  if (e2e_failures) {
    printf("%d check(s) FAILED\n", e2e_failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}

#endif
