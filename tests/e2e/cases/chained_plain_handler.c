/* A classic handler (signal(), no SA_SIGINFO) installed before the runtime
 * (constructor priority 100 < 101) gets the faults outside transactions:
 * here it exits with status 3, which is what the program does without
 * Immune too. Faults inside transactions heal without it.
 * E2E-RECOVERED: 2
 * E2E-STDOUT: MARK faulting outside any transaction
 * E2E-STDOUT: user handler: SIGSEGV outside transactions
 */
#include <signal.h>
#include <unistd.h>

#include "e2e.h"

static void user_handler(int sig) {
  static const char msg[] = "user handler: SIGSEGV outside transactions\n";
  if (sig == SIGSEGV) write(1, msg, sizeof msg - 1);
  _exit(3);
}

__attribute__((constructor(100))) static void install_user_handler(void) {
  signal(SIGSEGV, user_handler);
}

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting outside any transaction");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: survived a fault outside any transaction\n");
  return 1;
}
