/* verbosity=0: not a byte on stderr (no recovery lines, no abort counts at
 * exit), but every event is still recorded in log_path.
 * E2E-ENV: IMMUNE_OPTIONS=verbosity=0:log_path=@LOG@
 * E2E-RECOVERED: 0
 * E2E-STDERR-COUNT: 0 ^
 * E2E-EVENT: recovered SIGSEGV read_record symbol aborts=1
 * E2E-EVENT: recovered SIGSEGV read_record symbol aborts=2
 * E2E-EVENT: recovered SIGFPE average symbol aborts=1
 */
#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }
IMMUNE_PROTECT int average(int sum, int n) { return sum / n; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(read_record(E2E_NULL(const int *)), -1);
  CHECK_INT(read_record(E2E_NULL(const int *)), -1);
  CHECK_INT(average(10, E2E_HIDE(0)), -1);
  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
