/* Changing a live vaccine while the program runs (docs/live.md): the error
 * value a vaccine gives (=return:V) is what the aborted call returns, and a
 * new value takes over without a rebuild; a file that does not parse, or
 * gives a value the function cannot return, is refused with file:line and
 * the vaccine in force stays; an entry that matches no protected function
 * is named. Every change leaves a JSON record. */
// E2E-CFLAGS: --immune-protect-all
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/vaccine.txt:vaccine_poll_ms=20:log_path=@LOG@
// E2E-RECOVERED: 4
// E2E-STDERR: refused: .*/vaccine.txt:2: 'retrun:-1': unknown category
// E2E-STDERR: refused: .*/vaccine.txt:1: return:1.5 does not fit parse_record: a floating-point error value for an integer return type; the vaccine in force stays$
// E2E-STDERR: applied: 1 function armed; error values: parse_record returns -1; matches no protected function: fun:parse_recrod \(line 2\)$
// E2E-STDERR: ^immune: recovered .* in parse_record .*, returning -7$
// E2E-EVENT: vaccine refused -
// E2E-EVENT: vaccine applied - armed=parse_record
// E2E-EVENT: recovered SIGSEGV parse_record
// E2E-EVENT: vaccine applied -
// E2E-EVENT: recovered SIGSEGV parse_record
// E2E-EVENT: vaccine refused -
// E2E-EVENT: recovered SIGSEGV parse_record
// E2E-EVENT: vaccine refused -
// E2E-EVENT: vaccine applied - unmatched=1
// E2E-EVENT: recovered SIGSEGV parse_record
#include "vaccine_e2e.h"

__attribute__((noinline)) int parse_record(const char *p) {
  return p[0] == 'x' ? 1 : 2;
}

#define BAD E2E_NULL(const char *)

int main(int argc, char **argv) {
  (void)argc;
  e2e_setup_stdio();
  e2e_restart_with_vaccine(argv, "fun:parse_record=return:-7\n");

  CHECK_INT(immune_function_armed("parse_record"), 1);
  CHECK_INT(parse_record(BAD), -7);

  e2e_write_vaccine("fun:parse_record=return:-9\n");
  double ms = e2e_wait_error_value("parse_record", "-9");
  E2E_REPORT(ms >= 0, "new error value in force", "after %.0f ms", ms);
  CHECK_INT(parse_record(BAD), -9);

  /* Refused: the vaccine of the last change stays. */
  e2e_write_vaccine("fun:other\nfun:parse_record=retrun:-1\n");
  ms = e2e_wait_log("\"status\":\"refused\"", 2);
  E2E_REPORT(ms >= 0, "a typo refused", "after %.0f ms", ms);
  CHECK_INT(parse_record(BAD), -9);
  e2e_write_vaccine("fun:parse_record=return:1.5\n");
  ms = e2e_wait_log("\"status\":\"refused\"", 3);
  E2E_REPORT(ms >= 0, "a value that does not fit refused", "after %.0f ms", ms);
  CHECK_INT(immune_function_armed("parse_record"), 1);

  /* Back to the built-in error value; the typo'd line is named. */
  e2e_write_vaccine("fun:parse_record\nfun:parse_recrod\n");
  ms = e2e_wait_error_value("parse_record", "-1");
  E2E_REPORT(ms >= 0, "built-in error value again", "after %.0f ms", ms);
  CHECK_INT(parse_record(BAD), -1);
  CHECK_INT(parse_record("x"), 1);
  return e2e_done();
}
