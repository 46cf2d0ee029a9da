/* After a healed fault, a fault in unprotected code called from main (no
 * live transaction) kills the process: the healed transaction is gone and
 * nothing else claims the fault. The one recovery line is the healed fault;
 * the fatal one adds none.
 * E2E-RECOVERED: 1
 * E2E-STDOUT: ok   checked_read(E2E_NULL(const int *)): got -1, want -1
 * E2E-STDOUT: MARK faulting in unprotected code
 */
#include "e2e.h"

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

__attribute__((noinline)) static int unprotected_read(const int *p) {
  return *p + 1;
}
__attribute__((noinline)) static int unprotected_caller(const int *p) {
  return unprotected_read(p) * 2;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  CHECK_DEPTH0();
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting in unprotected code");
  int r = unprotected_caller(E2E_NULL(const int *));
  printf("FAIL: survived a fault in unprotected code (%d)\n", r);
  return 1;
}
