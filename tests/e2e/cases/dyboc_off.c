/* IMMUNE_DYBOC=0 when compiling: protected functions keep their buffers on
 * the stack. The guard pool is never touched (no slot committed, none in
 * use inside the call, no fallback counted), and the functions are still
 * protected: a NULL dereference in one heals, with no buffer named.
 * E2E-CFLAGS: -g
 * E2E-BUILD-ENV: IMMUNE_DYBOC=0
 * E2E-RECOVERED: 1
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x[0-9a-f]+ in parse_header \(.*dyboc_off\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 overflow of
 */
#include "dyboc_e2e.h"

IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  strcpy(buf, line);
  return (int)strlen(buf) * 10 + (int)slots_in_use();
}

IMMUNE_PROTECT long vla_sum(int n) {
  char v[n];
  memset(v, 1, (size_t)n);
  long sum = (long)slots_in_use() * 100000;
  for (int i = 0; i < n; ++i) sum += v[i];
  return sum;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(parse_header(HIDE_STR("hello")), 50);
  CHECK_INT(vla_sum(E2E_HIDE(1000)), 1000);
  CHECK_INT(parse_header(E2E_NULL(const char *)), -1);
  CHECK_INT(parse_header(HIDE_STR("again")), 50);
  immune_guard_info g = guard_info();
  CHECK_UINT(g.slots_committed, 0);
  CHECK_UINT(g.slots_in_use, 0);
  CHECK_UINT(g.fallbacks, 0);
  CHECK_UINT(g.canary_faults, 0);
  CHECK_INT(immune_function_aborts("parse_header"), 1);
  CHECK_DEPTH0();
  return e2e_done();
}
