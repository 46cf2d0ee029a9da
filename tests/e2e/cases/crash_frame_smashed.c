/* The overflow runs on over the protected caller's own return address:
 * resuming it would return into the attacker's bytes, so the runtime does
 * not heal. No transaction encloses it, so the process dies of the same
 * signal as without Immune, and the record says why.
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK smashing past the caller's return address
 * E2E-STDERR: crashed: SIGSEGV .*: the frame of a protected function was overwritten \(its return address changed\)
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include <string.h>

#include "e2e.h"

static char attack[4096];
static char *caller_ret_end;

/* Called through a pointer the pass cannot follow: a callee it can see gets
 * a transactional clone whose buffers are relocated, and would not smash. */
__attribute__((noinline, optimize("no-omit-frame-pointer"))) static int
unsafe_copy(const char *in) {
  char tmp[32];
  memcpy(tmp, in, (size_t)(caller_ret_end - tmp));
  E2E_BARRIER();
  return tmp[0];
}

static int (*volatile copy_fn)(const char *) = unsafe_copy;

IMMUNE_PROTECT int handle(const char *in) {
  /* A protected function keeps its frame pointer (the checkpoint takes it):
   * its return address is the word above it. */
  caller_ret_end = (char *)__builtin_frame_address(0) + 16;
  return copy_fn(in) + 1;
}

int main(void) {
  e2e_setup_stdio();
  memset(attack, 0x41, sizeof attack - 1);
  e2e_mark("smashing past the caller's return address");
  int r = handle(attack);
  printf("FAIL: survived (%d)\n", r);
  return 1;
}
