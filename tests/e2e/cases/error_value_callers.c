/* An aborted validity check must read as "invalid" to its caller: the
 * callers combine the result with & (libxml2's `ret &=
 * xmlValidateElementContent(...)`), so the error value is 0, not the -1 the
 * function also returns; and an enum function returns its enumerator named
 * like an error. The invalid document is rejected.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 2
 * E2E-STDERR: in validate_content \(.*error_value_callers\.c\), returning 0$
 * E2E-STDERR: in next_step \(.*error_value_callers\.c\), returning 4$
 */
#include "e2e.h"

struct elem { const int *content; };

IMMUNE_PROTECT int validate_content(const struct elem *e) {
  if (!e) return -1;
  if (*e->content < 0) return 0; /* faults when content is NULL */
  return 1;
}

static int validate_document(const struct elem *elems, int n) {
  int ret = 1;
  for (int i = 0; i < n; ++i) ret &= validate_content(&elems[i]);
  return ret;
}

typedef enum { STEP_GO_ON, STEP_FINISHED, STEP_COMEBACK, STEP_WAIT, STEP_ERROR } step_t;

IMMUNE_PROTECT step_t next_step(const int *state) {
  return *state > 0 ? STEP_GO_ON : STEP_FINISHED;
}

int main(void) {
  e2e_setup_stdio();
  int one = 1;
  struct elem good[2] = {{&one}, {&one}}, bad[2] = {{&one}, {E2E_NULL(const int *)}};
  CHECK_INT(validate_document(good, 2), 1);
  CHECK_INT(validate_document(bad, 2), 0);
  CHECK_INT(next_step(&one), STEP_GO_ON);
  CHECK_INT(next_step(E2E_NULL(const int *)), STEP_ERROR);
  return e2e_done();
}
