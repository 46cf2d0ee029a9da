/* Threat model: a fault inside libc's allocator is never healed. glibc finds
 * the double free inside free() and aborts with the arena lock held; healing
 * the transaction would leave that lock held and deadlock the next malloc.
 * (The block comes from outside the transaction, so rollback defers both
 * frees to the commit, where glibc catches the second one.)
 * Immune escalates instead: one `escalated` line naming the reason, and the
 * process dies of SIGABRT exactly as without Immune. (handle_abort=all: with
 * the default, ssp, an abort() is not healed to begin with; see
 * crash_abort_deliberate.c.)
 * E2E-ENV: IMMUNE_OPTIONS=handle_abort=all
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK freeing twice inside a protected function
 * E2E-STDERR: ^immune: escalated: SIGABRT .* in double_free \(.*\): not healing: fault inside libc's allocator
 */
#include <stdlib.h>

#include "e2e.h"

char *volatile sink;

IMMUNE_PROTECT int double_free(void) {
  e2e_mark("freeing twice inside a protected function");
  free(sink);
  free(sink);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  sink = malloc(32);
  int r = double_free();
  printf("FAIL: survived a double free (returned %d)\n", r);
  return 1;
}
