/* A field stored twice by one call is logged once (pass/UndoLog.cpp: the
 * second store finds its old bytes in the log already): the abort that
 * follows still puts back the value from before the first store, in a loop
 * as well as in straight-line code.
 * E2E-RECOVERED: 2
 */
#include "e2e.h"

struct counter {
  long hits;
  long last;
};

__attribute__((noinline)) void seen(struct counter *c) { E2E_KEEP(c); }

IMMUNE_PROTECT int bump_twice(struct counter *c, const int *fault) {
  c->hits += 1;
  seen(c);
  c->hits += 1;
  c->last = c->hits;
  return *fault;
}

IMMUNE_PROTECT int bump_loop(struct counter *c, int n, const int *fault) {
  c->hits = 0;
  for (int i = 0; i < n; ++i) {
    seen(c);
    c->hits += i;
  }
  return *fault;
}

int main(void) {
  e2e_setup_stdio();
  int zero = 0;
  struct counter c = {40, 7};
  CHECK_INT(bump_twice(&c, &zero), 0);
  CHECK_INT(c.hits, 42);
  CHECK_INT(c.last, 42);
  CHECK_INT(bump_twice(&c, E2E_NULL(const int *)), -1);
  CHECK_INT(c.hits, 42);
  CHECK_INT(c.last, 42);
  CHECK_INT(bump_loop(&c, 10, E2E_NULL(const int *)), -1);
  CHECK_INT(c.hits, 42);
  CHECK_INT(bump_loop(&c, 10, &zero), 0);
  CHECK_INT(c.hits, 45);
  return e2e_done();
}
