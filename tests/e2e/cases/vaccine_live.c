/* A live vaccine armed and disarmed in a running process (docs/live.md):
 * built with protect-all and started with an empty vaccine, a NULL
 * dereference in parse_record kills the process by SIGSEGV, exactly as
 * without Immune; once "fun:parse_record" is written to the file, the same
 * process heals the same fault (no rebuild, no restart); emptied again, it
 * dies again. The kills run in forked children, so one run shows all three. */
// E2E-CFLAGS: --immune-protect-all
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/vaccine.txt:vaccine_poll_ms=20
// E2E-RECOVERED: 1
// The vaccine in force at start-up is said only at verbosity 2 (a command-line
// tool prints what it always did); its record is written either way.
// E2E-STDERR-COUNT: 0 \(change 0\) applied
// E2E-STDERR: ^immune: vaccine .*/vaccine.txt \(change [0-9]+\) applied: 1 function armed; newly armed: parse_record$
// E2E-STDERR: ^immune: vaccine .*/vaccine.txt \(change [0-9]+\) applied: 0 functions armed; disarmed: parse_record$
// E2E-STDERR: ^immune: crashed: SIGSEGV .*no live transaction is armed by the vaccine
// E2E-STDOUT: ok   dormant: SIGSEGV
// E2E-STDOUT: ok   dormant again: SIGSEGV
#include "vaccine_e2e.h"

__attribute__((noinline)) int parse_record(const char *p) {
  return p[0] == 'x' ? 1 : 2;
}

static void bad_record(void) { parse_record(E2E_NULL(const char *)); }

int main(int argc, char **argv) {
  (void)argc;
  e2e_setup_stdio();
  e2e_restart_with_vaccine(argv, "");

  CHECK_INT(immune_function_armed("parse_record"), 0);
  int sig = e2e_signal_in_child(bad_record);
  E2E_REPORT(sig == SIGSEGV, "dormant", "%s", sig == SIGSEGV ? "SIGSEGV" : "not killed by SIGSEGV");

  e2e_write_vaccine("# the fault seen in production\nfun:parse_record\n");
  double ms = e2e_wait_armed("parse_record", 1);
  E2E_REPORT(ms >= 0, "armed while running", "after %.0f ms", ms);
  CHECK_INT(parse_record("x"), 1);
  CHECK_INT(parse_record(E2E_NULL(const char *)), -1);
  CHECK_INT(immune_function_aborts("parse_record"), 1);

  e2e_write_vaccine("");
  ms = e2e_wait_armed("parse_record", 0);
  E2E_REPORT(ms >= 0, "disarmed while running", "after %.0f ms", ms);
  sig = e2e_signal_in_child(bad_record);
  E2E_REPORT(sig == SIGSEGV, "dormant again", "%s", sig == SIGSEGV ? "SIGSEGV" : "not killed by SIGSEGV");
  return e2e_done();
}
