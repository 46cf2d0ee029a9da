/* immune-heal's replay check (tests/heal/heal_replay_test.sh): a command
 * loop that retries a failed command with the same bytes (the rollback put
 * the read position back), and gives up silently after many tries — so a
 * vaccine on the parser "survives" after 20,000 recoveries. The loop must
 * refuse it and climb to the loop itself, whose callers report the failure.
 *   replay COMMANDS   ('!' is the poisonous command) */
#include <stdio.h>
#include <string.h>

struct conn {
  const char *buf;
  int pos, len;
};

int try_command(struct conn *c) {
  char ch = c->buf[c->pos];
  c->pos++;
  if (ch == '!') return *(volatile int *)(c->pos > 1000000 ? c : 0);
  return 0;
}

int drive(struct conn *c) {
  int tries = 0;
  while (c->pos < c->len)
    if (try_command(c) < 0 && ++tries > 20000) break; /* the bug: gives up silently */
  return tries > 20000 ? 0 : 1;
}

int main(int argc, char **argv) {
  struct conn c = {argc > 1 ? argv[1] : "", 0, argc > 1 ? (int)strlen(argv[1]) : 0};
  if (drive(&c) < 0) {
    puts("rejected");
    return 0;
  }
  puts("done");
  return 0;
}
