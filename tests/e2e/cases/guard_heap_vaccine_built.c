// The policy's guard_heap stays under a live vaccine: grow is built with
// `fun:grow=guard_heap` (a policy line), the vaccine names it without
// `=guard_heap` ("fun:grow"): armed, and still guarded, so bc's bug in
// miniature (guard_heap_e2e.h) heals as with the policy alone. A vaccine
// adds guard_heap; it never takes away what the build put there.
// E2E-CFLAGS: --immune-protect-all
// E2E-POLICY: fun:grow=guard_heap
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/vaccine.txt:vaccine_poll_ms=20
// E2E-RECOVERED: 1
// E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in grow \(.*\), returning -1: overflow of a guarded heap block of 768 bytes allocated at 0x[0-9a-f]+ in grow$
// E2E-STDOUT: ok   s: got 2016, want 2016

#include "vaccine_e2e.h"
#include "guard_heap_e2e.h"

int main(int argc, char **argv) {
  (void)argc;
  e2e_restart_with_vaccine(argv, "fun:grow\n");
  return run();
}
