/* replay_nested.c with no transaction around the parser (a one-function
 * policy): after replay_aborts (5) aborts of one input in a row, nothing
 * encloses the parser, so the process dies of the fault, as without Immune,
 * with an 'escalated' record instead of spinning forever (with
 * replay_outermost=1; by default outermost transactions are not checked).
 * E2E-ENV: IMMUNE_OPTIONS=replay_outermost=1
 * E2E-RECOVERED: 5
 * E2E-STDOUT: MARK replaying a poisonous command
 * E2E-STDERR-COUNT: 1 escalated: SIGSEGV .* in try_command .*: not healing: aborted again and again on one input \(replay_aborts\), and no transaction encloses it$
 */
#include "replay_e2e.h"

int main(void) {
  e2e_setup_stdio();
  struct conn good = {"abc", 0, 3, 0, 0}, bad = {"ab!c", 0, 4, 0, 0};
  while (good.pos < good.len) try_command(&good);
  CHECK_INT(good.served, 3);
  if (e2e_failures) return e2e_done();
  e2e_mark("replaying a poisonous command");
  while (bad.pos < bad.len)
    if (try_command(&bad) < 0) continue;
  printf("FAIL: the replay ended (%d served)\n", bad.served);
  return 1;
}
