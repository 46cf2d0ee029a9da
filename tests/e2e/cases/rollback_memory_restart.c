/* The memory undo log fills inside a transaction that runs for a long time
 * (a server's main loop under protect-all), with IMMUNE_OPTIONS=
 * undo_log_max_mb=1 (65,536 entries; a round here logs about 4,160). The
 * log starts over each time it fills: the requests nested inside keep being
 * undone completely, round after round, and never report an incomplete
 * rollback. The long transaction gave up what it logged before the last
 * restart: its own abort puts back what came after, leaves the rest done,
 * and says so in one "rollback incomplete" line.
 * E2E-ENV: IMMUNE_OPTIONS=undo_log_max_mb=1
 * E2E-RECOVERED: 69
 * E2E-STDERR-COUNT: 68 recovered SIGSEGV .* in handle \(.*\), returning -1$
 * E2E-STDERR-COUNT: 1 ^immune: rollback incomplete in serve: [0-9]+ store\(s\) could not be put back
 * E2E-STDERR-COUNT: 0 rollback incomplete in handle
 */
#include "e2e.h"

#define CELLS 4096
#define STATE 64
static long table[CELLS];
static long state[STATE];

IMMUNE_RETURN(-1) int handle(int i, const int *input) {
  for (int k = 0; k < STATE; ++k) state[k] = (long)i * 1000 + k;
  return *input; /* NULL: faults after all its stores */
}

/* Rounds of CELLS stores and one request, every third one faulting; returns
 * how many requests left a trace they should not have, plus *last. */
IMMUNE_RETURN(-1) long serve(int rounds, const int *last) {
  long bad = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int k = 0; k < CELLS; ++k) table[k] = r + 1;
    long before[STATE];
    memcpy(before, state, sizeof before);
    int one = 1;
    int rc = handle(r, r % 3 == 0 ? E2E_NULL(const int *) : &one);
    if (r % 3 == 0)
      bad += rc != -1 || memcmp(before, state, sizeof before) != 0; /* undone */
    else
      bad += rc != 1 || state[STATE - 1] != (long)r * 1000 + STATE - 1;
  }
  return bad + *last;
}

int main(void) {
  e2e_setup_stdio();
  int zero = 0;
  /* 100 rounds: about 6 restarts. */
  CHECK_INT(serve(100, &zero), 0);
  CHECK_INT(table[0], 100);

  /* The same, faulting at the end: table[] is back to what it held at the
   * last restart (some round's value, at most one round apart across the
   * cells), not 100 everywhere and not the 100 from before the call. */
  memset(table, 0, sizeof table);
  CHECK_INT(serve(100, E2E_NULL(const int *)), -1);
  long lo = table[0], hi = table[0];
  for (int k = 1; k < CELLS; ++k) {
    if (table[k] < lo) lo = table[k];
    if (table[k] > hi) hi = table[k];
  }
  printf("after the outer abort: table[] holds %ld..%ld\n", lo, hi);
  CHECK_TRUE(lo >= 1 && hi < 100 && hi - lo <= 1);
  CHECK_INT(immune_recoveries(), 69);
  CHECK_DEPTH0();
  return e2e_done();
}
