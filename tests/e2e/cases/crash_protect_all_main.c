/* With --immune-protect-all, main is still not a transaction: a fault in
 * main kills the process (after a fault in a function it calls healed).
 * E2E-CFLAGS: --immune-protect-all
 * E2E-RECOVERED: 1
 * E2E-STDOUT: ok   read_value(E2E_NULL(const int *)): got -1, want -1
 * E2E-STDOUT: MARK faulting in main
 */
#include "e2e.h"

int read_value(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(read_value(E2E_NULL(const int *)), -1);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting in main");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: survived a fault in main\n");
  return 1;
}
