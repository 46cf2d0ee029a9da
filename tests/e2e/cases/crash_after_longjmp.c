/* longjmp out of a protected function (from the function itself and from an
 * unprotected callee) leaves its transaction: a later fault outside every
 * transaction, even on the stack below where those frames were, kills the
 * process as without Immune instead of "returning" from a dead frame.
 * E2E-RECOVERED: 0
 * E2E-STDOUT: ok   jumps: got 2, want 2
 * E2E-STDOUT: MARK faulting outside any transaction
 */
#include <setjmp.h>

#include "e2e.h"

static jmp_buf env;

IMMUNE_PROTECT int jumps_itself(int x) {
  if (E2E_HIDE(x)) longjmp(env, 1);
  return 0;
}

__attribute__((noinline)) static void unprotected_jumper(int x) {
  if (E2E_HIDE(x)) longjmp(env, 2);
}

IMMUNE_PROTECT int jumps_from_callee(int x) {
  unprotected_jumper(x);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  static volatile int jumps;
  switch (setjmp(env)) {
  case 0:
    jumps_itself(1);
    break;
  case 1:
    ++jumps;
    CHECK_DEPTH0();
    jumps_from_callee(1);
    break;
  case 2:
    ++jumps;
    CHECK_DEPTH0();
    break;
  }
  CHECK_INT(jumps, 2);
  return e2e_crash_deep();
}
