/* A protected function's small same-module callee, which -O2 inlines into
 * it: the callee's stack buffer becomes the caller's and is relocated with
 * the caller's own, because the transactions are placed after the inliner
 * (pass/InlineBoundary.h). Before, the callee was inlined after the pass had
 * run and its `char tmp[16]` stayed on the stack: a 60-byte key overflowed
 * silently, a 200-byte key smashed the frame ("fault inside the Immune
 * runtime"). Now both abort the lookup at every -O level (at -O0 the callee
 * is a call of its own and its return to the smashed address faults), and
 * a healthy key still gives the same hash.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 2
 * E2E-STDERR-COUNT: 2 ^immune: recovered SIGSEGV .* in lookup .*returning -1
 * E2E-STDERR-COUNT: 0 fault inside the Immune runtime
 * E2E-STDERR-COUNT: 0 outside any transaction
 */
#include <string.h>

#include "e2e.h"

#define HIDE_STR(s) E2E_HIDE((const char *)(s))

static int normalize(const char *key) {
  char tmp[16];
  strcpy(tmp, key);
  E2E_KEEP(tmp);
  int h = 0;
  for (const char *p = tmp; *p; ++p) h = h * 31 + *p;
  return h & 0x7fff;
}

IMMUNE_PROTECT int lookup(const char *key) { return normalize(key) % 97; }

int main(void) {
  e2e_setup_stdio();
  char k60[61], k200[201];
  memset(k60, 'x', 60), k60[60] = 0;
  memset(k200, 'y', 200), k200[200] = 0;
  CHECK_INT(lookup(HIDE_STR(k60)), -1);
  CHECK_INT(lookup(HIDE_STR(k200)), -1);
  CHECK_INT(lookup(HIDE_STR("abc")), (((('a' * 31 + 'b') * 31 + 'c')) & 0x7fff) % 97);
  return e2e_done();
}
