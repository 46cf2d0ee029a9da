/* The guarded heap is bounded: with guard_heap_mb=1 a guard_heap function
 * that keeps 300 blocks of 4000 bytes (one 4 KiB slot each) gets 256 of
 * them guarded and the rest from malloc, with one warning line; every block
 * works (written, malloc_usable_size, freed after the commit). Freed slots
 * are reused: the next call gets guarded blocks again, and a thousand more
 * calls that each allocate and free never fill the pool.
 * E2E-POLICY: fun:keep_blocks=guard_heap
 * E2E-POLICY: fun:churn=guard_heap
 * E2E-ENV: IMMUNE_OPTIONS=guard_heap_mb=1
 * E2E-RECOVERED: 0
 * E2E-STDERR-COUNT: 1 ^immune: guarded heap full \(1 MiB in use\): further blocks of guard_heap functions come from malloc, without a guard page \(IMMUNE_OPTIONS=guard_heap_mb\)$
 * E2E-STDOUT: ok   guarded: got 256, want 256
 * E2E-STDOUT: ok   guarded_again: got 1, want 1
 */
#include "e2e.h"

#include <malloc.h>
#include <stdint.h>

#define N 300
#define SIZE 4000
static char *blocks[N];

/* A guarded block ends right below a page boundary (a malloc'd one only
 * by chance: its usable size is 8 bytes past what was asked). */
static int is_guarded(const char *p) {
  return ((uintptr_t)p + SIZE) % 4096 == 0 && malloc_usable_size((void *)p) == SIZE;
}

int keep_blocks(int n) {
  for (int i = 0; i < n; ++i) {
    blocks[i] = malloc(SIZE);
    if (!blocks[i]) return -1;
    memset(blocks[i], i & 0xff, SIZE);
  }
  return 0;
}

int churn(int rounds) {
  int guarded = 0;
  for (int i = 0; i < rounds; ++i) {
    char *p = malloc(SIZE);
    if (!p) return -1;
    guarded += is_guarded(p);
    p[SIZE - 1] = 1;
    free(p);
  }
  return guarded;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(keep_blocks(N), 0);
  int guarded = 0, intact = 1;
  for (int i = 0; i < N; ++i) {
    guarded += is_guarded(blocks[i]);
    for (int j = 0; j < SIZE; ++j) intact &= blocks[i][j] == (char)(i & 0xff);
    CHECK_INT(malloc_usable_size(blocks[i]) >= SIZE, 1);
  }
  CHECK_INT(guarded, 256);
  CHECK_INT(intact, 1);
  for (int i = 0; i < N; ++i) free(blocks[i]);
  int guarded_again = churn(1) == 1;
  CHECK_INT(guarded_again, 1);
  int all = 0;
  for (int i = 0; i < 1000; ++i) all += churn(1);
  CHECK_INT(all, 1000);
  return e2e_done();
}
