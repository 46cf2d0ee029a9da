/* free() of a pointer into unmapped memory outside any transaction kills
 * the process with SIGSEGV, as glibc's free does without Immune, and the
 * record says it was outside any transaction, not inside the runtime.
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: MARK freeing a garbage pointer outside any transaction
 * E2E-EVENT: crashed SIGSEGV -
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_MAPERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ outside any transaction$
 * E2E-STDERR-COUNT: 0 inside the Immune runtime
 */
#include <sys/mman.h>

#include "e2e.h"

int main(void) {
  e2e_setup_stdio();
  char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  munmap(page, 4096);
  e2e_mark("freeing a garbage pointer outside any transaction");
  free(E2E_HIDE(page + 16));
  printf("FAIL: free of a garbage pointer returned\n");
  return 1;
}
