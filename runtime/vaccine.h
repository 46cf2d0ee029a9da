/* Live vaccines (IMMUNE_OPTIONS=vaccine=PATH): which protected functions
 * heal, decided at run time from a policy file the runtime watches. See
 * vaccine.c. The parser and the per-site decision are here for unit tests. */
#ifndef IMMUNE_RT_VACCINE_H
#define IMMUNE_RT_VACCINE_H

#include <stddef.h>
#include <stdint.h>

#include "immune/abi.h"

enum immune_vaccine_action { VACCINE_PROTECT, VACCINE_SKIP, VACCINE_RETURN, VACCINE_GUARD_HEAP };
enum immune_vaccine_value { VALUE_INT, VALUE_NULL, VALUE_NAN, VALUE_FLOAT };

struct immune_vaccine_entry {
  unsigned line;
  int src;                /* src:GLOB (else fun:GLOB) */
  enum immune_vaccine_action action;
  const char *pattern;    /* the glob */
  const char *text;       /* the line as written, for reports */
  const char *value_text; /* VACCINE_RETURN: the text after "return:" */
  enum immune_vaccine_value value_kind;
  int64_t value_int;
  double value_float;
  unsigned matched;       /* sites it matched at the last apply */
};

struct immune_vaccine {
  size_t count;
  struct immune_vaccine_entry *entries;
  char *storage; /* owns every string above */
};

/* Parses a vaccine's text. On error returns NULL and writes
 * "PATH:LINE: what is wrong" into err. */
struct immune_vaccine *immune_vaccine_parse(const char *path, const char *text, size_t len,
                                            char *err, size_t err_len);
void immune_vaccine_free(struct immune_vaccine *v);

/* What the vaccine says about one site. */
struct immune_vaccine_decision {
  int armed, guard_heap;
  const struct immune_vaccine_entry *ret; /* the deciding return:V, or NULL */
};
struct immune_vaccine_decision immune_vaccine_decide(struct immune_vaccine *v,
                                                     const struct __immune_site *site);

/* The bits site's abort path returns for the entry's value; 0 when the value
 * does not fit the site's return type, with why. Fills *bits. */
int immune_vaccine_value_bits(const struct immune_vaccine_entry *e,
                              const struct __immune_site *site, uint64_t *bits,
                              const char **why);

/* Start-up (init.c): read the file, start the watcher thread. */
void immune_vaccine_init(void);
/* site_registry.c, registry lock held: a site registers while a vaccine
 * is in force: arm or make it dormant. */
void immune_vaccine_site_registered(struct __immune_site *site);

#endif
