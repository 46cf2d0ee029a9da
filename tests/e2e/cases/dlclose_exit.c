/* A protected module that is dlclose()d leaves the runtime's registry first
 * (its destructor unregisters its sites): the exit-time statistics
 * (verbosity=1, the default) and immune_stats() never read an unmapped
 * module. Found by the evaluation: lighttpd unloads its modules on every
 * exit and died of SIGSEGV inside the runtime's statistics dump.
 * E2E-DLOPEN: dlclose_exit_lib.c
 * E2E-RECOVERED: 2
 * E2E-STDERR: in dl_parse \(.*dlclose_exit_lib\.c\), returning -1$
 * E2E-STDERR: ^immune:   exe_parse: 1$
 * E2E-STDERR-COUNT: 0 dl_parse: 1$
 * E2E-STDERR-COUNT: 0 crashed
 */
#include "e2e.h"

#include <dlfcn.h>

IMMUNE_PROTECT int exe_parse(const char *s) { return s[0]; }

static int has_site(const char *name) {
  immune_stat stats[64];
  size_t n = immune_stats(stats, 64);
  for (size_t i = 0; i < n && i < 64; ++i)
    if (strcmp(stats[i].function, name) == 0) return 1;
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  const char *path = getenv("E2E_DLOPEN");
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    printf("FAIL dlopen: %s\n", dlerror());
    return 1;
  }
  int (*dl_parse)(const char *) = (int (*)(const char *))dlsym(h, "dl_parse");
  CHECK_INT(dl_parse("D"), 'D');
  CHECK_INT(dl_parse(E2E_NULL(const char *)), -1);
  CHECK_INT(has_site("dl_parse"), 1);
  CHECK_INT(dlclose(h), 0);
  CHECK_INT(has_site("dl_parse"), 0);
  CHECK_INT(has_site("exe_parse"), 1);
  /* The library is really gone (no other reference kept it mapped). */
  CHECK_INT(dlopen(path, RTLD_NOW | RTLD_NOLOAD) == NULL, 1);
  CHECK_INT(exe_parse(E2E_NULL(const char *)), -1);
  return e2e_done();
}
