/* A replayed input (the memcached livelock): a connection's state machine
 * hands the same bytes to the same command parser after every abort (the
 * rollback put the read position back), so the parser faults again and
 * again. After replay_aborts (5) aborts in a row inside one call of the
 * state machine, with the thread never blocking, the state machine's own
 * transaction aborts instead: that connection fails, and the next one is
 * served. Built with the undo log, so the rollback really restores pos.
 * E2E-RECOVERED: 6
 * E2E-STDERR-COUNT: 5 recovered SIGSEGV \([A-Z_]+\) at address 0x0 pc 0x[0-9a-f]+ in try_command \(.*replay_nested\.c\), returning -1$
 * E2E-STDERR-COUNT: 1 recovered SIGSEGV \([A-Z_]+\) at address 0x0 pc 0x[0-9a-f]+ in drive \(.*replay_nested\.c\), returning -1$
 * E2E-STDERR-COUNT: 1 escalated: SIGSEGV .* in try_command .*: not healing: aborted again and again on one input \(replay_aborts\): its caller's transaction aborts instead$
 */
#include "replay_e2e.h"

/* The state machine: on an error it tries again (the bytes are still
 * there: the rollback put pos back), as memcached's conn_parse_cmd did. */
IMMUNE_PROTECT int drive(struct conn *c) {
  while (c->pos < c->len)
    if (try_command(c) < 0) continue;
  return c->served;
}

int main(void) {
  e2e_setup_stdio();
  struct conn good = {"abc", 0, 3, 0, 0}, bad = {"ab!c", 0, 4, 0, 0}, after = {"xy", 0, 2, 0, 0};
  CHECK_INT(drive(&good), 3);
  CHECK_INT(drive(&bad), -1);
  /* The other connections are served. */
  CHECK_INT(drive(&after), 2);
  CHECK_INT(immune_recoveries(), 6);
  CHECK_DEPTH0();
  return e2e_done();
}
