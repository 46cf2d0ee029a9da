/* --immune-protect-all protects every function without any annotation or
 * policy, except main (a fault there must still end the process), and
 * IMMUNE_SKIP still opts a function out.
 * E2E-CFLAGS: --immune-protect-all
 * E2E-RECOVERED: 3
 * E2E-STDERR: in parse_line \(.*protect_all\.c\), returning -1$
 * E2E-STDERR: in deref_twice \(.*\), returning NULL$
 */
#include "e2e.h"

int parse_line(const char *s) { return s[0]; }
const char *deref_twice(const char *const *pp) { return *pp + 1; }
static int static_helper(const int *p) { return *p * 2; }
IMMUNE_SKIP int skipped(int x) { return x; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(parse_line("x"), 'x');
  CHECK_INT(parse_line(E2E_NULL(const char *)), -1);
  CHECK_PTR(deref_twice(E2E_NULL(const char *const *)), NULL);
  CHECK_INT(static_helper(E2E_NULL(const int *)), -1);
  CHECK_INT(skipped(4), 4);
  CHECK_TRUE(e2e_registered("parse_line"));
  CHECK_TRUE(e2e_registered("deref_twice"));
  CHECK_TRUE(!e2e_registered("skipped"));
  CHECK_TRUE(!e2e_registered("main"));
  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
