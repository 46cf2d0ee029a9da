/* A buffer grown by realloc in successive nested protected calls: each
 * inner call reallocates a block the outer call allocated. The old copies
 * go back to malloc when each inner call commits (the outer call's abort
 * would free them too), so the heap in use stays about the buffer's size,
 * not the sum of all its sizes (found by sqlite3's fuzzcheck under
 * protect-all, which grew to gigabytes). Committed and aborted, the heap is
 * as before afterwards.
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 1
 * E2E-STDOUT: ok   heap in use inside stays near the buffer's size
 */
#include "e2e.h"
#include "rollback_e2e.h"

struct buf {
  char *p;
  size_t n;
};

IMMUNE_PROTECT int grow(struct buf *b, size_t add) {
  char *q = realloc(b->p, b->n + add);
  if (!q) return -1;
  memset(q + b->n, 'x', add);
  b->p = q;
  b->n += add;
  return 0;
}

static size_t peak_inside;

IMMUNE_PROTECT int build(int rounds, const int *input) {
  struct buf b = {malloc(16), 16};
  for (int i = 0; i < rounds; ++i) grow(&b, 100000);
  size_t inuse = heap_in_use();
  if (inuse > peak_inside) peak_inside = inuse;
  int r = *input + (int)(b.n > 0);
  free(b.p);
  return r;
}

int main(void) {
  e2e_setup_stdio();
  int ok = 0;
  CHECK_INT(build(1, &ok), 1); /* warm-up: the runtime's and libc's first-use state */
  peak_inside = 0;
  size_t before = heap_in_use();
  CHECK_INT(build(200, &ok), 1); /* a 20 MB buffer, 200 reallocs */
  CHECK_INT(heap_in_use(), before);
  CHECK_INT(build(200, E2E_NULL(const int *)), -1);
  CHECK_INT(heap_in_use(), before);
  /* Without the early frees: 200 copies, about 2 GB. */
  if (peak_inside < before + 3 * 20000016u)
    printf("ok   heap in use inside stays near the buffer's size (%zu MB)\n", peak_inside >> 20);
  else
    printf("FAIL heap in use inside reached %zu MB for a 20 MB buffer\n", peak_inside >> 20);
  CHECK_DEPTH0();
  return e2e_done();
}
