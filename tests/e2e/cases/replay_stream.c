/* Not a replay: ten poisonous commands inside one call of the state
 * machine, each followed by a good one (the parser commits in between) and
 * skipped after its error. Every one heals; nothing escalates.
 * E2E-RECOVERED: 10
 * E2E-STDERR-COUNT: 10 recovered SIGSEGV .* in try_command \(.*replay_stream\.c\), returning -1$
 * E2E-STDERR-COUNT: 0 escalated
 */
#include "replay_e2e.h"

/* A correct state machine: a failed command is skipped. */
IMMUNE_PROTECT int drive(struct conn *c) {
  while (c->pos < c->len)
    if (try_command(c) < 0) {
      c->failed++;
      c->pos++;
    }
  return c->served;
}

int main(void) {
  e2e_setup_stdio();
  struct conn c = {"!a!b!c!d!e!f!g!h!i!j", 0, 20, 0, 0};
  CHECK_INT(drive(&c), 10);
  CHECK_INT(c.failed, 10);
  CHECK_INT(immune_recoveries(), 10);
  CHECK_DEPTH0();
  return e2e_done();
}
