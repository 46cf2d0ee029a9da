#include <stdio.h>

#include <immune/immune.h>

#include "kv.h"

struct server { int port; };
struct config { const char *name; struct server *server; };

/* The bug: a config without a server section. IMMUNE_PROTECT makes a fault
 * in here return -1. */
IMMUNE_PROTECT static int config_port(const struct config *c) {
  return c->server->port;
}

int main(void) {
  const char *lines[] = {"name=kvstat", "broken line", "mode=fast"};
  for (unsigned i = 0; i < sizeof lines / sizeof *lines; i++) {
    int n = kv_value_length(lines[i]);
    if (n < 0)
      printf("\"%s\": rejected\n", lines[i]);
    else
      printf("\"%s\": value of %d bytes\n", lines[i], n);
  }
  struct server s = {8080};
  struct config good = {"good", &s}, bad = {"bad", NULL};
  printf("port of good: %d\n", config_port(&good));
  printf("port of bad: %d\n", config_port(&bad));
  printf("recoveries: %llu\n", (unsigned long long)immune_recoveries());
  return 0;
}
