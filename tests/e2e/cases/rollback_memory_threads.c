/* Concurrent transactions on different threads roll back independently:
 * 8 threads each run 400 calls of a protected function that writes the
 * thread's own slice of a shared global array and its own heap block
 * (directly and through an unprotected helper), bumps its own counter, and
 * faults on every other call. After every abort the thread checks its slice
 * and block byte for byte while the other threads keep writing theirs;
 * after every commit it checks the new contents.
 * E2E-CFLAGS: -pthread -g
 * E2E-RECOVERED: 1600
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDOUT: ok   8 threads, 1600 aborts, every slice as before
 */
#include "e2e.h"

#include <pthread.h>

#define THREADS 8
#define CALLS 400
#define SLICE 512

static long shared[THREADS][SLICE];
static long counters[THREADS];
static unsigned char *blocks[THREADS];
static int bad_rounds;

__attribute__((noinline)) void stamp(long *p, int n, long v) {
  for (int i = 0; i < n; ++i) p[i] = v + i;
}

IMMUNE_PROTECT long work(int t, long round, const int *input) {
  stamp(shared[t], SLICE, round * 1000);
  memset(blocks[t], (int)(round & 0xff), 256);
  counters[t] += 1;
  E2E_BARRIER();
  return *input + counters[t];
}

static void *run(void *arg) {
  int t = (int)(long)arg, one = 1;
  const int *bad = E2E_NULL(const int *);
  long want_counter = 0;
  for (long round = 1; round <= CALLS; ++round) {
    long before[SLICE];
    unsigned char block_before[256];
    memcpy(before, shared[t], sizeof before);
    memcpy(block_before, blocks[t], sizeof block_before);
    int faults = round % 2;
    long r = work(t, round, faults ? bad : &one);
    int ok;
    if (faults) {
      ok = r == -1 && memcmp(before, shared[t], sizeof before) == 0 &&
           memcmp(block_before, blocks[t], sizeof block_before) == 0 &&
           counters[t] == want_counter;
    } else {
      ++want_counter;
      ok = r == 1 + want_counter && shared[t][7] == round * 1000 + 7 &&
           blocks[t][255] == (unsigned char)(round & 0xff) && counters[t] == want_counter;
    }
    if (!ok) {
      printf("FAIL thread %d round %ld: returned %ld\n", t, round, r);
      __atomic_fetch_add(&bad_rounds, 1, __ATOMIC_RELAXED);
      return NULL;
    }
  }
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  for (int t = 0; t < THREADS; ++t) {
    blocks[t] = malloc(256);
    memset(blocks[t], 0x11, 256);
  }
  pthread_t th[THREADS];
  for (long t = 0; t < THREADS; ++t) pthread_create(&th[t], NULL, run, (void *)t);
  for (int t = 0; t < THREADS; ++t) pthread_join(th[t], NULL);
  CHECK_INT(bad_rounds, 0);
  CHECK_INT(immune_recoveries(), THREADS * CALLS / 2);
  if (!bad_rounds) printf("ok   8 threads, 1600 aborts, every slice as before\n");
  return e2e_done();
}
