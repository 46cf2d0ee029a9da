/* A bounded rollback log (IMMUNE_OPTIONS=rollback_log_max=100): a call that
 * allocates 150 blocks gets its first 100 logged, one warning line naming
 * it, and at its abort one line saying the rollback was incomplete — 50
 * blocks stay allocated, nothing is corrupted. A free that cannot be
 * deferred any more happens at once (a barrier in the memory undo log keeps
 * older stores out of that memory, which malloc may reuse). The next call, within the limit,
 * rolls back completely; at exit the count of incomplete rollbacks.
 * E2E-ENV: IMMUNE_OPTIONS=rollback_log_max=100:verbosity=2
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 4
 * E2E-STDERR-COUNT: 3 ^immune: rollback log full \(100 entries\) in hog: its further allocations, frees, locks and descriptors are not logged and an abort cannot undo them \(IMMUNE_OPTIONS=rollback_log_max\)$
 * E2E-STDERR-COUNT: 2 ^immune: rollback incomplete in hog: 50 operation\(s\) were not logged \(rollback log full\) and stay done$
 * E2E-STDERR-COUNT: 1 ^immune: rollback incomplete in hog: 1 operation\(s\) were not logged
 * E2E-STDERR-COUNT: 1 ^immune: 3 aborted transaction\(s\) rolled back incompletely \(rollback log full\)$
 */
#include <malloc.h>

#include "e2e.h"
#include "rollback_e2e.h"

#define BLOCK 256

void *volatile kept[200];

/* n blocks, then, if `victim` is set, free it (with the log full), then
 * fault. */
IMMUNE_RETURN(-1) int hog(int n, char *victim, const int *input) {
  for (int i = 0; i < n; ++i) kept[i] = malloc(BLOCK);
  if (victim) free(victim);
  E2E_BARRIER();
  return *input;
}

int main(void) {
  e2e_setup_stdio();
  const int *bad = E2E_NULL(const int *);
  size_t heap0 = heap_in_use();
  size_t block = malloc_usable_size(kept[0] = malloc(BLOCK)) + 8 + 16;
  free(kept[0]);

  /* Twice over the limit: 50 blocks stay each time. */
  for (int round = 0; round < 2; ++round) {
    size_t before = heap_in_use();
    CHECK_INT(hog(150, NULL, bad), -1);
    size_t left = heap_in_use() - before;
    CHECK_TRUE(left >= 50 * BLOCK && left <= 50 * block);
  }

  /* A free with the log full is done at once (an abort cannot bring the
   * object back, and says so). */
  char *victim = malloc(100000);
  size_t with_victim = heap_in_use();
  CHECK_INT(hog(100, victim, bad), -1);
  CHECK_TRUE(heap_in_use() + 100000 <= with_victim);

  /* Within the limit: complete again. */
  size_t before = heap_in_use();
  CHECK_INT(hog(99, NULL, bad), -1);
  CHECK_INT(heap_in_use(), before);
  CHECK_TRUE(heap_in_use() > heap0);
  CHECK_DEPTH0();
  return e2e_done();
}
