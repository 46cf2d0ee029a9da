/* A call through a NULL function pointer jumps to address 0 (the faulting pc
 * is 0, the stack holds the return address the call pushed); it heals.
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x0 in dispatch \(.*\), returning -1$
 */
#include "e2e.h"

typedef int (*handler_fn)(int);

static int twice(int x) { return 2 * x; }

IMMUNE_PROTECT int dispatch(handler_fn h, int x) { return h(x) + 1; }

__attribute__((noinline)) static int call_unprotected(handler_fn h, int x) {
  return h(x);
}
IMMUNE_PROTECT int dispatch_deeper(handler_fn h, int x) {
  return call_unprotected(h, x) + 1;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(dispatch(twice, 20), 41);
  CHECK_INT(dispatch(E2E_NULL(handler_fn), 20), -1);
  CHECK_INT(dispatch_deeper(E2E_NULL(handler_fn), 20), -1);
  CHECK_INT(dispatch_deeper(twice, 1), 3);
  CHECK_INT(immune_recoveries(), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
