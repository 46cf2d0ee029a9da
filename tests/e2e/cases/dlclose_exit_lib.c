/* The dlopen()ed half of dlclose_exit.c. */
#include <immune/immune.h>

IMMUNE_PROTECT int dl_parse(const char *s) { return s[0]; }
