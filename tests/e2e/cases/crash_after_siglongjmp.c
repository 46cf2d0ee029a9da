/* As crash_after_longjmp.c, leaving with siglongjmp and _longjmp, and at -O2
 * with _FORTIFY_SOURCE, where glibc turns the jumps into __longjmp_chk.
 * E2E-RECOVERED: 0
 * E2E-STDOUT: ok   jumps: got 2, want 2
 * E2E-STDOUT: MARK faulting outside any transaction
 */
#if defined(__OPTIMIZE__) && !defined(_FORTIFY_SOURCE)
#define _FORTIFY_SOURCE 2
#endif
#include <setjmp.h>

#include "e2e.h"

static sigjmp_buf env;
static jmp_buf env2;

IMMUNE_PROTECT int sigjumps(int x) {
  if (E2E_HIDE(x)) siglongjmp(env, 1);
  return 0;
}

IMMUNE_PROTECT int underscore_jumps(int x) {
  if (E2E_HIDE(x)) _longjmp(env2, 1);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  static volatile int jumps;
  if (sigsetjmp(env, 1) == 0) {
    sigjumps(1);
  } else {
    ++jumps;
    CHECK_DEPTH0();
  }
  if (_setjmp(env2) == 0) {
    underscore_jumps(1);
  } else {
    ++jumps;
    CHECK_DEPTH0();
  }
  CHECK_INT(jumps, 2);
  return e2e_crash_deep();
}
