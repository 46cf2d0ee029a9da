/* The connection and command parser the replay cases share: a '!' is the
 * poisonous command (a NULL dereference after the read position moved). */
#ifndef IMMUNE_E2E_REPLAY_H
#define IMMUNE_E2E_REPLAY_H

#include "e2e.h"

struct conn {
  const char *buf;
  int pos, len, served, failed;
};

/* Consumes one command. */
IMMUNE_PROTECT int try_command(struct conn *c) {
  char ch = c->buf[c->pos];
  c->pos++;
  if (ch == '!') return *E2E_NULL(volatile int *);
  c->served++;
  return 0;
}

#endif
