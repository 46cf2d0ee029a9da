/* bc's more_arrays bug in miniature (guard_heap_e2e.h), vaccinated with
 * fun:grow=guard_heap: the store past the end of the grown table faults on
 * the guard page inside grow, which returns -1 with the old table intact;
 * the program carries on and computes the rest correctly. The record names
 * grow and the block (768 bytes, allocated in grow).
 * E2E-POLICY: fun:grow=guard_heap
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-RECOVERED: 1
 * E2E-EVENT: recovered SIGSEGV grow symbol heap=768 heap_in=grow
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in grow \(.*\), returning -1: overflow of a guarded heap block of 768 bytes allocated at 0x[0-9a-f]+ in grow$
 * E2E-STDOUT: ok   s: got 2016, want 2016
 * E2E-STDOUT: ok   sum(): got 8128, want 8128
 */
#include "guard_heap_e2e.h"

int main(void) { return run(); }
