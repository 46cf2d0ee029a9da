/* Integer division by zero (SIGFPE) heals, signed and unsigned, and so does
 * INT_MIN / -1 (the other integer division x86 traps on).
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 4
 * E2E-STDERR: ^immune: recovered SIGFPE \(FPE_INTDIV\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in average \(.*div_zero\.c\), returning -1$
 * E2E-STDERR: recovered SIGFPE .* in ratio \(.*\), returning 0$
 */
#include <limits.h>

#include "e2e.h"

IMMUNE_PROTECT int average(int sum, int count) { return sum / count; }
IMMUNE_PROTECT unsigned ratio(unsigned a, unsigned b) { return a % b; }
IMMUNE_PROTECT long scale(long a, long b) { return a / b; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(average(10, 5), 2);
  CHECK_INT(average(10, E2E_HIDE(0)), -1);
  CHECK_UINT(ratio(10, 4), 2);
  CHECK_UINT(ratio(10, E2E_HIDE(0u)), 0);
  CHECK_INT(average(E2E_HIDE(INT_MIN), E2E_HIDE(-1)), -1);
  CHECK_INT(scale(E2E_HIDE(LONG_MIN), E2E_HIDE(-1L)), -1);
  CHECK_INT(scale(-9, 3), -3);
  CHECK_INT(immune_recoveries(), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
