/* rollback_undo.c with glibc's per-thread cache and fast bins off, so a
 * freed block is counted as free at once: the heap in use after every
 * abort, the first included, is exactly what it was before.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 20
 * E2E-STDOUT: ok   heap after every abort: same
 */
#define ROLLBACK_EXACT 1
#include "rollback_undo.c"
