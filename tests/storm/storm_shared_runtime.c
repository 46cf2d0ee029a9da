/* The fault storm (storm.c) with the runtime as a shared library
 * (--immune-shared-runtime): the same guarantees when the runtime's
 * interceptors and thread-local state come from libimmune_rt.so.
 *
 * E2E-CFLAGS: -g --immune-shared-runtime
 * E2E-ENV: IMMUNE_OPTIONS=handle_abort=all:log_burst=0
 * E2E-RECOVERED: 22267
 * E2E-STDERR-COUNT: 0 ^immune: (crashed|escalated)
 */
#include "storm.c"
