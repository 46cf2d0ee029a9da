/* The runtime options in force (see options.inc for the list). Parsed once,
 * before any handler is installed; read-only afterwards, so the fault path
 * reads them without synchronisation. */
#ifndef IMMUNE_RT_OPTIONS_H
#define IMMUNE_RT_OPTIONS_H

#include <stddef.h>

enum immune_mode { IMMUNE_MODE_PROTECT, IMMUNE_MODE_MONITOR, IMMUNE_MODE_OFF };
/* Which SIGABRTs heal (handle_abort). */
enum immune_aborts { IMMUNE_ABORTS_NONE, IMMUNE_ABORTS_SSP, IMMUNE_ABORTS_ALL };

#define IMMUNE_OPT_TYPE_BOOL int
#define IMMUNE_OPT_TYPE_INT long
#define IMMUNE_OPT_TYPE_STRING const char *
#define IMMUNE_OPT_TYPE_LIST const char *
#define IMMUNE_OPT_TYPE_PATH const char *
#define IMMUNE_OPT_TYPE_MODE enum immune_mode
#define IMMUNE_OPT_TYPE_ABORTS enum immune_aborts

struct immune_options {
#define IMMUNE_OPTION(name, type, def, help) IMMUNE_OPT_TYPE_##type name;
#include "options.inc"
#undef IMMUNE_OPTION
};

extern struct immune_options immune_opts;

/* Parses `text` (the IMMUNE_OPTIONS syntax) over the defaults. Each bad
 * entry gets one line on stderr naming it and is ignored; the others apply.
 * Returns the number of bad entries. `secure` drops options that write
 * files (setuid/setgid programs). Strings point into a copy owned here. */
int immune_options_parse(const char *text, int secure);
void immune_options_print_help(int fd);
void immune_options_print(int fd);

#endif
