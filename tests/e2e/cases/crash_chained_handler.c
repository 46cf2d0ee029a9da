/* A program with its own SIGSEGV handler (SA_SIGINFO), installed before the
 * runtime's (constructor priority 100 < the runtime's 101): faults outside
 * every transaction still reach it. Here it maps in a page on first touch
 * and the program goes on; a fault inside a transaction heals without
 * involving it; a fault it does not want it hands to the default action, and
 * the process dies of SIGSEGV.
 * E2E-RECOVERED: 1
 * E2E-STDOUT: ok   page[100]: got 7, want 7
 * E2E-STDOUT: ok   handler_calls: got 1, want 1
 * E2E-STDOUT: MARK faulting outside any transaction
 * E2E-STDOUT: user handler: declining fault at 0
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "e2e.h"

static char *page;
static volatile int handler_calls;

static void user_handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  ++handler_calls;
  char *a = (char *)si->si_addr;
  if (page && a >= page && a < page + 4096) {
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
    return; /* the access is retried and succeeds */
  }
  static const char msg[] = "user handler: declining fault at 0\n";
  if (!a) write(1, msg, sizeof msg - 1);
  signal(sig, SIG_DFL); /* the access is retried and kills the process */
}

/* Priorities up to 100 are reserved for the implementation; that is the
 * point here: this runs before the runtime's constructor (101). */
__attribute__((constructor(100))) static void install_user_handler(void) {
  page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = user_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
}

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  /* The runtime's handler is installed (it heals), so ours was chained. */
  page[100] = 7;
  CHECK_INT(page[100], 7);
  CHECK_INT(handler_calls, 1);
  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  CHECK_INT(handler_calls, 1);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting outside any transaction");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: survived a fault outside any transaction\n");
  return 1;
}
