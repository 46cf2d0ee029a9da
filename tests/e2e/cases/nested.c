/* Nested transactions: the innermost live one aborts, the outer ones carry
 * on; a fault in an outer function after its inner call committed aborts the
 * outer one. immune_tx_depth() follows the nesting and is back to 0 after.
 * E2E-RECOVERED: 5
 * E2E-STDERR: in inner \(.*\), returning -1$
 * E2E-STDERR: in outer_faults_after \(.*\), returning -1$
 */
#include "e2e.h"

static unsigned depth_in_inner, depth_after_inner;

IMMUNE_PROTECT int inner(const int *p) {
  depth_in_inner = immune_tx_depth();
  return *p;
}

/* Inner aborts, outer continues with inner's error value. */
IMMUNE_PROTECT int outer(const int *p) {
  int r = inner(p);
  depth_after_inner = immune_tx_depth();
  return r * 10;
}

/* Inner commits, then outer itself faults. */
IMMUNE_PROTECT int outer_faults_after(const int *good, const int *bad) {
  int r = inner(good);
  depth_after_inner = immune_tx_depth();
  return r + *bad;
}

/* Three levels: level3 faults (level2 goes on), then level2 faults (level1
 * goes on). */
static unsigned depth_in_level3;
IMMUNE_PROTECT int level3(const int *p) {
  depth_in_level3 = immune_tx_depth();
  return *p;
}
IMMUNE_PROTECT int level2(const int *p) {
  int r = level3(p); /* -1 */
  return r + *p;     /* faults again, in level2 */
}
IMMUNE_PROTECT int level1(const int *p) {
  int r = level2(p); /* -1 */
  return r * 100;    /* -100 */
}

int main(void) {
  e2e_setup_stdio();
  int seven = 7;
  const int *null = E2E_NULL(const int *);

  CHECK_INT(outer(&seven), 70);
  CHECK_INT(depth_in_inner, 2);
  CHECK_INT(depth_after_inner, 1);

  depth_in_inner = depth_after_inner = 0;
  CHECK_INT(outer(null), -10);
  CHECK_INT(depth_in_inner, 0); /* written by the aborted inner call: undone */
  CHECK_INT(depth_after_inner, 1);
  CHECK_DEPTH0();

  CHECK_INT(outer_faults_after(&seven, null), -1);
  CHECK_INT(depth_after_inner, 1);
  CHECK_DEPTH0();

  CHECK_INT(level1(&seven), 1400);
  CHECK_INT(level1(null), -100);
  CHECK_INT(depth_in_level3, 3);
  CHECK_DEPTH0();

  /* A plain call of the inner function still commits normally. */
  CHECK_INT(inner(&seven), 7);
  CHECK_INT(depth_in_inner, 1);
  CHECK_INT(inner(null), -1);

  CHECK_INT(immune_recoveries(), 5);
  CHECK_INT(immune_function_aborts("inner"), 2);
  CHECK_INT(immune_function_aborts("outer"), 0);
  CHECK_INT(immune_function_aborts("outer_faults_after"), 1);
  CHECK_INT(immune_function_aborts("level3"), 1);
  CHECK_INT(immune_function_aborts("level2"), 1);
  CHECK_INT(immune_function_aborts("level1"), 0);
  CHECK_DEPTH0();
  return e2e_done();
}
