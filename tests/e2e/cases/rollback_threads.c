/* Rollback on 8 threads at once, 400 calls each, every other one faulting
 * while it holds a mutex all threads share, with blocks allocated, its
 * thread's object freed and a descriptor open. Each abort undoes only its
 * own thread's work: the shared mutex is released (without rollback the
 * other threads would wait for it forever), the thread's object is intact,
 * and in the end no memory or descriptor is left over.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-ENV: IMMUNE_OPTIONS=verbosity=0
 * E2E-RECOVERED: 0
 * E2E-STDOUT: ok   recoveries: 1600
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include "e2e.h"
#include "rollback_e2e.h"

#define THREADS 8
#define ROUNDS 400

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_counter;

struct worker {
  int id;
  char *object;
  int bad_results;
};

IMMUNE_RETURN(-1) int step(struct worker *w, const int *input) {
  char *scratch[6];
  for (int i = 0; i < 6; ++i) {
    scratch[i] = malloc(100 + 300 * i);
    memset(scratch[i], w->id, 100);
  }
  pthread_mutex_lock(&shared_lock);
  ++shared_counter;
  int fd = open("/proc/self/status", O_RDONLY);
  free(w->object);
  E2E_BARRIER();
  int v = *input; /* faults on every other call */
  /* Committing: leave things as a well-behaved function does. */
  w->object = malloc(64);
  snprintf(w->object, 64, "object of worker %d", w->id);
  close(fd);
  pthread_mutex_unlock(&shared_lock);
  for (int i = 0; i < 6; ++i) free(scratch[i]);
  return v;
}

static void *run(void *arg) {
  struct worker *w = arg;
  int good = 1;
  const int *bad = E2E_NULL(const int *);
  char want[64];
  for (int round = 0; round < ROUNDS; ++round) {
    int fault = (round + w->id) % 2;
    int r = step(w, fault ? bad : &good);
    snprintf(want, sizeof want, "object of worker %d", w->id);
    if (r != (fault ? -1 : 1) || strcmp(w->object, want) != 0) ++w->bad_results;
  }
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  struct worker workers[THREADS];
  pthread_t threads[THREADS];
  size_t heap0 = heap_in_use();
  int fds0 = open_fds();
  for (int i = 0; i < THREADS; ++i) {
    workers[i].id = i;
    workers[i].bad_results = 0;
    workers[i].object = malloc(64);
    snprintf(workers[i].object, 64, "object of worker %d", i);
  }
  for (int i = 0; i < THREADS; ++i) pthread_create(&threads[i], NULL, run, &workers[i]);
  int bad_results = 0;
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
    bad_results += workers[i].bad_results;
    free(workers[i].object);
  }
  CHECK_INT(bad_results, 0);
  CHECK_INT(immune_recoveries(), THREADS * ROUNDS / 2);
  printf("ok   recoveries: %d\n", (int)immune_recoveries());
  /* No thread ever got stuck; the aborted calls' increments were undone
   * (under the lock, before the abort released it). */
  CHECK_INT(shared_counter, THREADS * ROUNDS / 2);
  CHECK_INT(pthread_mutex_trylock(&shared_lock), 0);
  CHECK_INT(open_fds(), fds0);
  /* 1600 aborts each left ~5 KiB without rollback; what is allowed here
   * is the threads' own bookkeeping. */
  long grown = (long)heap_in_use() - (long)heap0;
  CHECK_TRUE(grown < 64 * 1024);
  printf("heap grew by %ld bytes over %d aborts\n", grown, THREADS * ROUNDS / 2);
  return e2e_done();
}
