/* An integer division by zero outside every transaction is killed by SIGFPE
 * as without Immune, after one inside a transaction healed.
 * E2E-RECOVERED: 1
 * E2E-STDOUT: ok   average(6, E2E_HIDE(0)): got -1, want -1
 * E2E-STDOUT: MARK dividing by zero in main
 */
#include "e2e.h"

IMMUNE_PROTECT int average(int sum, int n) { return sum / n; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(average(6, E2E_HIDE(0)), -1);
  if (e2e_failures) return e2e_done();
  e2e_mark("dividing by zero in main");
  int r = 6 / E2E_HIDE(0);
  printf("FAIL: survived a division by zero (%d)\n", r);
  return 1;
}
