/* A program built with Immune that protects no function at all still gets
 * the sensor: in monitor mode its fatal fault leaves a `crashed` record
 * (no function) and it dies with SIGSEGV as without Immune.
 * sensor_no_tx_protect.c runs the same program in the default mode.
 * E2E-ENV: IMMUNE_OPTIONS=mode=monitor:log_path=@LOG@
 * E2E-STDOUT: MARK faulting with no protected function
 * E2E-EVENT: crashed SIGSEGV - frame=parse_line
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_MAPERR\) at address 0x8 pc 0x[0-9a-f]+ outside any transaction$
 */
#include "e2e.h"

struct line {
  int n;
  const char *text;
};

__attribute__((noinline)) int parse_line(const struct line *l) { return l->text[0] + l->n; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(immune_stats(NULL, 0), 0);
  struct line ok = {1, "a"};
  CHECK_INT(parse_line(&ok), 'a' + 1);
  if (e2e_failures) return e2e_done();
  e2e_mark("faulting with no protected function");
  /* The result is used: an unused call of a function without side effects
   * would be deleted at -O2. */
  int r = parse_line(E2E_NULL(const struct line *));
  printf("FAIL: survived a fault outside any transaction (got %d)\n", r);
  return 1;
}
