/* Unbounded recursion where every level is a transaction (a recursive-
 * descent parser given input nested without end). The stack runs out; the
 * runtime aborts the innermost transaction that leaves stack_headroom_kb
 * (64 KiB) for its abort path, never one at the exhausted end. That level
 * returns its error value, and every level above passes it on. On the main
 * thread twice and on a thread with a 1 MiB stack.
 * E2E-RECOVERED: 3
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in nest \(.*recursion_protected\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include "e2e.h"

/* "((((...": one level per '('; the input never closes (the bug). */
IMMUNE_PROTECT int nest(const char *s, long depth) {
  volatile long level = depth; /* a scalar: no buffer to relocate */
  if (*s == '(') {
    int r = nest(s + (depth < E2E_HIDE(1L << 40)) * 0, depth + 1);
    if (r < 0) return r;
    return r + (level == depth);
  }
  return 0;
}

static int unclosed(void) { return nest("(", 0); }

int main(void) {
  e2e_setup_stdio();
  e2e_bound_stack();
  CHECK_INT(nest(")", 0), 0);
  CHECK_INT(nest("(", 0), -1);
  CHECK_INT(nest("(", 0), -1);
  CHECK_INT(e2e_on_thread(unclosed, 1u << 20), -1);
  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
