/* sensor_no_tx_monitor.c in the default (protect) mode: with no
 * transaction live there is nothing to heal, so the fault is fatal as
 * without Immune and leaves a `crashed` record.
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: MARK faulting with no protected function
 * E2E-EVENT: crashed SIGSEGV - frame=parse_line
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_MAPERR\) at address 0x8 pc 0x[0-9a-f]+ outside any transaction$
 */
#include "sensor_no_tx_monitor.c"
