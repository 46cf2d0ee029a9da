/* Faults inside libc (strlen(NULL), memcpy to NULL, qsort calling back into a
 * faulting comparator) abort the protected function that called it.
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered SIGSEGV .* in name_length \(.*\), returning -1$
 * E2E-STDERR: recovered SIGSEGV .* in copy_out \(.*\), returning NULL$
 * E2E-STDERR: recovered SIGSEGV .* in sort_rows \(.*\), returning -1$
 */
#include "e2e.h"

IMMUNE_PROTECT int name_length(const char *name) { return (int)strlen(name); }

IMMUNE_PROTECT char *copy_out(char *dst, const char *src, size_t n) {
  memcpy(dst, src, n);
  return dst;
}

static int cmp_via_pointer(const void *a, const void *b) {
  /* Rows are pointers; a NULL row faults inside the callback, below qsort. */
  const int *x = *(const int *const *)a, *y = *(const int *const *)b;
  return *x - *y;
}

IMMUNE_PROTECT int sort_rows(const int **rows, size_t n) {
  qsort(rows, n, sizeof *rows, cmp_via_pointer);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(name_length("immune"), 6);
  CHECK_INT(name_length(E2E_NULL(const char *)), -1);

  /* Large and of unknown size, so the copy is a call into libc. */
  static char src[1 << 16], dst[1 << 16];
  size_t n = E2E_HIDE(sizeof src);
  memset(src, 'x', sizeof src);
  CHECK_PTR(copy_out(dst, src, n), dst);
  CHECK_INT(dst[n - 1], 'x');
  CHECK_PTR(copy_out(E2E_NULL(char *), src, n), NULL);

  int a = 3, b = 1, c = 2;
  const int *good[] = {&a, &b, &c};
  CHECK_INT(sort_rows(good, 3), 0);
  CHECK_INT(*good[0], 1);
  const int *bad[] = {&a, E2E_NULL(const int *), &c, &b};
  CHECK_INT(sort_rows(bad, 4), -1);

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
