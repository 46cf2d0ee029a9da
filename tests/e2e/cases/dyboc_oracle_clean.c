/* dyboc_oracle.c without the overflow: in oracle mode a program that does
 * not overflow runs normally and gets every result right, with nothing on
 * stderr and no event record, although its buffers did move to guard-paged
 * slots.
 * E2E-CFLAGS: -g
 * E2E-BUILD-ENV: IMMUNE_ORACLE=1
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-RECOVERED: 0
 * E2E-STDOUT: all transparency checks passed
 * E2E-STDERR-COUNT: 0 ^
 */
#define ORACLE_CLEAN 1
#include "dyboc_oracle.c"
