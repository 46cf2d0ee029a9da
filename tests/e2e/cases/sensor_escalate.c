/* Escalation: with max_recoveries=5 a protected function heals five faults
 * within the window; the sixth is not healed but kills the process with its
 * own signal, after an `escalated` record. The budget is per function:
 * another function's five faults in between do not count against it.
 * E2E-ENV: IMMUNE_OPTIONS=max_recoveries=5:log_path=@LOG@
 * E2E-RECOVERED: 10
 * E2E-STDOUT: MARK sixth fault in read_record
 * E2E-EVENT: recovered SIGSEGV read_record aborts=1
 * E2E-EVENT: recovered SIGSEGV read_other aborts=1
 * E2E-EVENT: recovered SIGSEGV read_record aborts=2
 * E2E-EVENT: recovered SIGSEGV read_other aborts=2
 * E2E-EVENT: recovered SIGSEGV read_record aborts=3
 * E2E-EVENT: recovered SIGSEGV read_other aborts=3
 * E2E-EVENT: recovered SIGSEGV read_record aborts=4
 * E2E-EVENT: recovered SIGSEGV read_other aborts=4
 * E2E-EVENT: recovered SIGSEGV read_record aborts=5
 * E2E-EVENT: recovered SIGSEGV read_other aborts=5
 * E2E-EVENT: escalated SIGSEGV read_record symbol aborts=5
 * E2E-STDERR-COUNT: 1 ^immune: escalated: SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x[0-9a-f]+ in read_record \(.*sensor_escalate\.c\): more than 5 recoveries within 10000 ms, not healing$
 */
#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }
IMMUNE_PROTECT int read_other(const int *p) { return *p + 1; }

int main(void) {
  e2e_setup_stdio();
  int v = 4;
  for (int i = 0; i < 5; ++i) {
    CHECK_INT(read_record(E2E_NULL(const int *)), -1);
    CHECK_INT(read_other(E2E_NULL(const int *)), -1);
    CHECK_INT(read_record(&v), 4); /* calls that commit do not count */
  }
  if (e2e_failures) return e2e_done();
  e2e_mark("sixth fault in read_record");
  read_record(E2E_NULL(const int *));
  printf("FAIL: the sixth fault was healed\n");
  return 1;
}
