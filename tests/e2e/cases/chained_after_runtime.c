/* Handlers the program installs after the runtime started (in main, with
 * sigaction and then signal) do not switch healing off: faults inside
 * transactions still heal without reaching them, faults outside reach them
 * (the first one repairs its page and the program goes on; the second one
 * exits with status 3), and sigaction reports the program's own handler back.
 * E2E-RECOVERED: 2
 * E2E-STDOUT: ok   page[8]: got 9, want 9
 * E2E-STDOUT: MARK faulting outside any transaction
 * E2E-STDOUT: plain handler: SIGSEGV outside transactions
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "e2e.h"

static char *page;
static volatile int info_calls;

static void info_handler(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  ++info_calls;
  char *a = (char *)si->si_addr;
  if (a >= page && a < page + 4096) mprotect(page, 4096, PROT_READ | PROT_WRITE);
  else _exit(4); /* not expected here */
}

static void plain_handler(int sig) {
  static const char msg[] = "plain handler: SIGSEGV outside transactions\n";
  if (sig == SIGSEGV) write(1, msg, sizeof msg - 1);
  _exit(3);
}

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct sigaction sa, now;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = info_handler;
  sa.sa_flags = SA_SIGINFO;
  CHECK_INT(sigaction(SIGSEGV, &sa, NULL), 0);
  CHECK_INT(sigaction(SIGSEGV, NULL, &now), 0);
  CHECK_PTR((void *)now.sa_sigaction, (void *)info_handler);

  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  CHECK_INT(info_calls, 0);
  page[8] = 9;
  CHECK_INT(page[8], 9);
  CHECK_INT(info_calls, 1);

  signal(SIGSEGV, plain_handler);
  CHECK_INT(checked_read(E2E_NULL(const int *)), -1);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting outside any transaction");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: survived a fault outside any transaction\n");
  return 1;
}
