/* SIGSEGV sent with raise() while a transaction is live is not a fault: the
 * process dies of it as without Immune, no transaction aborts.
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK raising SIGSEGV inside a protected function
 */
#include <signal.h>

#include "e2e.h"

IMMUNE_PROTECT int handler_body(int sig) {
  e2e_mark("raising SIGSEGV inside a protected function");
  raise(sig);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  int r = handler_body(SIGSEGV);
  printf("FAIL: survived raise(SIGSEGV) (returned %d)\n", r);
  return 1;
}
