/* An unprotected callee's stack buffer overflows upward: over its own
 * return address and into its protected caller's frame (the overflow the
 * old ABI let rewrite the transaction record, which the runtime then
 * crashed acting on). The records live on the runtime's transaction stack,
 * so the runtime reads nothing the overflow wrote: the callee's return to
 * the attacker's bytes faults, the caller's transaction aborts, and the
 * process carries on. Twice, then a healthy call.
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in handle \(.*callee_smash[a-z_]*\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include <string.h>

#include "e2e.h"

/* Not protected, never inlined, and called through a pointer the pass
 * cannot follow (a callee it can see gets a transactional clone whose
 * buffers are relocated too): its buffer stays on the stack. Copies as
 * many bytes as reach just past its own return address (the frame pointer
 * is kept so that slot is known), or a short string when healthy. */
__attribute__((noinline, optimize("no-omit-frame-pointer"))) static int
unsafe_copy(const char *in, int smash) {
  char tmp[32];
  size_t n = strlen(in) + 1;
  if (smash) {
    char *ret_end = (char *)__builtin_frame_address(0) + 16;
    n = (size_t)(ret_end - tmp);
  }
  memcpy(tmp, in, n);
  E2E_BARRIER();
  return tmp[0];
}

static char attack[4096];
static int (*volatile copy_fn)(const char *, int) = unsafe_copy;

IMMUNE_PROTECT int handle(const char *in, int smash) {
  return copy_fn(in, E2E_HIDE(smash)) + 1;
}

int main(void) {
  e2e_setup_stdio();
  memset(attack, 0x41, sizeof attack - 1);
  CHECK_INT(handle("hello", 0), 'h' + 1);
  CHECK_INT(handle(attack, 1), -1);
  CHECK_INT(handle(attack, 1), -1);
  CHECK_INT(handle("x", 0), 'x' + 1);
  CHECK_DEPTH0();
  return e2e_done();
}
