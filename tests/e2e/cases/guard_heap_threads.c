/* The guarded heap under threads: 4 threads each make 2,000 calls of a
 * guard_heap function that allocates three blocks of different classes and
 * fills them; every 50th call then writes past its first block and aborts
 * (its three blocks freed by the rollback). The committed calls' blocks are
 * kept, handed to the next thread's queue and freed there, outside every
 * transaction, after checking their contents: the pool's lock, its reuse and
 * cross-thread frees, with 160 recoveries and every block intact.
 * E2E-POLICY: fun:fill=guard_heap
 * E2E-ENV: IMMUNE_OPTIONS=verbosity=0
 * E2E-RECOVERED: 0
 * E2E-STDOUT: ok   recoveries: got 160, want 160
 * E2E-STDOUT: ok   bad: got 0, want 0
 */
#include "e2e.h"

#include <malloc.h>

#define THREADS 4
#define CALLS 2000
#define KEEP 64

struct blocks {
  char *p[3];
  size_t n[3];
};

/* Fills three fresh blocks with `tag`; overflows the first when asked. */
int fill(struct blocks *b, int tag, int overflow) {
  static const size_t sizes[3] = {100, 5000, 20000};
  for (int k = 0; k < 3; ++k) {
    b->n[k] = sizes[k] + (size_t)(tag % 7);
    b->p[k] = malloc(b->n[k]);
    if (!b->p[k]) return -1;
    memset(b->p[k], tag & 0xff, b->n[k]);
  }
  if (overflow) memset(b->p[0], 0, b->n[0] + (size_t)E2E_HIDE(4096));
  return 0;
}

static struct blocks queue[THREADS][KEEP];
static int bad;
static pthread_mutex_t bad_lock = PTHREAD_MUTEX_INITIALIZER;

static void check_and_free(struct blocks *b, int tag) {
  int wrong = 0;
  for (int k = 0; k < 3; ++k) {
    if (!b->p[k]) continue;
    for (size_t i = 0; i < b->n[k]; ++i) wrong |= b->p[k][i] != (char)(tag & 0xff);
    wrong |= malloc_usable_size(b->p[k]) < b->n[k];
    free(b->p[k]);
    b->p[k] = NULL;
  }
  if (wrong) {
    pthread_mutex_lock(&bad_lock);
    ++bad;
    pthread_mutex_unlock(&bad_lock);
  }
}

static void *worker(void *arg) {
  int me = (int)(intptr_t)arg;
  for (int i = 0; i < CALLS; ++i) {
    int tag = me * CALLS + i;
    struct blocks b;
    if (fill(&b, tag, i % 50 == 49) != 0) continue;
    /* The slot of the next thread's queue: what was there is checked and
     * freed here, by another thread than the one that allocated it. */
    struct blocks *slot = &queue[(me + 1) % THREADS][i % KEEP];
    pthread_mutex_lock(&bad_lock);
    struct blocks old = *slot;
    *slot = b;
    pthread_mutex_unlock(&bad_lock);
    if (old.p[0]) {
      int old_tag = (unsigned char)old.p[0][0];
      struct blocks copy = old;
      /* Check against its own first byte (the tag's low byte). */
      check_and_free(&copy, old_tag);
    }
  }
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; ++i) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  for (int i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
  for (int q = 0; q < THREADS; ++q)
    for (int i = 0; i < KEEP; ++i)
      if (queue[q][i].p[0]) check_and_free(&queue[q][i], (unsigned char)queue[q][i].p[0][0]);
  unsigned long long recoveries = immune_recoveries();
  CHECK_UINT(recoveries, 160);
  CHECK_INT(bad, 0);
  return e2e_done();
}
