/* SIGSEGV sent with kill() to the own process while a transaction is live
 * (here in a callee of a protected function) is not a fault: the process
 * dies of it as without Immune.
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK sending SIGSEGV with kill()
 */
#include <signal.h>
#include <unistd.h>

#include "e2e.h"

__attribute__((noinline)) static int send_it(int sig) {
  e2e_mark("sending SIGSEGV with kill()");
  return kill(getpid(), sig);
}

IMMUNE_PROTECT int protected_caller(int sig) { return send_it(sig) + 1; }

int main(void) {
  e2e_setup_stdio();
  int r = protected_caller(SIGSEGV);
  printf("FAIL: survived kill(getpid(), SIGSEGV) (returned %d)\n", r);
  return 1;
}
