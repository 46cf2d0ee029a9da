/* Small static functions the optimizer would inline at -O2 (one even marked
 * always_inline) stay transactions: each still heals on its own, also when
 * called from a loop and from an unprotected function that is inlined.
 * E2E-RECOVERED: 4
 * E2E-STDERR: in get_item \(.*inline_static\.c\), returning -1$
 * E2E-STDERR: in get_forced \(.*\), returning -1$
 */
#include "e2e.h"

IMMUNE_PROTECT static int get_item(const int *p, int i) { return p[i]; }

IMMUNE_PROTECT static inline __attribute__((always_inline)) int
get_forced(const int *p) {
  return *p + 1;
}

static inline int sum(const int *p, int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += get_item(p, i);
  return s;
}

int main(void) {
  e2e_setup_stdio();
  const int v[4] = {1, 2, 3, 4}, *null = E2E_NULL(const int *);
  CHECK_INT(sum(v, 4), 10);
  CHECK_INT(sum(null, 2), -2); /* two calls, two aborts */
  CHECK_INT(get_item(null, 3), -1);
  CHECK_INT(get_forced(v), 2);
  CHECK_INT(get_forced(null), -1);
  CHECK_INT(immune_recoveries(), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
