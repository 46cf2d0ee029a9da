/* The shared library of shared_lib.c. */
#include <immune/immune.h>

IMMUNE_PROTECT int lib_parse(const char *s) { return s[0]; }

IMMUNE_PROTECT int lib_visit(int (*cb)(const int *), const int *arg) {
  return cb(arg) + 1;
}

int lib_unprotected_read(const int *p) { return *p; }
