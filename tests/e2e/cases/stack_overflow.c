/* Runaway recursion below a protected function exhausts the stack; the fault
 * handler runs on the thread's alternate signal stack, so the transaction
 * still aborts. Twice on the main thread (the alternate stack is usable
 * again after the first) and once on a second thread.
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in evaluate \(.*stack_overflow\.c\), returning -1$
 */
#include "e2e.h"

/* Deep enough never to be reached: the stack runs out first. The limit is
 * hidden so the recursion has a base case the optimizer cannot remove, and
 * the frame is used after the call so it cannot become a loop. */
__attribute__((noinline)) static int runaway(int n, int limit) {
  volatile char frame[512];
  frame[n & 511] = (char)n;
  if (n == limit) return 0;
  return runaway(n + 1, limit) + (frame[n & 511] != (char)n);
}

IMMUNE_PROTECT int evaluate(int limit) { return runaway(0, limit) + 1; }

static int runaway_evaluation(void) { return evaluate(E2E_HIDE(0x7fffffff)); }

int main(void) {
  e2e_setup_stdio();
  e2e_bound_stack();
  CHECK_INT(evaluate(100), 1);
  CHECK_INT(evaluate(E2E_HIDE(0x7fffffff)), -1);
  CHECK_INT(evaluate(E2E_HIDE(0x7fffffff)), -1);
  /* Healthy deep recursion still works after the healed overflows. */
  CHECK_INT(evaluate(1000), 1);

  CHECK_INT(e2e_on_thread(runaway_evaluation, 1u << 20), -1);

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
