/* The rollback log fills inside a transaction that runs for a long time (a
 * server's main loop under protect-all; here IMMUNE_OPTIONS=
 * rollback_log_max=100 and a loop that keeps 20 blocks a round). The
 * enclosing call gives up its logged blocks when the log is full: they
 * become ordinary blocks, and the requests nested inside keep being rolled
 * back completely (their blocks freed, heap in use exactly as before),
 * round after round. One line says so, once. The long call's own abort
 * frees only what it logged since, and reports the rest as incomplete.
 * E2E-ENV: IMMUNE_OPTIONS=rollback_log_max=100:verbosity=2
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 33
 * E2E-STDERR-COUNT: 32 recovered SIGSEGV .* in handle \(.*\), returning -1$
 * E2E-STDERR-COUNT: 2 ^immune: rollback log full \(100 entries\) inside serve: its logged allocations, frees, locks and descriptors take effect now, so the calls inside it can be undone; an abort of serve cannot undo them \(IMMUNE_OPTIONS=rollback_log_max\)$
 * E2E-STDERR-COUNT: 1 ^immune: rollback incomplete in serve: [0-9]+ operation\(s\) were not logged \(rollback log full\) and stay done$
 * E2E-STDERR-COUNT: 0 rollback incomplete in handle
 * E2E-STDERR-COUNT: 0 in handle: its further allocations
 */
#include <malloc.h>

#include "e2e.h"
#include "rollback_e2e.h"

#define ROUNDS 96
#define KEEP 20
#define BLOCK 64
static void *volatile kept[ROUNDS * KEEP];
static void *volatile scratch[10];

/* Ten blocks, then a fault when input is NULL: an abort frees all ten. */
IMMUNE_RETURN(-1) int handle(const int *input) {
  for (int k = 0; k < 10; ++k) scratch[k] = malloc(BLOCK);
  E2E_BARRIER();
  int v = *input;
  for (int k = 0; k < 10; ++k) free(scratch[k]);
  return v;
}

/* Rounds of KEEP blocks kept and one request, every third one faulting;
 * returns how many faulting requests left heap behind, plus *last. */
IMMUNE_RETURN(-1) long serve(int base, const int *last) {
  long bad = 0;
  for (int r = 0; r < ROUNDS / 2; ++r) {
    for (int k = 0; k < KEEP; ++k) kept[(base + r) * KEEP + k] = malloc(BLOCK);
    int one = 1;
    size_t before = heap_in_use();
    int rc = handle(r % 3 == 0 ? E2E_NULL(const int *) : &one);
    bad += rc != (r % 3 == 0 ? -1 : 1) || heap_in_use() != before;
  }
  return bad + *last;
}

int main(void) {
  e2e_setup_stdio();
  int zero = 0;
  /* 48 rounds, 960 blocks kept: the log fills nine times. */
  CHECK_INT(serve(0, &zero), 0);
  for (int i = 0; i < ROUNDS / 2 * KEEP; ++i) CHECK_TRUE(kept[i] != NULL);

  /* The same, faulting at the end: blocks given up stay allocated (and
   * stay pointed to: the undo log puts back only the stores made since the
   * last time it restarted, if it did), the rest are freed. */
  size_t before = heap_in_use();
  CHECK_INT(serve(ROUNDS / 2, E2E_NULL(const int *)), -1);
  size_t left = heap_in_use() - before;
  printf("after the outer abort: %zu bytes of its %d blocks stay\n", left, ROUNDS / 2 * KEEP);
  CHECK_TRUE(left > 0 && left < (size_t)ROUNDS / 2 * KEEP * (BLOCK + 32));
  CHECK_INT(immune_recoveries(), 33);
  CHECK_DEPTH0();
  return e2e_done();
}
