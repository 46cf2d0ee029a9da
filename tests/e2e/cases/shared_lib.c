/* A protected function in a shared library (built with immune-cc -shared
 * -fPIC) called from an executable built with immune-cc: the library's
 * functions register with the executable's runtime and heal, also when the
 * fault is in a callback into the executable; and the executable's protected
 * functions heal faults inside the library.
 * E2E-SHLIB: shared_lib_lib.c
 * E2E-RECOVERED: 3
 * E2E-STDERR: in lib_parse \(.*shared_lib_lib\.c\), returning -1$
 * E2E-STDERR: in lib_visit \(.*shared_lib_lib\.c\), returning -1$
 * E2E-STDERR: in exe_wrapper \(.*shared_lib\.c\), returning -1$
 */
#include "e2e.h"

int lib_parse(const char *s);
int lib_visit(int (*cb)(const int *), const int *arg);
int lib_unprotected_read(const int *p);

static int exe_callback(const int *p) { return *p * 2; }

IMMUNE_PROTECT int exe_wrapper(const int *p) { return lib_unprotected_read(p); }

int main(void) {
  e2e_setup_stdio();
  const int seven = 7, *null = E2E_NULL(const int *);
  CHECK_INT(lib_parse("L"), 'L');
  CHECK_INT(lib_parse(E2E_NULL(const char *)), -1);
  CHECK_INT(lib_visit(exe_callback, &seven), 15);
  CHECK_INT(lib_visit(exe_callback, null), -1);
  CHECK_INT(exe_wrapper(&seven), 7);
  CHECK_INT(exe_wrapper(null), -1);
  CHECK_INT(immune_recoveries(), 3);
  CHECK_INT(immune_function_aborts("lib_parse"), 1);
  CHECK_INT(immune_function_aborts("lib_visit"), 1);
  CHECK_INT(immune_function_aborts("exe_wrapper"), 1);
  CHECK_DEPTH0();
  return e2e_done();
}
