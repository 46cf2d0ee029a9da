/* sensor_15_faults.c in monitor mode: nothing heals, so the first fault
 * (a NULL read in read_field) kills the process with SIGSEGV, exactly as
 * without Immune, and leaves one `crashed` record that names the
 * transaction it would have aborted, with a backtrace through it.
 * E2E-ENV: IMMUNE_OPTIONS=mode=monitor:log_path=@LOG@
 * E2E-STDOUT: MARK first fault
 * E2E-EVENT: crashed SIGSEGV read_field symbol frame=main aborts=0
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x[0-9a-f]+ in read_field \(.*\) \(monitor mode: not healed\)$
 * E2E-STDERR-COUNT: 1 ^immune:
 */
#include "sensor_15_faults.c"
