/* The fault storm (storm.c) with -fstack-protector-strong: the frames that
 * keep a stack canary of their own (runaway(), the callers of the guarded
 * buffers) must not turn a healed fault into "stack smashing detected".
 *
 * E2E-CFLAGS: -g -fstack-protector-strong
 * E2E-ENV: IMMUNE_OPTIONS=handle_abort=all:log_burst=0
 * E2E-RECOVERED: 22267
 * E2E-STDERR-COUNT: 0 ^immune: (crashed|escalated)
 * E2E-STDERR-COUNT: 0 stack smashing
 */
#include "storm.c"
