/* Threads come and go while others overflow: four threads overflow a
 * protected char[16] onto its guard page over and over (each fault looks up
 * which buffer the guard page belongs to, in every thread's pool), while
 * main starts and joins 2,000 short-lived threads that each take a guard
 * slot (so each gets a pool of its own, unmapped when it exits). Every
 * overflow heals; no fault handler may touch the pool of a thread that is
 * going away; at the end every slot has been given back. (Hundreds of
 * thousands of faults: no report lines, and no escalation limit.)
 * E2E-CFLAGS: -g
 * E2E-ENV: IMMUNE_OPTIONS=verbosity=0:max_recoveries=0
 * E2E-RECOVERED: 0
 * E2E-STDOUT: all faulting threads stopped
 */
#include <pthread.h>
#include <stdatomic.h>

#include "dyboc_e2e.h"

#define FAULTERS 4
#define BATCHES 500
#define PER_BATCH 4

IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  strcpy(buf, line);
  return (int)strlen(buf);
}

static atomic_int stop;

struct faulter {
  long faults; /* overflows this thread caused */
  long wrong;  /* results that were not what they should be */
};

static void *faulter(void *arg) {
  struct faulter *f = arg;
  const char *too_long = HIDE_STR("0123456789abcdef0123456789abcdef");
  const char *hello = HIDE_STR("hello");
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    f->wrong += parse_header(too_long) != -1;
    f->wrong += parse_header(hello) != 5;
    f->faults++;
  }
  f->wrong += slots_in_use() != 0;
  return NULL;
}

/* A short life: one protected call with a relocated buffer, then exit. */
static void *brief(void *arg) {
  (void)arg;
  return (void *)(intptr_t)(parse_header(HIDE_STR("brief")) != 5);
}

int main(void) {
  e2e_setup_stdio();
  pthread_t ft[FAULTERS];
  struct faulter fs[FAULTERS];
  memset(fs, 0, sizeof fs);
  for (int i = 0; i < FAULTERS; ++i)
    CHECK_INT(pthread_create(&ft[i], NULL, faulter, &fs[i]), 0);

  long wrong = 0, started = 0;
  for (int b = 0; b < BATCHES; ++b) {
    pthread_t t[PER_BATCH];
    for (int i = 0; i < PER_BATCH; ++i)
      started += pthread_create(&t[i], NULL, brief, NULL) == 0;
    for (int i = 0; i < PER_BATCH; ++i) {
      void *r;
      pthread_join(t[i], &r);
      wrong += r != NULL;
    }
  }
  atomic_store(&stop, 1);
  long faults = 0;
  for (int i = 0; i < FAULTERS; ++i) {
    pthread_join(ft[i], NULL);
    wrong += fs[i].wrong;
    faults += fs[i].faults;
  }
  printf("all faulting threads stopped\n");
  CHECK_INT(started, BATCHES * PER_BATCH);
  CHECK_INT(wrong, 0);
  CHECK_TRUE(faults > 0);
  CHECK_INT(immune_recoveries(), faults);
  CHECK_INT(immune_function_aborts("parse_header"), faults);
  CHECK_INT(slots_in_use(), 0);
  /* Arenas of exited threads are reused: 2,000 threads commit no more
   * slots than the few that ever ran at once need (each thread here uses
   * one slot of one class). */
  CHECK_TRUE(slots_committed() <= FAULTERS + PER_BATCH);
  CHECK_DEPTH0();
  return e2e_done();
}
