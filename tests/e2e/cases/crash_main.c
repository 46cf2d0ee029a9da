/* A fault in main, with no live transaction, kills the process exactly as
 * without Immune (SIGSEGV, no recovery), even though the program has
 * protected functions and just called one.
 * E2E-STDOUT: ok   checked_read(&v): got 4, want 4
 * E2E-STDOUT: MARK faulting in main
 */
#include "e2e.h"

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  int v = 4;
  CHECK_INT(checked_read(&v), 4);
  CHECK_DEPTH0();
  e2e_mark("faulting in main");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: survived a fault in main\n");
  return 1;
}
