/* A mistyped IMMUNE_OPTIONS does not stop the program: each bad entry gets
 * one line on stderr naming it, the good entries apply (here log_path), and
 * everything else keeps its default, so faults still heal (mode=protect).
 * E2E-ENV: IMMUNE_OPTIONS=bogus=1:mode=fast:log_path=@LOG@
 * E2E-RECOVERED: 2
 * E2E-STDERR-COUNT: 2 ^immune: IMMUNE_OPTIONS: 
 * E2E-STDERR-COUNT: 1 ^immune: IMMUNE_OPTIONS: unknown option 'bogus' ignored \(IMMUNE_OPTIONS=help=1 lists them\)$
 * E2E-STDERR-COUNT: 1 ^immune: IMMUNE_OPTIONS: bad value for 'mode' \(expected protect, monitor or off\): 'fast' ignored; it stays as before \(default protect\)$
 * E2E-EVENT: recovered SIGSEGV read_record symbol
 * E2E-EVENT: recovered SIGFPE average symbol
 */
#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }
IMMUNE_PROTECT int average(int sum, int n) { return sum / n; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(read_record(E2E_NULL(const int *)), -1);
  CHECK_INT(average(10, E2E_HIDE(0)), -1);
  CHECK_INT(average(10, E2E_HIDE(2)), 5);
  CHECK_INT(immune_recoveries(), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
