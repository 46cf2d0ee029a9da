/* free(), realloc() and malloc_usable_size() of a pointer into unmapped
 * memory inside a protected function: the read of the word in front of it
 * faults, as it does in glibc's free without Immune. That fault is the
 * program's (a garbage pointer reached the allocator), so the transaction
 * aborts and returns its error value; it is not a fault inside the Immune
 * runtime, which would never heal. The heap stays usable afterwards.
 * crash_free_bad_pointer.c: the same free outside any transaction kills.
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered SIGSEGV .* in drop_buffer \(.*\), returning -1$
 * E2E-STDERR: recovered SIGSEGV .* in grow_buffer \(.*\), returning NULL$
 * E2E-STDERR: recovered SIGSEGV .* in buffer_capacity \(.*\), returning -1$
 * E2E-STDERR-COUNT: 0 inside the Immune runtime
 * E2E-EVENT: recovered SIGSEGV drop_buffer
 * E2E-EVENT: recovered SIGSEGV grow_buffer
 * E2E-EVENT: recovered SIGSEGV buffer_capacity
 */
#include <malloc.h>
#include <sys/mman.h>

#include "e2e.h"

IMMUNE_PROTECT int drop_buffer(char *p) {
  free(p);
  return 0;
}

IMMUNE_PROTECT char *grow_buffer(char *p, size_t n) { return realloc(p, n); }

IMMUNE_PROTECT size_t buffer_capacity(char *p) { return malloc_usable_size(p); }

/* A pointer 16 bytes into a page that is no longer mapped. */
static char *garbage_pointer(void) {
  char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  munmap(page, 4096);
  return page + 16;
}

int main(void) {
  e2e_setup_stdio();
  char *bad = garbage_pointer();

  char *good = malloc(32);
  strcpy(good, "kept");
  CHECK_TRUE(buffer_capacity(good) >= 32);
  CHECK_INT(drop_buffer(bad), -1);
  CHECK_PTR(grow_buffer(bad, 64), NULL);
  CHECK_UINT(buffer_capacity(bad), (size_t)-1);

  /* The heap works on: a good block grows, another is freed. */
  good = grow_buffer(good, 4096);
  CHECK_TRUE(good != NULL);
  CHECK_TRUE(strcmp(good, "kept") == 0);
  CHECK_INT(drop_buffer(good), 0);
  char *more = malloc(100);
  CHECK_TRUE(more != NULL);
  free(more);

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
