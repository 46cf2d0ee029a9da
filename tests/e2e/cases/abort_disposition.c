/* SIGABRT raised inside a transaction reaches the program's own disposition
 * as it would without Immune: with SIG_IGN, raise(SIGABRT) returns and the
 * function goes on; with a handler that returns, the handler runs and the
 * function goes on. Nothing aborts (handle_abort=ssp, the default, heals
 * only a smashed canary). Found by the evaluation: memcached's testapp
 * ignores SIGABRT and checks that its cache's red-zone check raises it and
 * carries on.
 * E2E-RECOVERED: 0
 * E2E-STDERR-COUNT: 0 ^immune: (crashed|escalated)
 */
#include <signal.h>

#include "e2e.h"

static volatile sig_atomic_t handled;
static void on_abrt(int sig) {
  (void)sig;
  handled++;
}

IMMUNE_PROTECT int raise_and_go_on(int v) {
  raise(SIGABRT);
  return v + 1;
}

int main(void) {
  e2e_setup_stdio();
  signal(SIGABRT, SIG_IGN);
  CHECK_INT(raise_and_go_on(1), 2);
  signal(SIGABRT, on_abrt);
  CHECK_INT(raise_and_go_on(2), 3);
  CHECK_INT(handled, 1);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_abrt;
  sigaction(SIGABRT, &sa, NULL);
  CHECK_INT(raise_and_go_on(3), 4);
  CHECK_INT(handled, 2);
  CHECK_INT(immune_recoveries(), 0);
  return e2e_done();
}
