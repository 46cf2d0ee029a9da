/* A fault five unprotected calls below the protected function aborts the
 * protected function: everything it called is unwound with it.
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGSEGV \(SEGV_MAPERR\) at address 0x3 .* in parse_request \(.*\), returning -1$
 */
#include "e2e.h"

static int calls_completed;

__attribute__((noinline)) static int level5(const char *p) { return p[3]; }
/* Each level adds one and counts that it got control back. */
#define LEVEL(name, next)                                                      \
  __attribute__((noinline)) static int name(const char *p) {                   \
    int r = next(p) + 1;                                                       \
    ++calls_completed;                                                         \
    return r;                                                                  \
  }
LEVEL(level4, level5)
LEVEL(level3, level4)
LEVEL(level2, level3)
LEVEL(level1, level2)

IMMUNE_PROTECT int parse_request(const char *p) { return level1(p); }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(parse_request("abcd"), 'd' + 4);
  CHECK_INT(calls_completed, 4);
  calls_completed = 0;
  CHECK_INT(parse_request(E2E_NULL(const char *)), -1);
  /* None of the callers below the protected function ran on after the fault. */
  CHECK_INT(calls_completed, 0);
  CHECK_INT(parse_request(E2E_NULL(const char *)), -1);
  CHECK_INT(parse_request("wxyz"), 'z' + 4);
  CHECK_INT(immune_recoveries(), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
