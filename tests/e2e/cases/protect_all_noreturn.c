/* Protect-all and a noreturn function: it is not made a transaction (an
 * error return would run into code its caller treats as unreachable: at -O2
 * that fell into main again, millions of reports a second). A fault in it
 * aborts its caller's transaction, once.
 * E2E-CFLAGS: --immune-protect-all
 * E2E-RECOVERED: 1
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x0 pc 0x[0-9a-f]+ in handle \(.*protect_all_noreturn\.c\), returning -1$
 */
#include <stdlib.h>

#include "e2e.h"

static int handled;

__attribute__((noreturn, noinline)) static void fail_with(const int *code) { exit(*code); }

int handle(const int *code) {
  if (code == 0 || *code != 0) fail_with(code);
  return ++handled;
}

int main(void) {
  e2e_setup_stdio();
  int zero = 0;
  CHECK_INT(handle(&zero), 1);
  CHECK_INT(handle(E2E_NULL(const int *)), -1);
  CHECK_INT(handled, 1);
  CHECK_INT(immune_function_aborts("handle"), 1);
  return e2e_done();
}
