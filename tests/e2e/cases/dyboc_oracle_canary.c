/* dyboc_oracle.c with an off-by-one into the canary slack of a char[20]:
 * no guard page is hit, so in oracle mode the broken canary is found when
 * fill_cell releases the slot, and outside any transaction that kills the
 * process with SIGABRT, as a stack protector would, naming the buffer.
 * E2E-CFLAGS: -g
 * E2E-BUILD-ENV: IMMUNE_ORACLE=1
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: all transparency checks passed
 * E2E-STDOUT: MARK overflowing `cell` in fill_cell
 * E2E-EVENT: crashed CANARY - frame=fill_cell frame=main
 * E2E-LOG-LAST: "event":"crashed",.*"function":null,.*"buffer":\{"name":"cell","function":"fill_cell","file":"[^"]*dyboc_oracle\.c","line":[0-9]+\}
 * E2E-STDERR-COUNT: 1 ^immune: crashed: broken canary of a relocated buffer pc 0x[0-9a-f]+ outside any transaction: overflow of `cell` in `fill_cell`$
 * E2E-STDERR-COUNT: 1 ^immune:
 */
#define ORACLE_CANARY 1
#include "dyboc_oracle.c"
