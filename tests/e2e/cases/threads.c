/* Eight threads fault at once, 1200 times each, interleaved with calls that
 * succeed: every result is right, each thread only ever aborts its own
 * innermost transaction, the counters add up exactly, and every recovery
 * line on stderr is whole (written with one write, never interleaved).
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 9600
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR: in lookup \(.*threads\.c\), returning -1$
 * E2E-STDERR: in scale \(.*\), returning nan$
 */
#include <pthread.h>

#include "e2e.h"

#define THREADS 8
#define ROUNDS 1200

IMMUNE_PROTECT int lookup(const int *table, int i) { return table[i]; }
IMMUNE_PROTECT double scale(const double *f, double x) { return *f * x; }
/* Nested: the inner one aborts, this one goes on. */
IMMUNE_PROTECT long both(const int *table, int i) {
  return (long)lookup(table, i) * 1000 + immune_tx_depth();
}

static pthread_barrier_t start;

struct result {
  int wrong;   /* results that were not what they should be */
  int faults;  /* faults this thread caused */
};

static void *worker(void *arg) {
  struct result *res = arg;
  int table[16];
  for (int i = 0; i < 16; ++i) table[i] = i * 3;
  const double factor = 0.5;
  pthread_barrier_wait(&start);
  /* Every round: one call that succeeds and one that faults. */
  for (int r = 0; r < ROUNDS; ++r) {
    int i = r % 16;
    if (r % 2)
      res->wrong += lookup(table, i) != i * 3;
    else
      res->wrong += scale(&factor, 4.0) != 2.0;
    switch (r % 3) {
    case 0:
      res->wrong += lookup(E2E_NULL(const int *), i) != -1;
      break;
    case 1:
      res->wrong += !isnan(scale(E2E_NULL(const double *), 4.0));
      break;
    case 2: /* the inner transaction (lookup) aborts, both() goes on */
      res->wrong += both(E2E_NULL(const int *), i) != -1 * 1000 + 1;
      break;
    }
    res->faults++;
    res->wrong += immune_tx_depth() != 0;
  }
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  pthread_t t[THREADS];
  struct result res[THREADS];
  memset(res, 0, sizeof res);
  pthread_barrier_init(&start, NULL, THREADS);
  for (int i = 0; i < THREADS; ++i)
    CHECK_INT(pthread_create(&t[i], NULL, worker, &res[i]), 0);
  int faults = 0;
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(t[i], NULL);
    char what[32];
    snprintf(what, sizeof what, "thread %d wrong results", i);
    E2E_REPORT(res[i].wrong == 0, what, "%d", res[i].wrong);
    faults += res[i].faults;
  }
  CHECK_INT(faults, THREADS * ROUNDS);
  CHECK_INT(immune_recoveries(), THREADS * ROUNDS);
  /* lookup aborts in two rounds of three (once nested), scale in one. */
  CHECK_INT(immune_function_aborts("lookup"), THREADS * ROUNDS / 3 * 2);
  CHECK_INT(immune_function_aborts("scale"), THREADS * ROUNDS / 3);
  CHECK_INT(immune_function_aborts("both"), 0);
  CHECK_DEPTH0();
  return e2e_done();
}
