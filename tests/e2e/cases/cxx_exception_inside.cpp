// Exceptions and transactions together, where everything must heal or
// commit: an exception thrown and caught inside a protected function, then a
// fault (heals); an exception leaving an inner protected function, caught by
// the outer one, which then faults (the outer heals); an exception caught
// outside a protected function (committed, depth 0), then a fault inside a
// protected function again (heals).
// A call that aborts also undoes its store to depth_in_catch (the memory
// undo log); what the catch saw is on stdout as well.
// E2E-RECOVERED: 3
// E2E-STDOUT: MARK caught at depth 1
// E2E-STDERR: in parse\(char const\*\) \(.*\), returning -1$
// E2E-STDERR: in outer\(char const\*\) \(.*\), returning -1$
// E2E-STDERR: in checked\(int const\*\) \(.*\), returning -1$
#include <stdexcept>

#include "e2e.h"

__attribute__((noinline)) static void validate(const char *s) {
  if (!s || s[0] == '!') throw std::invalid_argument("bad input");
}

static unsigned depth_in_catch;

IMMUNE_PROTECT int parse(const char *s) {
  int r = 0;
  try {
    validate(s);
  } catch (const std::invalid_argument &) {
    depth_in_catch = immune_tx_depth();
    printf("MARK caught at depth %u\n", depth_in_catch);
    r = 100;
  }
  return r + s[0]; // faults when s is NULL, after the catch
}

IMMUNE_PROTECT int inner(const char *s) {
  validate(s);
  return 1;
}

IMMUNE_PROTECT int outer(const char *s) {
  int r = 0;
  try {
    r = inner(s);
  } catch (const std::invalid_argument &) {
    depth_in_catch = immune_tx_depth();
    printf("MARK caught at depth %u\n", depth_in_catch);
    r = 50;
  }
  return r + s[1]; // faults when s is NULL
}

IMMUNE_PROTECT int checked(const int *p) {
  if (*p < 0) throw std::out_of_range("negative");
  return *p;
}

int main() {
  e2e_setup_stdio();
  CHECK_INT(parse("a"), 'a');
  CHECK_INT(parse("!"), 100 + '!');
  CHECK_INT(depth_in_catch, 1);
  depth_in_catch = 0;
  CHECK_INT(parse(E2E_NULL(const char *)), -1);
  CHECK_INT(depth_in_catch, 0); /* written by the aborted call: undone */
  CHECK_DEPTH0();

  CHECK_INT(outer("xy"), 1 + 'y');
  depth_in_catch = 0;
  CHECK_INT(outer("!y"), 50 + 'y');
  CHECK_INT(depth_in_catch, 1);
  depth_in_catch = 0;
  CHECK_INT(outer(E2E_NULL(const char *)), -1);
  CHECK_INT(depth_in_catch, 0); /* written by the aborted call: undone */
  CHECK_DEPTH0();

  int minus = -1, plus = 3;
  bool caught = false;
  try {
    checked(&minus);
  } catch (const std::out_of_range &) {
    caught = true;
  }
  CHECK_TRUE(caught);
  CHECK_DEPTH0();
  CHECK_INT(checked(&plus), 3);
  CHECK_INT(checked(E2E_NULL(const int *)), -1);

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
