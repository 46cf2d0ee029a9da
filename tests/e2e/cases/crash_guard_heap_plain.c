/* bc's more_arrays bug in miniature (guard_heap_e2e.h) without the
 * vaccine: grow runs 1 KiB past the end of the table it reallocated, over
 * glibc's chunk headers, and the process dies in the allocator (SIGABRT),
 * as bc 1.06 did. grow is protected (a transaction), but its blocks are
 * ordinary: nothing faults inside it.
 * E2E-POLICY: fun:grow
 * E2E-STDOUT: MARK growing the table with the wrong bound
 * E2E-RECOVERED: 0
 */
#include "guard_heap_e2e.h"

int main(void) { return run(); }
