/* Selection by a policy file (--immune-policy=FILE), with no annotation in
 * the source: fun: globs, fun:...=return:-7, src: for a whole file, and
 * =skip, which wins over a src: line. Functions the policy does not name
 * are not protected (not registered with the runtime).
 * E2E-SRC: policy_lib.c
 * E2E-POLICY: # protect by name; one with its own error value
 * E2E-POLICY: fun:parse_*
 * E2E-POLICY: fun:checked_open=return:-7
 * E2E-POLICY: # every function of one file, except one
 * E2E-POLICY: src:*policy_lib.c
 * E2E-POLICY: fun:lib_hot_path=skip
 * E2E-RECOVERED: 4
 * E2E-STDERR: in parse_header \(.*policy\.c\), returning -1$
 * E2E-STDERR: in checked_open \(.*\), returning -7$
 * E2E-STDERR: in lib_count \(.*policy_lib\.c\), returning -1$
 * E2E-STDERR: in lib_name \(.*policy_lib\.c\), returning NULL$
 */
#include "e2e.h"

int lib_count(const int *p);
const char *lib_name(const char *const *p);
int lib_hot_path(int x);

int parse_header(const char *line) { return line[0]; }
int checked_open(const int *fd) { return *fd; }
int not_listed(int x) { return x + 1; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(parse_header("H"), 'H');
  CHECK_INT(parse_header(E2E_NULL(const char *)), -1);
  int fd = 3;
  CHECK_INT(checked_open(&fd), 3);
  CHECK_INT(checked_open(E2E_NULL(const int *)), -7);
  CHECK_INT(lib_count(&fd), 4);
  CHECK_INT(lib_count(E2E_NULL(const int *)), -1);
  CHECK_PTR(lib_name(E2E_NULL(const char *const *)), NULL);
  CHECK_INT(lib_hot_path(1), 2);

  CHECK_TRUE(e2e_registered("parse_header"));
  CHECK_TRUE(e2e_registered("checked_open"));
  CHECK_TRUE(e2e_registered("lib_count"));
  CHECK_TRUE(e2e_registered("lib_name"));
  CHECK_TRUE(!e2e_registered("lib_hot_path"));
  CHECK_TRUE(!e2e_registered("not_listed"));
  CHECK_TRUE(!e2e_registered("main"));
  CHECK_INT(not_listed(1), 2);
  CHECK_INT(immune_recoveries(), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
