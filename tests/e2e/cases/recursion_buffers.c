/* Unbounded recursion of a protected function with a stack buffer: every
 * level relocates its buffer (DYBOC), so the stack often runs out inside
 * the runtime's __immune_slot_alloc, called at the level's entry on the
 * program's own stack, rather than in the program's code (jq's jv_dump_term
 * under protect-all died so, "fault inside the Immune runtime"). That is the
 * program's recursion, not a runtime bug: the innermost transaction that
 * leaves stack_headroom_kb aborts, as for any other stack exhaustion. On
 * threads whose stacks differ in size, so the guard page is hit at
 * different instructions.
 * E2E-RECOVERED: 12
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 */
#include "e2e.h"

IMMUNE_PROTECT int nest_buf(const char *s, long depth) {
  char buf[48];
  buf[depth % 48] = (char)depth;
  E2E_BARRIER();
  if (*s == '(') {
    int r = nest_buf(s + (depth < E2E_HIDE(1L << 40)) * 0, depth + 1);
    if (r < 0) return r;
    return r + buf[depth % 48];
  }
  return 0;
}

static int unclosed(void) { return nest_buf("(", 0); }

int main(void) {
  e2e_setup_stdio();
  for (size_t i = 0; i < 12; ++i)
    CHECK_INT(e2e_on_thread(unclosed, (256u << 10) + i * 4096u + (i & 3) * 64u), -1);
  CHECK_INT(immune_recoveries(), 12);
  return e2e_done();
}
