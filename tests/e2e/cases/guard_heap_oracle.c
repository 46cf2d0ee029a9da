/* The oracle localizes a heap overflow: bc's bug in miniature
 * (guard_heap_e2e.h), nothing vaccinated, built with protect-all and run in
 * monitor mode with guard_heap_sample=1: every block allocated inside a
 * transaction is a guarded one, so instead of glibc's SIGABRT much later the
 * process dies of SIGSEGV at the first store past the table, and the
 * 'crashed' record names the writer (grow, the transaction it would have
 * aborted) and the block (768 bytes, allocated in grow) — what immune-heal
 * proposes fun:grow=guard_heap from.
 * E2E-CFLAGS: --immune-protect-all
 * E2E-ENV: IMMUNE_OPTIONS=mode=monitor:guard_heap_sample=1:log_path=@LOG@
 * E2E-STDOUT: MARK growing the table with the wrong bound
 * E2E-RECOVERED: 0
 * E2E-EVENT: crashed SIGSEGV grow frame=grow heap=768 heap_in=grow
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in grow \(.*\) \(monitor mode: not healed\): overflow of a guarded heap block of 768 bytes allocated at 0x[0-9a-f]+ in grow$
 */
#include "guard_heap_e2e.h"

int main(void) { return run(); }
