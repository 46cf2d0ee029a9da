/* A program with its own free() (the runtime's allocator entry points are
 * weak): heap rollback would be logged half, so it is off, and says so at
 * verbosity=2. An aborted call's free happened at once (through the
 * program's free) and its new block stays allocated, as in
 * rollback_kinds.c; its stores are still undone, and faults still heal.
 * E2E-ENV: IMMUNE_OPTIONS=verbosity=2
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 1
 * E2E-STDERR-COUNT: 1 ^immune: rollback: the program has its own malloc; that kind is not rolled back$
 */
#include <malloc.h>

#include "e2e.h"
#include "rollback_e2e.h"

extern void __libc_free(void *);

void free(void *p) { __libc_free(p); }

void *volatile kept;

IMMUNE_RETURN(-1) int process(char *old, const int *input) {
  kept = malloc(30000);
  free(old);
  return *input;
}

int main(void) {
  e2e_setup_stdio();
  char *old = malloc(50000);
  size_t heap0 = heap_in_use();
  CHECK_INT(process(old, E2E_NULL(const int *)), -1);
  CHECK_PTR(kept, NULL); /* the store is undone */
  size_t heap = heap_in_use();
  CHECK_TRUE(heap + 50000 - 30000 <= heap0 + 64); /* freed old, kept the new block */
  CHECK_TRUE(heap >= heap0 - 50000 + 30000 - 64);
  CHECK_DEPTH0();
  return e2e_done();
}
