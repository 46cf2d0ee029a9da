/* Eight threads overflow protected buffers at once, 1,000 times each (past a
 * char[16] onto its guard page, one past a char[20] into canary slack, past
 * a VLA, and inside a nested protected call while the outer one holds a
 * slot), between calls with good input. Every overflow heals with the right
 * value, each thread's slot stack is empty after every call and at its end,
 * each report line is whole, and an exited thread's arena (with its
 * committed slots) is reused by the next thread: a second wave of threads
 * commits (almost) no new slot.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 16000
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in parse_header \(.*dyboc_threads\.c\), returning -1: overflow of `buf` in `parse_header`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered broken canary of a relocated buffer pc 0x[0-9a-f]+ in fill_cell \(.*dyboc_threads\.c\), returning -1: overflow of `cell` in `fill_cell`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in vla_fill \(.*dyboc_threads\.c\), returning -1: overflow of `v` in `vla_fill`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in inner_copy \(.*dyboc_threads\.c\), returning -1: overflow of `tmp` in `inner_copy`$
 */
#include <pthread.h>

#include "dyboc_e2e.h"

#define THREADS 8
#define ROUNDS 1000

IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  strcpy(buf, line);
  return (int)strlen(buf);
}

/* Off by one: a 20-character string's NUL lands in the canary slack. */
IMMUNE_PROTECT int fill_cell(const char *s) {
  char cell[20];
  size_t len = strlen(s);
  if (len > sizeof cell) len = sizeof cell; /* should be sizeof cell - 1 */
  for (size_t i = 0; i <= len; i++) cell[i] = s[i];
  return (int)strlen(cell);
}

IMMUNE_PROTECT int vla_fill(int n, int w) {
  char v[n];
  memset(v, 0, (size_t)w);
  E2E_KEEP(v);
  v[0] = 'v';
  return v[0] + n;
}

IMMUNE_PROTECT int inner_copy(char *dst, const char *src) {
  char tmp[32];
  strcpy(tmp, src);
  strcpy(dst, tmp);
  return (int)strlen(tmp);
}

/* Falls back to "default" when the inner call aborts; adds how many slots
 * this thread holds at that point (its own msg: 1). */
IMMUNE_PROTECT int outer_copy(const char *src) {
  char msg[64];
  int n = inner_copy(msg, src);
  if (n < 0) n = (int)strlen(strcpy(msg, "default"));
  return n * 100 + (int)slots_in_use() + (msg[0] == src[0]) * 10;
}

static pthread_barrier_t start, finish;

struct result {
  int wrong;     /* results that were not what they should be */
  int busy;      /* calls after which a slot was still in use */
  int faults;    /* overflows this thread caused */
  uint64_t left; /* slots in use when the thread ended */
};

static void *worker(void *arg) {
  struct result *res = arg;
  const char *too_long = HIDE_STR("0123456789abcdef0123456789abcdef0123456789");
  const char *hello = HIDE_STR("hello");
  const char *cell19 = HIDE_STR("abcdefghijklmnopqrs");
  const char *cell20 = HIDE_STR("abcdefghijklmnopqrst");
  pthread_barrier_wait(&start);
  for (int r = 0; r < ROUNDS; ++r) {
    switch (r % 4) {
    case 0:
      res->wrong += parse_header(hello) != 5;
      res->wrong += parse_header(too_long) != -1;
      break;
    case 1:
      res->wrong += fill_cell(cell19) != 19;
      res->wrong += fill_cell(cell20) != -1;
      break;
    case 2:
      res->wrong += vla_fill(E2E_HIDE(48), E2E_HIDE(48)) != 'v' + 48;
      res->wrong += vla_fill(E2E_HIDE(48), E2E_HIDE(49)) != -1;
      break;
    case 3: /* the inner call aborts, the outer one carries on */
      res->wrong += outer_copy(hello) != 5 * 100 + 1 + 10;
      res->wrong += outer_copy(too_long) != 7 * 100 + 1;
      break;
    }
    res->faults++;
    res->busy += slots_in_use() != 0;
    res->wrong += immune_tx_depth() != 0;
  }
  res->left = slots_in_use();
  /* Hold the arena until every thread of the wave has done its work: on 2
   * cores a thread can otherwise finish before another one took its first
   * slot, hand its arena over, and make the count of arenas per wave (and
   * so the reuse check in main) depend on scheduling. */
  pthread_barrier_wait(&finish);
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  /* The main thread's own slots, before and after the threads. */
  CHECK_INT(parse_header(HIDE_STR("main")), 4);
  const uint64_t committed = slots_committed();

  pthread_t t[THREADS];
  struct result res[THREADS];
  memset(res, 0, sizeof res);
  pthread_barrier_init(&start, NULL, THREADS);
  pthread_barrier_init(&finish, NULL, THREADS);
  for (int i = 0; i < THREADS; ++i)
    CHECK_INT(pthread_create(&t[i], NULL, worker, &res[i]), 0);
  int faults = 0;
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    char what[48];
    snprintf(what, sizeof what, "thread %d wrong/busy/left", i);
    E2E_REPORT(res[i].wrong == 0 && res[i].busy == 0 && res[i].left == 0, what,
               "%d/%d/%llu", res[i].wrong, res[i].busy,
               (unsigned long long)res[i].left);
    faults += res[i].faults;
  }
  CHECK_INT(faults, THREADS * ROUNDS);
  CHECK_INT(fallbacks(), 0);
  /* Exited threads left their arenas for reuse: a second wave of threads
   * doing the same commits nothing new. */
  CHECK_TRUE(slots_committed() > committed);
  const uint64_t after_first_wave = slots_committed();
  pthread_barrier_destroy(&start);
  pthread_barrier_destroy(&finish);
  pthread_barrier_init(&start, NULL, THREADS);
  pthread_barrier_init(&finish, NULL, THREADS);
  memset(res, 0, sizeof res);
  for (int i = 0; i < THREADS; ++i)
    CHECK_INT(pthread_create(&t[i], NULL, worker, &res[i]), 0);
  for (int i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
  /* (A thread may get an arena whose earlier owner used other size classes,
   * so a few slots can be new; without reuse it would be as many again.) */
  const uint64_t first = after_first_wave - committed, second = slots_committed() - after_first_wave;
  E2E_REPORT(second * 4 <= first, "second wave reuses the first wave's slots",
             "first wave committed %llu, second %llu", (unsigned long long)first,
             (unsigned long long)second);
  CHECK_INT(immune_recoveries(), 2 * THREADS * ROUNDS);
  CHECK_INT(immune_function_aborts("parse_header"), 2 * THREADS * ROUNDS / 4);
  CHECK_INT(immune_function_aborts("fill_cell"), 2 * THREADS * ROUNDS / 4);
  CHECK_INT(immune_function_aborts("vla_fill"), 2 * THREADS * ROUNDS / 4);
  CHECK_INT(immune_function_aborts("inner_copy"), 2 * THREADS * ROUNDS / 4);
  CHECK_INT(immune_function_aborts("outer_copy"), 0);
  CHECK_INT(canary_faults(), 2 * THREADS * ROUNDS / 4);
  CHECK_INT(slots_in_use(), 0);
  CHECK_INT(parse_header(HIDE_STR("main again")), 10);
  CHECK_DEPTH0();
  return e2e_done();
}
