/* callee_smash.c with the stack protector: the callee's canary is smashed
 * and __stack_chk_fail aborts inside the caller's transaction, which heals
 * that (handle_abort=ssp, the default).
 * E2E-CFLAGS: -fstack-protector-strong
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGABRT \([A-Z_]+\) sent by pid [0-9]+ pc 0x[0-9a-f]+ in handle \(.*callee_smash[a-z_]*\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include "callee_smash.c"
