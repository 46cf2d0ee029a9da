/* Runaway recursion below a protected function exhausts the stack; the fault
 * handler runs on the thread's alternate signal stack, so the transaction
 * still aborts. Twice on the main thread (the alternate stack is usable
 * again after the first) and once on a second thread.
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in evaluate \(.*stack_overflow\.c\), returning -1$
 */
#include <pthread.h>
#include <sys/resource.h>

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

static void *thread_main(void *arg) {
  (void)arg;
  static int r;
  r = evaluate(E2E_HIDE(0x7fffffff));
  return &r;
}

int main(void) {
  e2e_setup_stdio();
  e2e_bound_stack();
  CHECK_INT(evaluate(100), 1);
  CHECK_INT(evaluate(E2E_HIDE(0x7fffffff)), -1);
  CHECK_INT(evaluate(E2E_HIDE(0x7fffffff)), -1);
  /* Healthy deep recursion still works after the healed overflows. */
  CHECK_INT(evaluate(1000), 1);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1u << 20);
  pthread_t t;
  void *res = NULL;
  CHECK_INT(pthread_create(&t, &attr, thread_main, NULL), 0);
  CHECK_INT(pthread_join(t, &res), 0);
  CHECK_INT(*(int *)res, -1);

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
