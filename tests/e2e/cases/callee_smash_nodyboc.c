/* callee_smash.c built without buffer relocation (IMMUNE_DYBOC=0): the
 * caller's frame holds nothing relocated either, and it still heals.
 * E2E-BUILD-ENV: IMMUNE_DYBOC=0
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) .* in handle \(.*callee_smash[a-z_]*\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include "callee_smash.c"
