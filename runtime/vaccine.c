/* Live vaccines: arm rescue points in a running service, no rebuild, no
 * restart (REASSURE's rescue points at compiler speed).
 *
 * With IMMUNE_OPTIONS=vaccine=PATH, every protected function is dormant
 * unless PATH names it: its transaction still runs (the checkpoint costs
 * what it always does), but a fault inside it belongs to the innermost
 * enclosing transaction the vaccine arms (abort.c skips dormant records),
 * and with none the process dies as without Immune. PATH has the policy
 * syntax (pass/Policy.h): fun:GLOB and src:GLOB lines, =return:V (the
 * value the abort path returns, through site.ret_value, no rebuild),
 * =skip (wins), =guard_heap; [immune] sections as in the policy.
 *
 * A runtime thread polls PATH every vaccine_poll_ms; a change is applied
 * once the file stayed the same for one more poll (a writer that truncates
 * and then writes is not read half-way). Applying is atomic per site — one
 * atomic flag update each, no thread is stopped — and a file that does not
 * parse, or gives a value a function cannot return, is refused whole with
 * file:line: the vaccine in force stays. Every change is one stderr line
 * and one JSON record (event "vaccine") saying what was armed.
 *
 * This is not fault-path code: it runs at start-up and on the watcher
 * thread, and takes the registry lock the fault path never takes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event_log.h"
#include "internal.h"
#include "options.h"
#include "raw_io.h"
#include "vaccine.h"

#define VACCINE_MAX_BYTES (1u << 20)

/* ---- Parsing. ------------------------------------------------------------ */

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') ++s;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
  return s;
}

static void set_err(char *err, size_t n, const char *path, unsigned line, const char *what,
                    const char *quoted) {
  if (line)
    snprintf(err, n, "%s:%u: %s%s%s%s", path, line, quoted ? "'" : "", quoted ? quoted : "",
             quoted ? "': " : "", what);
  else
    snprintf(err, n, "%s: %s", path, what);
}

/* The error-value texts the pass accepts (pass/ErrorValue.cpp parseText). */
static int parse_value(const char *t, struct immune_vaccine_entry *e) {
  if (!*t) return -1;
  if (!strcmp(t, "NULL") || !strcmp(t, "null") || !strcmp(t, "nullptr")) {
    e->value_kind = VALUE_NULL;
    return 0;
  }
  if (!strcasecmp(t, "nan")) {
    e->value_kind = VALUE_NAN;
    return 0;
  }
  if (!strcmp(t, "true") || !strcmp(t, "false")) {
    e->value_kind = VALUE_INT;
    e->value_int = t[0] == 't';
    return 0;
  }
  const char *d = t[0] == '-' ? t + 1 : t;
  if (*d >= '0' && *d <= '9') {
    char *end;
    errno = 0;
    unsigned long long u = strtoull(d, &end, 0);
    if (!*end && !errno) {
      e->value_kind = VALUE_INT;
      e->value_int = t[0] == '-' ? (int64_t)(0 - u) : (int64_t)u;
      return 0;
    }
  }
  char *end;
  errno = 0;
  double v = strtod(t, &end);
  if (!*end && end != t && !errno) {
    e->value_kind = VALUE_FLOAT;
    e->value_float = v;
    return 0;
  }
  return -1;
}

static int parse_category(struct immune_vaccine_entry *e, const char *c, const char **why) {
  if (!*c) {
    e->action = VACCINE_PROTECT;
    return 0;
  }
  if (!strcmp(c, "skip")) {
    e->action = VACCINE_SKIP;
    return 0;
  }
  if (!strcmp(c, "guard_heap")) {
    e->action = VACCINE_GUARD_HEAP;
    return 0;
  }
  if (!strncmp(c, "return:", 7)) {
    e->action = VACCINE_RETURN;
    e->value_text = c + 7;
    if (parse_value(c + 7, e) == 0) return 0;
    *why = "not an error value (expected an integer, a floating-point number, NULL, nan, "
           "true or false)";
    return -1;
  }
  if (!strncmp(c, "timeout_ms:", 11)) {
    *why = "timeout_ms cannot be armed live: the watchdog's polls are compiled in (put it "
           "in the build's policy, IMMUNE_POLICY)";
    return -1;
  }
  *why = "unknown category (expected nothing, 'skip', 'return:VALUE' or 'guard_heap')";
  return -1;
}

struct immune_vaccine *immune_vaccine_parse(const char *path, const char *text, size_t len,
                                            char *err, size_t err_len) {
  const char *nul = memchr(text, 0, len);
  if (nul) {
    unsigned line = 1;
    for (const char *p = text; p < nul; ++p) line += *p == '\n';
    set_err(err, err_len, path, line, "NUL byte in the vaccine (is it a text file?)", NULL);
    return NULL;
  }
  struct immune_vaccine *v = calloc(1, sizeof *v);
  /* Every line's text twice at most (the line as written, and cut up). */
  char *store = v ? malloc(2 * len + 2) : NULL;
  size_t lines = 1;
  for (size_t i = 0; i < len; ++i) lines += text[i] == '\n';
  v && (v->entries = calloc(lines, sizeof *v->entries));
  if (!v || !store || !v->entries) {
    free(store);
    immune_vaccine_free(v);
    set_err(err, err_len, path, 0, "out of memory reading the vaccine", NULL);
    return NULL;
  }
  v->storage = store;
  int in_section = 1; /* lines before any [section] apply, as in the policy */
  const char *p = text, *end = text + len;
  for (unsigned line = 1; p < end; ++line) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    char *raw = store;
    memcpy(raw, p, n);
    raw[n] = 0;
    store += n + 1;
    p = nl ? nl + 1 : end;
    char *l = trim(raw);
    if (!*l || *l == '#') continue;
    if (*l == '[') {
      char *close = strrchr(l, ']');
      if (!close || close[1]) {
        set_err(err, err_len, path, line, "malformed section header (expected [NAME])", l);
        goto fail;
      }
      *close = 0;
      in_section = fnmatch(l + 1, "immune", 0) == 0;
      continue;
    }
    struct immune_vaccine_entry *e = &v->entries[v->count];
    e->line = line;
    memcpy(store, l, strlen(l) + 1);
    e->text = store;
    store += strlen(l) + 1;
    char *colon = strchr(l, ':');
    if (!colon) {
      set_err(err, err_len, path, line, "malformed line (expected fun:GLOB or src:GLOB)", l);
      goto fail;
    }
    *colon = 0;
    char *prefix = trim(l), *pattern = colon + 1, *cat = strchr(pattern, '=');
    if (cat) *cat++ = 0;
    if (strcmp(prefix, "fun") && strcmp(prefix, "src")) {
      set_err(err, err_len, path, line, "unknown prefix (expected 'fun:' or 'src:')", prefix);
      goto fail;
    }
    e->src = prefix[0] == 's';
    e->pattern = trim(pattern);
    if (!*e->pattern) {
      set_err(err, err_len, path, line, "empty pattern", e->text);
      goto fail;
    }
    const char *why = NULL;
    if (parse_category(e, cat ? trim(cat) : "", &why) != 0) {
      set_err(err, err_len, path, line, why, cat);
      goto fail;
    }
    if (in_section) ++v->count;
  }
  return v;
fail:
  immune_vaccine_free(v);
  return NULL;
}

void immune_vaccine_free(struct immune_vaccine *v) {
  if (!v) return;
  free(v->entries);
  free(v->storage);
  free(v);
}

/* ---- Deciding and applying. ---------------------------------------------- */

static int entry_matches(const struct immune_vaccine_entry *e, const struct __immune_site *s) {
  if (e->src) return s->file[0] && fnmatch(e->pattern, s->file, 0) == 0;
  return fnmatch(e->pattern, s->function, 0) == 0 || fnmatch(e->pattern, s->symbol, 0) == 0;
}

/* As the pass's Policy::lookup: any match arms, skip wins over all, the
 * last return:V line that matches gives the value. */
struct immune_vaccine_decision immune_vaccine_decide(struct immune_vaccine *v,
                                                     const struct __immune_site *site) {
  struct immune_vaccine_decision d = {0, 0, NULL};
  int skip = 0;
  for (size_t i = 0; v && i < v->count; ++i) {
    struct immune_vaccine_entry *e = &v->entries[i];
    if (!entry_matches(e, site)) continue;
    ++e->matched;
    if (e->action == VACCINE_SKIP) skip = 1;
    d.armed = 1;
    if (e->action == VACCINE_RETURN) d.ret = e;
    if (e->action == VACCINE_GUARD_HEAP) d.guard_heap = 1;
  }
  if (skip) d = (struct immune_vaccine_decision){0, 0, NULL};
  return d;
}

int immune_vaccine_value_bits(const struct immune_vaccine_entry *e,
                              const struct __immune_site *site, uint64_t *bits,
                              const char **why) {
  int fp = e->value_kind == VALUE_FLOAT || e->value_kind == VALUE_NAN;
  switch (site->ret_kind) {
  case IMMUNE_RET_INT:
  case IMMUNE_RET_PTR:
    if (fp) {
      *why = site->ret_kind == IMMUNE_RET_INT
                 ? "a floating-point error value for an integer return type"
                 : "a floating-point error value for a pointer return type";
      return 0;
    }
    *bits = e->value_kind == VALUE_NULL ? 0 : (uint64_t)e->value_int;
    if (site->ret_kind == IMMUNE_RET_INT && site->ret_bits < 64)
      *bits &= (1ull << site->ret_bits) - 1;
    return 1;
  case IMMUNE_RET_FLOAT:
  case IMMUNE_RET_DOUBLE: {
    if (e->value_kind == VALUE_NULL) {
      *why = "NULL for a floating-point return type";
      return 0;
    }
    double d = e->value_kind == VALUE_NAN     ? NAN
               : e->value_kind == VALUE_FLOAT ? e->value_float
                                              : (double)e->value_int;
    if (site->ret_kind == IMMUNE_RET_FLOAT) {
      float f = (float)d;
      uint32_t u;
      memcpy(&u, &f, sizeof u);
      *bits = u;
    } else {
      memcpy(bits, &d, sizeof d);
    }
    return 1;
  }
  default:
    *why = site->flags & IMMUNE_SITE_VOID
               ? "a void function cannot return an error value"
               : "this function's return type (an aggregate, long double, a vector) takes "
                 "no other error value than the one built in";
    return 0;
  }
}

/* The vaccine in force; NULL before the first one parsed (every site is
 * dormant then). Read and replaced under the registry lock. Old tables are
 * kept: a fault on another thread may be reading a ret_text of theirs. */
static struct immune_vaccine *current;
static int active;          /* vaccine= is set: sites register dormant unless armed */
static unsigned change_no;  /* changes applied or refused; 0 is the start-up one */

static void set_site(struct __immune_site *s, struct immune_vaccine_decision d, uint64_t bits) {
  if (d.armed && d.ret) {
    /* The value before the flag that makes the abort path read it. */
    __atomic_store_n(&s->ret_value, bits, __ATOMIC_RELAXED);
    __atomic_store_n(&s->ret_text, d.ret->value_text, __ATOMIC_RELAXED);
    __atomic_fetch_or(&s->flags, IMMUNE_SITE_RETURN_SET, __ATOMIC_RELEASE);
  }
  if (d.armed) {
    if (d.guard_heap) __atomic_fetch_or(&s->flags, IMMUNE_SITE_GUARD_HEAP, __ATOMIC_RELEASE);
    __atomic_fetch_and(&s->flags, ~IMMUNE_SITE_DORMANT, __ATOMIC_RELEASE);
  } else {
    __atomic_fetch_or(&s->flags, IMMUNE_SITE_DORMANT, __ATOMIC_RELEASE);
  }
  if (!d.armed || !d.ret) __atomic_fetch_and(&s->flags, ~IMMUNE_SITE_RETURN_SET, __ATOMIC_RELEASE);
  /* What the build said stays (a dormant site does not guard anyway). */
  if (!d.guard_heap && !(__atomic_load_n(&s->flags, __ATOMIC_RELAXED) & IMMUNE_SITE_GUARD_HEAP_BUILT))
    __atomic_fetch_and(&s->flags, ~IMMUNE_SITE_GUARD_HEAP, __ATOMIC_RELEASE);
}

void immune_vaccine_site_registered(struct __immune_site *s) {
  if (!active) return;
  struct immune_vaccine_decision d = immune_vaccine_decide(current, s);
  uint64_t bits = 0;
  const char *why;
  if (d.ret && !immune_vaccine_value_bits(d.ret, s, &bits, &why)) {
    /* A module loaded later with a function the value does not fit: that
     * one stays dormant, and says so. */
    char line[768];
    snprintf(line, sizeof line, "immune: vaccine %s:%u: return:%s does not fit %s: %s; it "
             "stays dormant\n", immune_opts.vaccine, d.ret->line, d.ret->value_text,
             s->function, why);
    immune_write_all(2, line, strlen(line));
    d.armed = 0;
  }
  set_site(s, d, bits);
}

/* A growing text for one report: names are appended while they fit. */
struct text {
  char *data;
  size_t len, cap;
  unsigned dropped;
};
enum { REPORT_NAMES = 64 * 1024 };

static void text_add(struct text *t, const char *s) {
  size_t n = strlen(s);
  if (!t->data || t->len + n + 64 >= t->cap) {
    ++t->dropped;
    return;
  }
  memcpy(t->data + t->len, s, n + 1);
  t->len += n;
}

/* A list of names, for the line ("a, b and 3 more") and the record. */
struct name_list {
  struct text line, json;
};
static void list_init(struct name_list *l) {
  l->line = (struct text){malloc(REPORT_NAMES), 0, REPORT_NAMES, 0};
  l->json = (struct text){malloc(REPORT_NAMES), 0, REPORT_NAMES, 0};
  if (l->line.data) l->line.data[0] = 0;
  if (l->json.data) l->json.data[0] = 0;
}
static void list_free(struct name_list *l) {
  free(l->line.data);
  free(l->json.data);
}
static const char *list_line(struct name_list *l) {
  if (!l->line.data) return "";
  if (l->line.dropped) {
    char more[32];
    snprintf(more, sizeof more, " and %u more", l->line.dropped);
    memcpy(l->line.data + l->line.len, more, strlen(more) + 1);
  }
  return l->line.data;
}
/* name, and for the line " returns VALUE" when value is given. */
static void list_add(struct name_list *l, const char *name, const char *value) {
  unsigned before = l->line.dropped;
  if (l->line.len) text_add(&l->line, ", ");
  text_add(&l->line, name);
  if (value && l->line.dropped == before) {
    text_add(&l->line, " returns ");
    text_add(&l->line, value);
  }
  char q[1200];
  struct immune_buf qb = {q, 0, sizeof q - 1};
  immune_buf_str(&qb, value ? "{\"function\":" : "");
  immune_json_str(&qb, name, 1024);
  if (value) {
    immune_buf_str(&qb, ",\"error_value\":");
    immune_json_str(&qb, value, 64);
    immune_buf_str(&qb, "}");
  }
  q[qb.len] = 0;
  if (l->json.len) text_add(&l->json, ",");
  text_add(&l->json, q);
}

/* What one change did, for its line and record. */
struct change_report {
  const char *status, *error;
  int startup; /* the vaccine in force at start-up: its line only at verbosity 2 */
  size_t armed_total;
  struct name_list armed, disarmed, values;
  const struct immune_vaccine *v;
};

static void json_list(struct immune_buf *r, const char *key, struct name_list *l) {
  immune_buf_str(r, key);
  immune_buf_str(r, "[");
  immune_buf_str(r, l->json.data ? l->json.data : "");
  immune_buf_str(r, "]");
}

/* Emits the line and the record of one change. */
static void report(struct change_report *c) {
  size_t cap = 8 * REPORT_NAMES + 8192;
  char *line = malloc(cap), *rec = malloc(cap);
  if (!line || !rec) {
    free(line);
    free(rec);
    return;
  }
  const struct immune_vaccine *v = c->v;
  struct immune_buf b = {line, 0, cap};
  immune_buf_str(&b, "immune: vaccine ");
  immune_buf_str(&b, immune_opts.vaccine);
  immune_buf_str(&b, " (change ");
  immune_buf_udec(&b, change_no);
  immune_buf_str(&b, ") ");
  immune_buf_str(&b, c->status);
  immune_buf_str(&b, ": ");
  if (c->error) {
    immune_buf_str(&b, c->error);
    immune_buf_str(&b, "; the vaccine in force stays");
  } else {
    immune_buf_udec(&b, c->armed_total);
    immune_buf_str(&b, c->armed_total == 1 ? " function armed" : " functions armed");
    if (c->armed.line.len) {
      immune_buf_str(&b, "; newly armed: ");
      immune_buf_str(&b, list_line(&c->armed));
    }
    if (c->disarmed.line.len) {
      immune_buf_str(&b, "; disarmed: ");
      immune_buf_str(&b, list_line(&c->disarmed));
    }
    if (c->values.line.len) {
      immune_buf_str(&b, "; error values: ");
      immune_buf_str(&b, list_line(&c->values));
    }
    unsigned none = 0;
    for (size_t i = 0; v && i < v->count; ++i)
      if (!v->entries[i].matched && v->entries[i].action != VACCINE_SKIP) {
        immune_buf_str(&b, none++ ? ", " : "; matches no protected function: ");
        immune_buf_str(&b, v->entries[i].text);
        immune_buf_str(&b, " (line ");
        immune_buf_udec(&b, v->entries[i].line);
        immune_buf_str(&b, ")");
      }
  }
  immune_buf_str(&b, "\n");
  if (b.len + 1 >= b.cap) {
    b.len = b.cap - 2;
    immune_buf_str(&b, "\n");
  }

  struct immune_buf r = {rec, 0, cap};
  immune_json_record_start(&r, "vaccine");
  immune_buf_str(&r, ",\"status\":\"");
  immune_buf_str(&r, c->status);
  immune_buf_str(&r, "\",\"path\":");
  immune_json_str(&r, immune_opts.vaccine, 4096);
  immune_buf_str(&r, ",\"change\":");
  immune_buf_udec(&r, change_no);
  immune_buf_str(&r, ",\"error\":");
  if (c->error)
    immune_json_str(&r, c->error, 4096);
  else
    immune_buf_str(&r, "null");
  immune_buf_str(&r, ",\"armed_total\":");
  immune_buf_udec(&r, c->armed_total);
  json_list(&r, ",\"armed\":", &c->armed);
  json_list(&r, ",\"disarmed\":", &c->disarmed);
  json_list(&r, ",\"error_values\":", &c->values);
  immune_buf_str(&r, ",\"unmatched\":[");
  unsigned none = 0;
  for (size_t i = 0; !c->error && v && i < v->count; ++i)
    if (!v->entries[i].matched && v->entries[i].action != VACCINE_SKIP) {
      immune_buf_str(&r, none++ ? ",{\"line\":" : "{\"line\":");
      immune_buf_udec(&r, v->entries[i].line);
      immune_buf_str(&r, ",\"entry\":");
      immune_json_str(&r, v->entries[i].text, 1024);
      immune_buf_str(&r, "}");
    }
  immune_buf_str(&r, "]}\n");
  int complete = r.len + 1 < r.cap;
  /* A start-up that changes nothing is said on stderr only at verbosity 2:
   * a command-line tool run with a vaccine prints what it always printed
   * (its tests compare it); the record is written either way. */
  immune_log_notice(c->error != NULL, c->startup && !c->error ? 2 : 1, b.data, b.len,
                    complete ? r.data : NULL, r.len);
  free(line);
  free(rec);
}

static void refuse(const char *error) {
  struct change_report c = {.status = "refused", .error = error};
  report(&c);
}

/* One site's change, sorted by name: linkonce copies of one function
 * register once per module and are reported once. */
struct site_change {
  struct __immune_site *site;
  int was;                               /* armed before this change */
  const char *old_value;                 /* its error value before */
  struct immune_vaccine_decision d;      /* what the vaccine says */
  uint64_t bits;                         /* d.ret's value for this site */
};
static int by_name(const void *a, const void *b) {
  return strcmp(((const struct site_change *)a)->site->function,
                ((const struct site_change *)b)->site->function);
}

/* Applies v to every registered site and reports. startup: the first
 * report, which names every armed function (they were armed as they
 * registered). Returns 1 when v is now in force, 0 when it was refused. */
static int apply(struct immune_vaccine *v, int startup) {
  char err[1024];
  immune_registry_lock();
  size_t sites = 0;
  for (struct __immune_site *s = immune_registry_first(); s; s = s->next) ++sites;
  struct site_change *changes = calloc(sites + 1, sizeof *changes);
  if (!changes) {
    immune_registry_unlock();
    snprintf(err, sizeof err, "%s: out of memory applying the vaccine", immune_opts.vaccine);
    refuse(err);
    return 0;
  }
  /* Every site decided and every value checked first: a vaccine is applied
   * whole or not at all. */
  size_t n = 0;
  for (size_t i = 0; i < v->count; ++i) v->entries[i].matched = 0;
  for (struct __immune_site *s = immune_registry_first(); s; s = s->next, ++n) {
    struct site_change *c = &changes[n];
    *c = (struct site_change){s, !startup && !immune_site_dormant(s), immune_site_error_text(s),
                              immune_vaccine_decide(v, s), 0};
    const char *why;
    if (c->d.armed && c->d.ret && !immune_vaccine_value_bits(c->d.ret, s, &c->bits, &why)) {
      immune_registry_unlock();
      snprintf(err, sizeof err, "%s:%u: return:%s does not fit %s: %s", immune_opts.vaccine,
               c->d.ret->line, c->d.ret->value_text, s->function, why);
      free(changes);
      refuse(err);
      return 0;
    }
  }
  for (size_t i = 0; i < n; ++i) set_site(changes[i].site, changes[i].d, changes[i].bits);
  current = v; /* the old table is kept: see `current` */
  immune_registry_unlock();

  struct change_report r = {.status = "applied", .v = v, .startup = startup};
  list_init(&r.armed);
  list_init(&r.disarmed);
  list_init(&r.values);
  qsort(changes, n, sizeof *changes, by_name);
  for (size_t i = 0; i < n; ++i) {
    const struct site_change *c = &changes[i];
    if (i && !strcmp(c->site->function, changes[i - 1].site->function)) continue;
    int now = c->d.armed;
    r.armed_total += now;
    if (now && !c->was) list_add(&r.armed, c->site->function, NULL);
    if (!now && c->was) list_add(&r.disarmed, c->site->function, NULL);
    const char *value = immune_site_error_text(c->site);
    if (now && ((!c->was && c->d.ret) || strcmp(value, c->old_value) != 0))
      list_add(&r.values, c->site->function, value);
  }
  report(&r);
  list_free(&r.armed);
  list_free(&r.disarmed);
  list_free(&r.values);
  free(changes);
  return 1;
}

/* ---- The file and the watcher thread. ------------------------------------ */

struct file_sig {
  int present;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime, ctime;
};

static struct file_sig sig_of(const struct stat *st) {
  struct file_sig s = {1, st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim};
  return s;
}
static int same_sig(const struct file_sig *a, const struct file_sig *b) {
  if (a->present != b->present) return 0;
  if (!a->present) return 1;
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
         a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Reads and parses PATH. Returns the vaccine, or NULL with err set; *sig
 * is the file as read (present = 0 when it is missing). *retry: the file
 * changed while it was read; try again later. */
static struct immune_vaccine *load(struct file_sig *sig, int *retry, char *err, size_t n) {
  const char *path = immune_opts.vaccine;
  *retry = 0;
  memset(sig, 0, sizeof *sig);
  int fd = immune_raw_open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, n, "%s: cannot read the vaccine: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (immune_raw_fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    immune_raw_close(fd);
    snprintf(err, n, "%s: not a regular file", path);
    *sig = (struct file_sig){1, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
    return NULL;
  }
  *sig = sig_of(&st);
  if ((unsigned long long)st.st_size > VACCINE_MAX_BYTES) {
    immune_raw_close(fd);
    snprintf(err, n, "%s: %lld bytes: a vaccine is at most %u", path, (long long)st.st_size,
             VACCINE_MAX_BYTES);
    return NULL;
  }
  char *text = malloc((size_t)st.st_size + 1);
  size_t len = 0;
  ssize_t r = 1;
  while (text && len <= (size_t)st.st_size && r > 0) {
    r = immune_raw_read(fd, text + len, (size_t)st.st_size + 1 - len);
    if (r < 0 && errno == EINTR) r = 1;
    else if (r > 0) len += (size_t)r;
  }
  struct stat after;
  int changed = immune_raw_fstat(fd, &after) != 0 || len != (size_t)st.st_size;
  if (!changed) {
    struct file_sig s2 = sig_of(&after);
    changed = !same_sig(sig, &s2);
  }
  immune_raw_close(fd);
  if (!text || r < 0 || changed) {
    free(text);
    *retry = 1;
    snprintf(err, n, "%s: changed while it was read", path);
    return NULL;
  }
  struct immune_vaccine *v = immune_vaccine_parse(path, text, len, err, n);
  free(text);
  return v;
}

static struct file_sig applied_sig;  /* the file the vaccine in force came from */
static int missing_reported;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static long poll_ms(void) {
  long ms = immune_opts.vaccine_poll_ms;
  return ms < 10 ? 10 : ms > 60000 ? 60000 : ms;
}

/* One check: a change is applied once the file looked the same on two
 * checks in a row (*pending holds what the previous one saw). */
static void check(struct file_sig *pending) {
  struct stat st;
  struct file_sig now = {0};
  if (stat(immune_opts.vaccine, &st) == 0) now = sig_of(&st);
  if (same_sig(&now, &applied_sig)) {
    *pending = now;
    return;
  }
  if (!same_sig(&now, pending)) {
    *pending = now; /* changed since the last check: wait for it to settle */
    return;
  }
  if (!now.present) {
    if (!missing_reported) {
      char err[600];
      snprintf(err, sizeof err, "%s: the file is gone", immune_opts.vaccine);
      ++change_no;
      refuse(err);
      missing_reported = 1;
    }
    return;
  }
  missing_reported = 0;
  char err[1024];
  int retry;
  struct file_sig read_sig;
  struct immune_vaccine *v = load(&read_sig, &retry, err, sizeof err);
  if (retry) return;
  applied_sig = read_sig; /* refused or applied, this file was dealt with */
  *pending = read_sig;
  ++change_no;
  if (!v)
    refuse(err);
  else if (!apply(v, 0))
    immune_vaccine_free(v);
}

static void *watch(void *unused) {
  (void)unused;
  struct file_sig pending = applied_sig;
  for (;;) {
    sleep_ms(poll_ms());
    check(&pending);
  }
  return NULL;
}

static void start_watcher(void) {
  /* The watcher takes none of the program's signals (a server's SIGHUP,
   * SIGTERM, SIGCHLD stay with its own threads). */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  int rc = pthread_create(&t, &attr, watch, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    char line[600];
    snprintf(line, sizeof line, "immune: cannot start the vaccine watcher (%s): changes to "
             "%s apply at the next start only\n", strerror(rc), immune_opts.vaccine);
    immune_write_all(2, line, strlen(line));
    return;
  }
  pthread_setname_np(t, "immune-vaccine");
}

/* A forked child (a daemon's fork, a pre-forking server's workers) has no
 * watcher thread: start its own. */
static void after_fork_child(void) { start_watcher(); }

void immune_vaccine_init(void) {
  if (!immune_opts.vaccine || !immune_opts.vaccine[0]) return;
  active = 1;
  char err[1024];
  int retry;
  struct immune_vaccine *v = load(&applied_sig, &retry, err, sizeof err);
  if (retry) v = load(&applied_sig, &retry, err, sizeof err);
  /* No site has registered yet (init runs first): the table decides each
   * site as it registers; the change is reported once all are in (below). */
  current = v;
  if (!v) {
    refuse(err); /* change 0, as the start-up report would have been */
    if (!applied_sig.present) missing_reported = 1;
  }
  pthread_atfork(NULL, NULL, after_fork_child);
  start_watcher();
}

/* The vaccine in force at start-up, reported once the program's own sites
 * have registered (the last constructors run before main). */
__attribute__((constructor(65535))) static void report_startup(void) {
  /* The barrier keeps the optimizer from evaluating this constructor at
   * compile time from the initial values (GlobalOpt does, and drops it, not
   * knowing that init.c's earlier constructor set them). */
  __asm__ volatile("" ::: "memory");
  if (!active || !current) return;
  apply(current, 1);
}
