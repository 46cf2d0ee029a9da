// guard_heap from a live vaccine (docs/live.md): bc's bug in miniature
// (guard_heap_e2e.h) built with protect-all, no rebuild: started with the
// vaccine "fun:grow=guard_heap", the runtime arms grow and sets its
// guarded-heap flag, so the store past the grown table faults inside grow,
// which returns -1 with the old table intact, exactly as with the policy
// line at compile time (guard_heap_grow.c). Every other function of the
// build is dormant: without the vaccine line, nothing would heal.
// E2E-CFLAGS: --immune-protect-all
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/vaccine.txt:vaccine_poll_ms=20
// E2E-RECOVERED: 1
// E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in grow \(.*\), returning -1: overflow of a guarded heap block of 768 bytes allocated at 0x[0-9a-f]+ in grow$
// E2E-STDOUT: ok   s: got 2016, want 2016

#include "vaccine_e2e.h"
#include "guard_heap_e2e.h"

int main(int argc, char **argv) {
  (void)argc;
  e2e_restart_with_vaccine(argv, "fun:grow=guard_heap\n");
  return run();
}
