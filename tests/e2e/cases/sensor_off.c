/* mode=off installs no handler: protected functions still run and commit,
 * but a fault inside one kills the process with SIGSEGV as without Immune,
 * and nothing is written: no event record (the log is not even opened), no
 * line on stderr.
 * E2E-ENV: IMMUNE_OPTIONS=mode=off:log_path=@LOG@
 * E2E-STDOUT: ok   read_record(&v): got 4, want 4
 * E2E-STDOUT: MARK faulting inside read_record
 * E2E-STDERR-COUNT: 0 ^immune:
 */
#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  int v = 4;
  CHECK_INT(read_record(&v), 4);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting inside read_record");
  read_record(E2E_NULL(const int *));
  printf("FAIL: survived a fault with mode=off\n");
  return 1;
}
