/* recursion_protected.c with a transaction stack too small for the
 * recursion (tx_stack_mb=1: about 10,900 records): the push that finds it
 * full aborts the innermost transaction (TX_STACK_FULL) before the thread's
 * stack runs out.
 * E2E-ENV: IMMUNE_OPTIONS=tx_stack_mb=1
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered transaction stack full \(recursion deeper than tx_stack_mb holds\) pc 0x[0-9a-f]+ in nest \(.*recursion_tx_stack_full\.c\), returning -1$
 */
#include "recursion_protected.c"
