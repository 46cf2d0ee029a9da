/* A held-out miniature of bc 1.06's more_arrays bug: a table grown by
 * realloc whose new entries are initialized up to the wrong bound (the
 * count of another table), far past the end of the new block. Without
 * Immune glibc's chunk headers after the block are overwritten and the
 * process dies in the allocator (SIGABRT); with fun:grow=guard_heap the
 * block grow reallocates is a guarded one, the first store past its end
 * faults inside grow's transaction, and the abort gives back the new block,
 * undoes grow's stores and cancels the free of the old table, which is
 * intact and still the table's. Shared by guard_heap_grow.c (vaccinated)
 * and crash_guard_heap_plain.c. */
#include "e2e.h"

#include <malloc.h>

struct table {
  long *v;
  int n;
};
static struct table tab;
static int names = 224; /* how many of the other table's entries there are */

/* `bound` should be tab.n: the bug passes the other table's count. Never
 * inlined, as bc's more_arrays is not: under protect-all an inlined copy
 * would run inside its caller's transaction, and the cases name grow. */
__attribute__((noinline)) int grow(int more, int bound) {
  int old = tab.n;
  long *v = realloc(tab.v, (size_t)(old + more) * sizeof *v);
  if (!v) return -1;
  tab.v = v;
  tab.n = old + more;
  for (int i = old; i < bound; ++i) v[i] = -1;
  return 0;
}

static long sum(void) {
  long s = 0;
  for (int i = 0; i < tab.n; ++i) s += tab.v[i];
  return s;
}

static int run(void) {
  e2e_setup_stdio();
  tab.n = 32;
  tab.v = malloc(32 * sizeof *tab.v);
  for (int i = 0; i < 32; ++i) tab.v[i] = i;
  CHECK_INT(grow(32, 64), 0); /* the right bound: grows */
  for (int i = 32; i < 64; ++i) tab.v[i] = i;
  long *before = tab.v;
  e2e_mark("growing the table with the wrong bound");
  int r = grow(32, E2E_HIDE(names));
  int n = tab.n;
  long *v = tab.v, s = sum();
  size_t usable = malloc_usable_size(tab.v);
  /* The program's next step grows the table again, from outside every
   * transaction: without the vaccine glibc finds the chunk after the table
   * broken here and aborts. */
  long *w = realloc(tab.v, 128 * sizeof *w);
  CHECK_INT(r, -1);
  CHECK_INT(n, 64);
  CHECK_INT(v == before, 1);
  CHECK_INT(s, 63 * 64 / 2); /* the old table, intact */
  /* The block the first grow allocated inside its transaction works after
   * the commit: malloc_usable_size, realloc and free from outside. */
  CHECK_UINT(usable, 64 * sizeof *tab.v);
  CHECK_INT(w != NULL, 1);
  for (int i = 64; i < 128; ++i) w[i] = i;
  tab.v = w;
  tab.n = 128;
  CHECK_INT(sum(), 127 * 128 / 2);
  free(tab.v);
  return e2e_done();
}
