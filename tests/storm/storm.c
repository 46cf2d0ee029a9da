/* Fault storm: many threads fault at once, inside nested transactions whose
 * stack buffers live in guard-paged slots (DYBOC), for a fixed number of
 * rounds. Every fault must heal, and after every call every invariant must
 * hold:
 *
 *   - the result is exactly what the model below predicts: the innermost
 *     transaction that faulted returns its error value, every outer one
 *     carries on and returns its normal value;
 *   - inside, immune_tx_depth() is the nesting depth; outside it is 0;
 *   - every buffer still holds what its own frame wrote into it (the aborted
 *     calls below did not touch it, and the slots they held were given back),
 *     and so does the heap block each level allocates (an aborted level's
 *     block is freed by the rollback);
 *   - between calls no guard slot is in use on the thread;
 *   - no fault signal is left blocked.
 *
 * At the end the counters add up: immune_recoveries() is the number of faults
 * caused, immune_function_aborts() of each function is what the model says,
 * the canary counter grew by the number of canary faults, nothing fell back
 * to the stack.
 *
 * The faults: NULL read and write, division by zero, a NULL function pointer,
 * strlen(NULL) inside libc, __builtin_trap (SIGILL), abort() (SIGABRT),
 * runaway recursion below the transaction (stack overflow, handled on the
 * alternate stack), a memset past a guarded buffer or VLA (guard page),
 * single NUL bytes into the canary slack after and before a buffer (found
 * when the slot is released), and a runaway loop in a function with a 2 ms
 * budget (stopped by the watchdog; the level that called it carries on).
 * Each job picks its depth, fault kind and buffer sizes from a per-thread
 * pseudo-random sequence, so a run is reproducible.
 *
 *   storm [THREADS [ROUNDS [SEED]]]     (default 8 threads, 3000 rounds, seed 1)
 *   storm --faults [THREADS [ROUNDS [SEED]]]   the number of faults (and
 *                                       recovery lines) such a run causes
 *
 * STORM_NO_RECURSION=1 in the environment replaces the runaway recursions
 * by NULL reads (same count of faults); STORM_NO_HEAP=1 leaves out the heap
 * block each level allocates (heap rollback is off under sanitizers).
 *
 * Prints "ok ..." per check and "FAIL ..." for a broken one; exits 0 only if
 * every check passed. Built by tests/storm/CMakeLists.txt with immune-cc at
 * -O0 and -O2 and run by tests/e2e/run_case.sh, which also checks the
 * recovery lines on stderr (whole lines, the documented format, the count).
 *
 * E2E-CFLAGS: -g
 * E2E-ENV: IMMUNE_OPTIONS=handle_abort=all:log_burst=0
 * E2E-RECOVERED: 22267
 * E2E-STDERR-COUNT: 0 ^immune: (crashed|escalated)
 * E2E-STDERR: ^immune: recovered SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x[0-9a-f]+ in nest \(.*storm\.c\), returning -1$
 * E2E-STDERR: ^immune: recovered SIGSEGV \(SEGV_ACCERR\) .* in nest \(.*storm\.c\), returning -1: overflow of `buf` in `nest`$
 * E2E-STDERR: ^immune: recovered SIGFPE .* in ratio \(.*storm\.c\), returning nan$
 * E2E-STDERR: ^immune: recovered SIGILL
 * E2E-STDERR: ^immune: recovered SIGABRT
 * E2E-STDERR: broken canary of a relocated buffer
 * E2E-STDERR: ^immune: recovered timeout: ran past its 2 ms budget pc 0x[0-9a-f]+ in spin \(.*storm\.c\), returning -1$
 *
 * The E2E-RECOVERED count is what `storm --faults` prints: the model's count
 * for the defaults.
 */
#define _GNU_SOURCE
#include <immune/immune.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps a value unknown to the optimizer, so -O2 keeps each fault where the
 * source puts it. */
#define HIDE(x)                                                                \
  ({                                                                           \
    __typeof__(x) v_ = (x);                                                    \
    __asm__ volatile("" : "+r"(v_));                                           \
    v_;                                                                        \
  })

enum kind {
  K_NONE,        /* this job does not fault */
  K_NULL_READ,
  K_NULL_WRITE,
  K_DIV_ZERO,    /* SIGFPE */
  K_NULL_FNPTR,  /* call through NULL: pc 0 */
  K_LIBC,        /* strlen(NULL): the fault is inside libc */
  K_TRAP,        /* SIGILL */
  K_ABORT,       /* SIGABRT raised by the process itself */
  K_RECURSION,   /* stack overflow below the transaction */
  K_GUARD,       /* memset past `buf`: hits the guard page */
  K_CANARY_END,  /* a NUL into the slack after `buf`: broken canary at release */
  K_CANARY_LEAD, /* a NUL just below `buf`: broken leading canary at release */
  K_VLA_GUARD,   /* memset past the VLA: its guard page */
  K_SPIN,        /* a runaway loop in spin(), stopped by the watchdog */
  K_KINDS
};
static const char *const kind_names[K_KINDS] = {
    "none", "null-read", "null-write", "div-zero", "null-fnptr", "libc", "trap",
    "abort", "recursion", "guard", "canary-end", "canary-lead", "vla-guard", "spin"};

#define MAX_DEPTH 6
#define BUF 40 /* aligned to 16: 8 bytes of canary slack before the guard page */

struct job {
  int depth;       /* levels of nest() below the entry: 0..MAX_DEPTH */
  int fault_at;    /* the level that faults (0 = the entry), -1: none */
  int after;       /* fault after the inner levels returned, not before */
  enum kind kind;
  int via_ratio;   /* entry is ratio() (double, NaN) instead of nest() */
  unsigned vla[MAX_DEPTH + 1]; /* VLA size at each level, bytes */
};

static _Atomic int wrong_depth, wrong_buffer;
static int heap = 1; /* STORM_NO_HEAP=1: no heap block per level */

/* Never returns: it recurses until the thread's stack runs out. Called
 * through a pointer the pass cannot follow: a callee it sees gets a
 * transactional clone whose buffer takes a guard slot at every level, and
 * the runaway would exhaust the pool (and fall back to the stack) first. */
#pragma clang diagnostic ignored "-Winfinite-recursion"
static __attribute__((noinline)) int runaway(volatile char *prev) {
  volatile char frame[512];
  frame[0] = prev ? prev[0] : 1;
  return runaway(frame) + frame[1];
}
static int (*volatile runaway_fn)(volatile char *) = runaway;

/* A loop that never ends on its own: the watchdog aborts it once its 2 ms
 * budget is spent, at the loop's back-edge, and it returns -1. The caller
 * goes on (this is not a fault of the caller's transaction). */
static volatile int forever = 1;
static _Atomic int spin_returned;
IMMUNE_TIMEOUT_MS(2) int spin(int step) {
  long x = 0;
  while (forever) x += step;
  return (int)x;
}

static void do_fault(enum kind k, char *buf, char *vla, unsigned vla_size) {
  switch (k) {
  case K_NONE: break;
  case K_NULL_READ: buf[0] = (char)*HIDE((volatile int *)0); break;
  case K_NULL_WRITE: *HIDE((volatile int *)0) = 1; break;
  case K_DIV_ZERO: buf[0] = (char)(100 / HIDE(0)); break;
  case K_NULL_FNPTR: HIDE((void (*)(void))0)(); break;
  case K_LIBC: buf[0] = (char)strlen(HIDE((const char *)0)); break;
  case K_TRAP: __builtin_trap();
  case K_ABORT: abort();
  case K_RECURSION: buf[0] = (char)runaway_fn(NULL); break;
  case K_GUARD: memset(HIDE(buf), 'G', BUF + 64); break;
  case K_CANARY_END: HIDE(buf)[BUF + 3] = 0; break;
  case K_CANARY_LEAD: HIDE(buf)[-5] = 0; break;
  case K_VLA_GUARD: memset(HIDE(vla), 'V', vla_size + 4096 + 64); break;
  case K_SPIN:
    if (spin(HIDE(3)) != -1) atomic_fetch_add(&spin_returned, 1);
    break;
  default: break;
  }
}

static void fill(char *p, size_t n, int seed) {
  for (size_t i = 0; i < n; ++i) p[i] = (char)('a' + (seed + i) % 26);
}
static int intact(const char *p, size_t n, int seed) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != (char)('a' + (seed + i) % 26)) return 0;
  return 1;
}

/* One level: a guarded fixed buffer and a guarded VLA, the level below, and
 * (at the job's level) a fault before or after it. Returns the model value. */
IMMUNE_PROTECT int nest(const struct job *j, int level) {
  char buf[BUF];
  unsigned n = j->vla[level];
  char vla[n];
  fill(buf, BUF, level);
  fill(vla, n, level + 7);
  /* A heap block of this level's own: freed on the way out, or by the
   * rollback when this level aborts. */
  char *note = heap ? malloc(16 + (size_t)level) : NULL;
  if (note) note[0] = (char)level;
  if ((int)immune_tx_depth() != level + 1) atomic_fetch_add(&wrong_depth, 1);
  if (level == j->fault_at && !j->after) do_fault(j->kind, buf, vla, n);
  int r = level < j->depth ? nest(j, level + 1) : 0;
  if ((int)immune_tx_depth() != level + 1) atomic_fetch_add(&wrong_depth, 1);
  if (!intact(buf, BUF, level) || !intact(vla, n, level + 7))
    atomic_fetch_add(&wrong_buffer, 1);
  if (level == j->fault_at && j->after) do_fault(j->kind, buf, vla, n);
  if (note && note[0] != (char)level) atomic_fetch_add(&wrong_buffer, 1);
  free(note);
  return r == -1 ? 1000 + level : r + 1;
}

/* The other entry: a double, so an aborted call returns NaN. */
IMMUNE_PROTECT double ratio(const struct job *j) {
  char buf[BUF];
  unsigned n = j->vla[0];
  char vla[n];
  fill(buf, BUF, 99);
  fill(vla, n, 98);
  if (j->fault_at == 0 && !j->after) do_fault(j->kind, buf, vla, n);
  int r = j->depth > 0 ? nest(j, 1) : 0;
  if (!intact(buf, BUF, 99) || !intact(vla, n, 98)) atomic_fetch_add(&wrong_buffer, 1);
  if (j->fault_at == 0 && j->after) do_fault(j->kind, buf, vla, n);
  return r / 2.0;
}

/* What the model says the entry returns. */
static int model_nest(const struct job *j, int level) {
  if (level == j->fault_at && j->kind != K_SPIN) return -1;
  int r = level < j->depth ? model_nest(j, level + 1) : 0;
  return r == -1 ? 1000 + level : r + 1;
}
static double model(const struct job *j) {
  if (!j->via_ratio) return model_nest(j, 0);
  if (j->fault_at == 0 && j->kind != K_SPIN) return NAN;
  return (j->depth > 0 ? model_nest(j, 1) : 0) / 2.0;
}

static uint64_t next_rand(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static int no_recursion; /* STORM_NO_RECURSION=1 */

static void make_job(uint64_t *rng, struct job *j) {
  static const unsigned sizes[] = {1, 16, 200, 3000, 5000, 12000, 30000};
  memset(j, 0, sizeof *j);
  j->depth = (int)(next_rand(rng) % (MAX_DEPTH + 1));
  j->via_ratio = next_rand(rng) % 4 == 0;
  j->kind = (enum kind)(next_rand(rng) % K_KINDS);
  /* Runaway recursion is slow: rarer. STORM_NO_RECURSION=1 turns it into a
   * NULL read with the same random draws, so the fault count stays (TSan's
   * shadow call stack is shallower than the thread's stack and overflows
   * into TSan's own memory first; tests/sanitize/run.sh). */
  if (j->kind == K_RECURSION && (next_rand(rng) % 8 || no_recursion)) j->kind = K_NULL_READ;
  /* A spin lasts its 2 ms budget and more: rarer too. */
  if (j->kind == K_SPIN && next_rand(rng) % 4) j->kind = K_NULL_WRITE;
  j->fault_at = j->kind == K_NONE ? -1 : (int)(next_rand(rng) % (unsigned)(j->depth + 1));
  j->after = next_rand(rng) % 2;
  for (int l = 0; l <= MAX_DEPTH; ++l)
    j->vla[l] = sizes[next_rand(rng) % (sizeof sizes / sizeof sizes[0])];
}

struct tally {
  int index; /* the thread's number: its random sequence */
  uint64_t jobs, faults, nest_aborts, ratio_aborts, spin_aborts, canary, wrong_result,
      wrong_outside,
      slots_left, blocked;
  uint64_t by_kind[K_KINDS];
  char first_wrong[200];
};

static int rounds = 3000;
static uint64_t seed = 1;
static pthread_barrier_t start;

static void *worker(void *arg) {
  struct tally *t = arg;
  uint64_t rng = seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t->index + 1;
  rng = rng ? rng : 1;
  pthread_barrier_wait(&start);
  for (int r = 0; r < rounds; ++r) {
    struct job j;
    make_job(&rng, &j);
    double want = model(&j), got = j.via_ratio ? ratio(&j) : nest(&j, 0);
    t->jobs++;
    if (j.fault_at >= 0) {
      t->faults++;
      t->by_kind[j.kind]++;
      if (j.kind == K_CANARY_END || j.kind == K_CANARY_LEAD) t->canary++;
      if (j.kind == K_SPIN) t->spin_aborts++;
      else if (j.via_ratio && j.fault_at == 0) t->ratio_aborts++;
      else t->nest_aborts++;
    }
    if (!(got == want || (isnan(got) && isnan(want)))) {
      if (!t->wrong_result++)
        snprintf(t->first_wrong, sizeof t->first_wrong,
                 "round %d: %s depth %d fault %s at %d (%s): got %g, want %g", r,
                 j.via_ratio ? "ratio" : "nest", j.depth, kind_names[j.kind], j.fault_at,
                 j.after ? "after" : "before", got, want);
    }
    if (immune_tx_depth() != 0) t->wrong_outside++;
    immune_guard_info g;
    immune_guard_info_get(&g);
    if (g.slots_in_use != 0) t->slots_left++;
  }
  sigset_t cur;
  pthread_sigmask(SIG_SETMASK, NULL, &cur);
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; ++i)
    t->blocked += sigismember(&cur, sigs[i]) == 1;
  return NULL;
}

static int failures;
#define CHECK(what, got, want)                                                 \
  do {                                                                         \
    unsigned long long g_ = (got), w_ = (want);                                \
    printf("%s %s: %llu (want %llu)\n", g_ == w_ ? "ok  " : "FAIL", what, g_, w_); \
    failures += g_ != w_;                                                      \
  } while (0)

/* storm --faults [THREADS [ROUNDS [SEED]]]: only the number of faults such
 * a run causes (and so of recovery lines), from the model, without running
 * it: what this file's E2E-RECOVERED line says for the defaults. */
static int count_faults(int threads, int rounds_, uint64_t seed_) {
  uint64_t faults = 0;
  for (int i = 0; i < threads; ++i) {
    uint64_t rng = seed_ * 0x9e3779b97f4a7c15ULL + (uint64_t)i + 1;
    rng = rng ? rng : 1;
    for (int r = 0; r < rounds_; ++r) {
      struct job j;
      make_job(&rng, &j);
      faults += j.fault_at >= 0;
    }
  }
  printf("%llu\n", (unsigned long long)faults);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--faults") == 0)
    return count_faults(argc > 2 ? atoi(argv[2]) : 8, argc > 3 ? atoi(argv[3]) : 3000,
                        argc > 4 ? strtoull(argv[4], NULL, 10) : 1);
  int threads = argc > 1 ? atoi(argv[1]) : 8;
  if (argc > 2) rounds = atoi(argv[2]);
  if (argc > 3) seed = strtoull(argv[3], NULL, 10);
  if (threads < 1 || threads > 256 || rounds < 1) {
    fprintf(stderr, "usage: storm [THREADS [ROUNDS [SEED]]]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *nr = getenv("STORM_NO_RECURSION");
  no_recursion = nr && *nr == '1';
  const char *nh = getenv("STORM_NO_HEAP");
  heap = !(nh && *nh == '1');
  immune_guard_info before;
  immune_guard_info_get(&before);
  uint64_t recoveries_before = immune_recoveries();

  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  struct tally *t = calloc((size_t)threads, sizeof *t);
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 20); /* runaway recursion ends sooner */
  for (int i = 0; i < threads; ++i) t[i].index = i;
  for (int i = 0; i < threads; ++i)
    if (pthread_create(&tid[i], &attr, worker, &t[i]) != 0) {
      printf("FAIL pthread_create %d\n", i);
      return 1;
    }
  struct tally sum = {0};
  for (int i = 0; i < threads; ++i) {
    pthread_join(tid[i], NULL);
    sum.jobs += t[i].jobs;
    sum.faults += t[i].faults;
    sum.nest_aborts += t[i].nest_aborts;
    sum.ratio_aborts += t[i].ratio_aborts;
    sum.spin_aborts += t[i].spin_aborts;
    sum.canary += t[i].canary;
    sum.wrong_result += t[i].wrong_result;
    sum.wrong_outside += t[i].wrong_outside;
    sum.slots_left += t[i].slots_left;
    sum.blocked += t[i].blocked;
    for (int k = 0; k < K_KINDS; ++k) sum.by_kind[k] += t[i].by_kind[k];
    if (t[i].wrong_result) printf("FAIL thread %d, first wrong result: %s\n", i, t[i].first_wrong);
  }
  free(tid);
  free(t);
  immune_guard_info after;
  immune_guard_info_get(&after);

  printf("storm: %d threads x %d rounds (seed %llu): %llu jobs, %llu faults:", threads,
         rounds, (unsigned long long)seed, (unsigned long long)sum.jobs,
         (unsigned long long)sum.faults);
  for (int k = 1; k < K_KINDS; ++k)
    printf(" %s %llu", kind_names[k], (unsigned long long)sum.by_kind[k]);
  printf("\n");
  CHECK("jobs run", sum.jobs, (unsigned long long)threads * (unsigned long long)rounds);
  CHECK("wrong results", sum.wrong_result, 0);
  CHECK("immune_tx_depth() != level+1 inside", atomic_load(&wrong_depth), 0);
  CHECK("buffers changed by calls below", atomic_load(&wrong_buffer), 0);
  CHECK("calls after which immune_tx_depth() != 0", sum.wrong_outside, 0);
  CHECK("calls after which a guard slot stayed in use", sum.slots_left, 0);
  CHECK("fault signals left blocked in a thread", sum.blocked, 0);
  CHECK("immune_recoveries()", immune_recoveries() - recoveries_before, sum.faults);
  CHECK("immune_function_aborts(\"nest\")", immune_function_aborts("nest"), sum.nest_aborts);
  CHECK("immune_function_aborts(\"ratio\")", immune_function_aborts("ratio"), sum.ratio_aborts);
  CHECK("immune_function_aborts(\"spin\") (the watchdog)", immune_function_aborts("spin"),
        sum.spin_aborts);
  CHECK("spin() calls that returned anything but -1", atomic_load(&spin_returned), 0);
  CHECK("canary faults", after.canary_faults - before.canary_faults, sum.canary);
  CHECK("fallbacks to the stack", after.fallbacks - before.fallbacks, 0);
  CHECK("slots in use on the main thread", after.slots_in_use, 0);
  /* The count in this file's E2E-RECOVERED line is for the defaults. */
  printf("storm: %llu faults healed\n", (unsigned long long)sum.faults);
  if (failures) {
    printf("%d check(s) FAILED\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
