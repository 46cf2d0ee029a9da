/* What a recovery leaves behind in the thread's state: the signal mask is
 * exactly what it was before the fault (SIGSEGV and SIGFPE not blocked, a
 * signal the program blocked still blocked), so the next fault heals too; the
 * thread is off the alternate signal stack; errno is what the code had set
 * when it faulted, even when the report itself could not be written.
 * E2E-RECOVERED: 4
 * (six recoveries; two of them with stderr closed)
 * E2E-STDERR: recovered SIGFPE \(FPE_INTDIV\) .* in divide \(.*\), returning -1$
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "e2e.h"

IMMUNE_PROTECT int read_value(const int *p) { return *p; }

IMMUNE_PROTECT int divide(int a, int b) { return a / b; }

/* Sets errno the way failing library calls do, then faults. */
IMMUNE_PROTECT int fail_then_fault(const int *p) {
  if (close(-1) == 0) return 0; /* EBADF */
  return *p;
}

static int same_mask(const sigset_t *a, const sigset_t *b) {
  for (int s = 1; s < NSIG; ++s)
    if (sigismember(a, s) != sigismember(b, s)) return 0;
  return 1;
}

static void check_state(const sigset_t *before, const char *after_what) {
  sigset_t now;
  sigprocmask(SIG_SETMASK, NULL, &now);
  printf("-- after %s\n", after_what);
  CHECK_TRUE(same_mask(&now, before));
  CHECK_INT(sigismember(&now, SIGSEGV), 0);
  CHECK_INT(sigismember(&now, SIGFPE), 0);
  CHECK_INT(sigismember(&now, SIGUSR1), 1);
  stack_t ss;
  CHECK_INT(sigaltstack(NULL, &ss), 0);
  CHECK_INT(ss.ss_flags & SS_ONSTACK, 0);
}

int main(void) {
  e2e_setup_stdio();
  /* The program's own mask, which a recovery must neither lose nor extend. */
  sigset_t usr1, before;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL);
  sigprocmask(SIG_SETMASK, NULL, &before);

  const int *null = E2E_NULL(const int *);
  CHECK_INT(read_value(null), -1);
  check_state(&before, "first SIGSEGV");
  CHECK_INT(read_value(null), -1);
  check_state(&before, "second SIGSEGV");
  CHECK_INT(divide(1, E2E_HIDE(0)), -1);
  check_state(&before, "SIGFPE");

  /* errno from the caller, untouched by the function that faulted. */
  errno = ENOENT;
  CHECK_INT(read_value(null), -1);
  CHECK_INT(errno, ENOENT);

  /* errno the function set before it faulted, with stderr closed so the
   * handler's own report fails (EBADF) and must not leak into errno. */
  int saved = dup(2);
  close(2);
  errno = 0;
  int r = fail_then_fault(null);
  int err = errno;
  dup2(saved, 2);
  CHECK_INT(r, -1);
  CHECK_INT(err, EBADF);
  errno = ERANGE;
  saved = dup(2);
  close(2);
  read_value(null);
  err = errno;
  dup2(saved, 2);
  CHECK_INT(err, ERANGE);

  CHECK_INT(immune_recoveries(), 6);
  CHECK_DEPTH0();
  return e2e_done();
}
