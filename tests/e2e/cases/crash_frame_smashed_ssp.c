/* crash_frame_smashed.c with the stack protector: the callee's canary
 * fires (SIGABRT inside the caller's transaction), but the caller's return
 * address is gone too, so it is not healed: the process dies of SIGABRT,
 * as the plain build does ("stack smashing detected").
 * E2E-CFLAGS: -fstack-protector-strong
 * E2E-RECOVERED: 0
 * E2E-STDOUT: MARK smashing past the caller's return address
 * E2E-STDERR: crashed: SIGABRT .*: the frame of a protected function was overwritten \(its return address changed\)
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include "crash_frame_smashed.c"
