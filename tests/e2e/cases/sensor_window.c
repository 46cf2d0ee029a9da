/* Escalation counts within recovery_window_ms: three bursts of five faults
 * at one function, each burst within a 50 ms window and the bursts 150 ms
 * apart, never exceed max_recoveries=5 in one window, so all fifteen heal.
 * E2E-ENV: IMMUNE_OPTIONS=max_recoveries=5:recovery_window_ms=50:log_path=@LOG@
 * E2E-RECOVERED: 15
 * E2E-EVENT: recovered SIGSEGV read_record aborts=1
 * E2E-EVENT: recovered SIGSEGV read_record aborts=2
 * E2E-EVENT: recovered SIGSEGV read_record aborts=3
 * E2E-EVENT: recovered SIGSEGV read_record aborts=4
 * E2E-EVENT: recovered SIGSEGV read_record aborts=5
 * E2E-EVENT: recovered SIGSEGV read_record aborts=6
 * E2E-EVENT: recovered SIGSEGV read_record aborts=7
 * E2E-EVENT: recovered SIGSEGV read_record aborts=8
 * E2E-EVENT: recovered SIGSEGV read_record aborts=9
 * E2E-EVENT: recovered SIGSEGV read_record aborts=10
 * E2E-EVENT: recovered SIGSEGV read_record aborts=11
 * E2E-EVENT: recovered SIGSEGV read_record aborts=12
 * E2E-EVENT: recovered SIGSEGV read_record aborts=13
 * E2E-EVENT: recovered SIGSEGV read_record aborts=14
 * E2E-EVENT: recovered SIGSEGV read_record aborts=15
 * E2E-STDERR-COUNT: 0 escalated
 */
#include <time.h>

#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  /* Longer than the window, so each burst starts a new one. (A slow burst
   * only makes windows end sooner: it cannot turn into an escalation.) */
  struct timespec pause = {0, 150 * 1000 * 1000};
  for (int burst = 0; burst < 3; ++burst) {
    if (burst) nanosleep(&pause, NULL);
    for (int i = 0; i < 5; ++i) CHECK_INT(read_record(E2E_NULL(const int *)), -1);
  }
  CHECK_INT(immune_function_aborts("read_record"), 15);
  CHECK_DEPTH0();
  return e2e_done();
}
