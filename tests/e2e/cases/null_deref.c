/* A NULL dereference (read and write) in the protected function itself heals:
 * the call returns -1 and the program carries on, as often as it faults.
 * E2E-RECOVERED: 3
 * E2E-STDERR: ^immune: recovered SIGSEGV \(SEGV_MAPERR\) at address 0x0 pc 0x[0-9a-f]+ in read_field \(.*null_deref\.c\), returning -1$
 * E2E-STDERR: in write_field \(.*\), returning -1$
 */
#include "e2e.h"

struct record {
  int id;
  int value;
};

IMMUNE_PROTECT int read_field(const struct record *r) { return r->id + 1; }

IMMUNE_PROTECT int write_field(struct record *r, int v) {
  r->value = v;
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  struct record ok = {41, 0};
  CHECK_INT(read_field(&ok), 42);
  CHECK_INT(read_field(E2E_NULL(struct record *)), -1);
  CHECK_INT(write_field(&ok, 5), 0);
  CHECK_INT(ok.value, 5);
  CHECK_INT(write_field(E2E_NULL(struct record *), 5), -1);
  /* A second fault in the same function heals as well as the first. */
  CHECK_INT(read_field(E2E_NULL(struct record *)), -1);
  CHECK_INT(read_field(&ok), 42);
  CHECK_INT(immune_recoveries(), 3);
  CHECK_INT(immune_function_aborts("read_field"), 2);
  CHECK_INT(immune_function_aborts("write_field"), 1);
  CHECK_DEPTH0();
  return e2e_done();
}
