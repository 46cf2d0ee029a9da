/* C23 attribute syntax: [[clang::annotate("immune")]] selects a C function
 * just like IMMUNE_PROTECT, and [[clang::annotate("immune.return", ...)]]
 * states its error value.
 * E2E-CFLAGS: -std=c23
 * E2E-RECOVERED: 2
 * E2E-STDERR: in parse_c23 \(.*annotate_c23\.c\), returning -1$
 * E2E-STDERR: in open_c23 \(.*\), returning -9$
 */
#include "e2e.h"

[[clang::annotate("immune")]] int parse_c23(const char *s) { return s[0]; }
[[clang::annotate("immune.return", -9)]] int open_c23(const int *p) {
  return *p;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(parse_c23("q"), 'q');
  CHECK_INT(parse_c23(E2E_NULL(const char *)), -1);
  CHECK_INT(open_c23(E2E_NULL(const int *)), -9);
  CHECK_INT(immune_recoveries(), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
