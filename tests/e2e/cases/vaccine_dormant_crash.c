/* A protect-all build under a vaccine that names nothing (the file does not
 * exist yet, which is refused and reported): a NULL dereference in a
 * protected function kills the process by SIGSEGV, exactly as without
 * Immune, and the record says why it was not healed. */
// E2E-CFLAGS: --immune-protect-all
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/not-there.txt:log_path=@LOG@
// E2E-STDERR: ^immune: vaccine .*/not-there.txt \(change 0\) refused: .*/not-there.txt: cannot read the vaccine: No such file or directory; the vaccine in force stays$
// E2E-STDERR: ^immune: crashed: SIGSEGV .*no live transaction is armed by the vaccine
// E2E-STDOUT: parsing
// E2E-EVENT: vaccine refused -
// E2E-EVENT: crashed SIGSEGV - frame=parse_record
#include "e2e.h"

__attribute__((noinline)) int parse_record(const char *p) { return p[0]; }

int main(void) {
  e2e_setup_stdio();
  printf("parsing\n");
  CHECK_INT(immune_function_armed("parse_record"), 0);
  parse_record(E2E_NULL(const char *));
  printf("FAIL survived a dormant fault\n");
  return 1;
}
