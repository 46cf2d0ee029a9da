/* A deliberate abort() (here a failed assert) inside a transaction kills
 * the process as without Immune under the default handle_abort=ssp: a
 * program that calls abort() means it (memcached's restart_check() aborts on
 * a corrupt metadata file and its tests expect the server to die).
 * handle_abort=all heals it (sensor_15_faults.c).
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK asserting inside a protected function
 * E2E-STDERR: Assertion `v > 0' failed
 * E2E-STDERR: ^immune: crashed: SIGABRT .* in check_positive \(.*\): abort\(\) is not healed
 */
#include <assert.h>

#include "e2e.h"

IMMUNE_PROTECT int check_positive(int v) {
  e2e_mark("asserting inside a protected function");
  assert(v > 0);
  return v;
}

int main(void) {
  e2e_setup_stdio();
  int r = check_positive(E2E_HIDE(-1));
  printf("FAIL: survived a failed assert (returned %d)\n", r);
  return 1;
}
