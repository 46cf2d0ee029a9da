/* A guarded block that a guard_heap call returned, overflowed by one byte
 * into its slack by main (outside every transaction): free finds the canary
 * broken and the process dies of SIGABRT, as glibc's free would on a
 * corrupted chunk, with a record naming the block.
 * E2E-POLICY: fun:make_name=guard_heap
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: MARK freeing an overflowed guarded block outside any transaction
 * E2E-EVENT: crashed HEAP_CANARY -
 * E2E-STDERR-COUNT: 1 ^immune: crashed: broken canary of a guarded heap block \(at free or realloc of 0x[0-9a-f]+\) pc 0x[0-9a-f]+ outside any transaction: guarded heap block of 9 bytes allocated at 0x[0-9a-f]+ in make_name$
 */
#include "e2e.h"

char *make_name(void) { return malloc(9); }

int main(void) {
  e2e_setup_stdio();
  char *p = make_name();
  if (!p) return 2;
  memcpy(p, "abcdefghi", (size_t)E2E_HIDE(10));
  __asm__ volatile("" : : "r"(p) : "memory"); /* not a dead store for -O2: free reads the slack */
  e2e_mark("freeing an overflowed guarded block outside any transaction");
  free(p);
  printf("FAIL: free of an overflowed guarded block returned\n");
  return 1;
}
