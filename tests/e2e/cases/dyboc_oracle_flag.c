/* dyboc_oracle.c with oracle mode chosen by the plugin option
 * (-mllvm -immune-oracle) instead of IMMUNE_ORACLE=1: the same crash at the
 * first byte past `buf`, the same report and record.
 * E2E-CFLAGS: -g -mllvm -immune-oracle
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: all transparency checks passed
 * E2E-STDOUT: MARK overflowing `buf` in copy_name
 * E2E-EVENT: crashed SIGSEGV - frame=copy_name frame=main
 * E2E-LOG-LAST: "event":"crashed",.*"si_code":"SEGV_ACCERR",.*"function":null,.*"buffer":\{"name":"buf","function":"copy_name","file":"[^"]*dyboc_oracle\.c","line":[0-9]+\}
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ outside any transaction: overflow of `buf` in `copy_name`$
 * E2E-STDERR-COUNT: 1 ^immune:
 */
#include "dyboc_oracle.c"
