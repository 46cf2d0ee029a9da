/* IMMUNE_OPTIONS: parsing, defaults and help, generated from options.inc.
 * Runs at start-up (not on the fault path), but still avoids malloc so it is
 * safe in the earliest constructors: the copy of the option text lives in a
 * fixed buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "options.h"

struct immune_options immune_opts = {
#define IMMUNE_OPTION(name, type, def, help) .name = 0,
#include "options.inc"
#undef IMMUNE_OPTION
};

static char text_copy[4096];

/* One line: "immune: IMMUNE_OPTIONS: " and the parts. */
static void say_parts(const char *const *parts, unsigned n) {
  char line[512];
  struct immune_buf buf = {line, 0, sizeof line};
  immune_buf_str(&buf, "immune: IMMUNE_OPTIONS: ");
  for (unsigned i = 0; i < n; ++i) immune_buf_str(&buf, parts[i]);
  /* A message cut to the buffer still ends its line. */
  if (buf.len + 1 >= buf.cap) buf.len = buf.cap - 2;
  immune_buf_str(&buf, "\n");
  immune_write_all(2, buf.data, buf.len);
}
#define SAY(...)                                                               \
  do {                                                                         \
    const char *parts_[] = {__VA_ARGS__};                                      \
    say_parts(parts_, sizeof parts_ / sizeof parts_[0]);                       \
  } while (0)
static void say(const char *a, const char *b, const char *c) { SAY(a, b, c); }

/* A value holding ",name=" for a known option: the user separated options
 * with ',' (they are separated by ':') and the rest was swallowed. */
static const char *swallowed_option(const char *val) {
  for (const char *p = strchr(val, ','); p; p = strchr(p + 1, ',')) {
#define IMMUNE_OPTION(name, type, def, help)                                   \
    if (!strncmp(p + 1, #name "=", sizeof #name)) return #name;
#include "options.inc"
#undef IMMUNE_OPTION
  }
  return NULL;
}

static int parse_bool(const char *v, int *out) {
  if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes")) { *out = 1; return 0; }
  if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no")) { *out = 0; return 0; }
  return -1;
}

static int parse_int(const char *v, long *out) {
  if (!*v) return -1;
  errno = 0;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end || errno || n < 0) return -1;
  *out = n;
  return 0;
}

static int parse_mode(const char *v, enum immune_mode *out) {
  if (!strcmp(v, "protect")) { *out = IMMUNE_MODE_PROTECT; return 0; }
  if (!strcmp(v, "monitor")) { *out = IMMUNE_MODE_MONITOR; return 0; }
  if (!strcmp(v, "off")) { *out = IMMUNE_MODE_OFF; return 0; }
  return -1;
}

static int parse_aborts(const char *v, enum immune_aborts *out) {
  if (!strcmp(v, "none") || !strcmp(v, "0")) { *out = IMMUNE_ABORTS_NONE; return 0; }
  if (!strcmp(v, "ssp")) { *out = IMMUNE_ABORTS_SSP; return 0; }
  if (!strcmp(v, "all") || !strcmp(v, "1")) { *out = IMMUNE_ABORTS_ALL; return 0; }
  return -1;
}

static int parse_string(const char *v, const char **out) {
  if (!*v) return -1;
  *out = v;
  return 0;
}

/* A file path, or "" for none (the default): a given value must not be
 * empty, but the default may. */
static int parse_path(const char *v, const char **out) {
  if (!*v) {
    if (!*out) *out = v;
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_list(const char *v, const char **out) {
  *out = v;
  return 0;
}

#define PARSE_BOOL parse_bool
#define PARSE_INT parse_int
#define PARSE_STRING parse_string
#define PARSE_LIST parse_list
#define PARSE_PATH parse_path
#define PARSE_MODE parse_mode
#define PARSE_ABORTS parse_aborts
#define EXPECT_BOOL "0 or 1"
#define EXPECT_INT "a non-negative integer"
#define EXPECT_STRING "a non-empty string"
#define EXPECT_LIST "a comma-separated list"
#define EXPECT_PATH "a file path"
#define EXPECT_MODE "protect, monitor or off"
#define EXPECT_ABORTS "none, ssp or all"

/* Options whose effect is to write files, or to read one that decides what
 * the program does; dropped for setuid programs so an unprivileged caller
 * cannot make a privileged one append to any file or heal what it chooses. */
static int writes_files(const char *key) {
  return !strcmp(key, "log_path") || !strcmp(key, "vaccine");
}

static void set_defaults(void) {
  memset(&immune_opts, 0, sizeof immune_opts); /* a PATH default ("") takes an unset field */
#define IMMUNE_OPTION(name, type, def, help) \
  PARSE_##type(def, &immune_opts.name);
#include "options.inc"
#undef IMMUNE_OPTION
}

static int apply(char *key, char *val, int secure) {
#define IMMUNE_OPTION(name, type, def, help)                                   \
  if (!strcmp(key, #name)) {                                                   \
    if (secure && writes_files(key)) {                                         \
      say("'", key, "' ignored in a setuid/setgid program");                  \
      return 0;                                                                \
    }                                                                          \
    const char *swallowed = swallowed_option(val);                             \
    if (swallowed)                                                             \
      SAY("the value of '", key, "' holds '", swallowed, "=': options are "    \
          "separated by ':', not ','");                                        \
    /* On a bad value the parser leaves the option as it was. */             \
    if (PARSE_##type(val, &immune_opts.name) != 0) {                           \
      SAY("bad value for '", key, "' (expected " EXPECT_##type "): '", val,    \
          "' ignored; it stays as before (default " def ")");                \
      return 1;                                                                \
    }                                                                          \
    return swallowed != NULL;                                                  \
  }
#include "options.inc"
#undef IMMUNE_OPTION
  say("unknown option '", key, "' ignored (IMMUNE_OPTIONS=help=1 lists them)");
  return 1;
}

int immune_options_parse(const char *text, int secure) {
  set_defaults();
  if (!text || !*text) return 0;
  size_t n = strlen(text);
  if (n >= sizeof text_copy) {
    say("too long (at most 4095 characters); using the defaults", "", "");
    return 1;
  }
  memcpy(text_copy, text, n + 1);
  int bad = 0;
  char *p = text_copy;
  while (p && *p) {
    char *next = strchr(p, ':');
    if (next) *next++ = '\0';
    if (*p) {
      char *eq = strchr(p, '=');
      if (!eq) {
        say("'", p, "' is not key=value; ignored");
        ++bad;
      } else {
        *eq = '\0';
        bad += apply(p, eq + 1, secure);
      }
    }
    p = next;
  }
  if (immune_opts.backtrace_depth > 64) {
    say("backtrace_depth is more than 64; using 64", "", "");
    immune_opts.backtrace_depth = 64;
  }
  return bad;
}

void immune_options_print_help(int fd) {
  char line[1024];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: runtime options (IMMUNE_OPTIONS=key=value:key=value)\n");
  immune_write_all(fd, b.data, b.len);
#define IMMUNE_OPTION(name, type, def, help)                                   \
  b.len = 0;                                                                   \
  immune_buf_str(&b, "  " #name " (" #type ", default " def "): " help "\n"); \
  immune_write_all(fd, b.data, b.len);
#include "options.inc"
#undef IMMUNE_OPTION
}

static const char *mode_name(enum immune_mode m) {
  return m == IMMUNE_MODE_MONITOR ? "monitor" : m == IMMUNE_MODE_OFF ? "off" : "protect";
}

void immune_options_print(int fd) {
  char line[1024];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: options:");
#define SHOW_BOOL(v) immune_buf_dec(&b, v)
#define SHOW_INT(v) immune_buf_dec(&b, v)
#define SHOW_STRING(v) immune_buf_str(&b, v)
#define SHOW_LIST(v) immune_buf_str(&b, v)
#define SHOW_PATH(v) immune_buf_str(&b, v)
#define SHOW_MODE(v) immune_buf_str(&b, mode_name(v))
#define SHOW_ABORTS(v) \
  immune_buf_str(&b, (v) == IMMUNE_ABORTS_ALL ? "all" : (v) == IMMUNE_ABORTS_SSP ? "ssp" : "none")
#define IMMUNE_OPTION(name, type, def, help) \
  immune_buf_str(&b, " " #name "=");         \
  SHOW_##type(immune_opts.name);
#include "options.inc"
#undef IMMUNE_OPTION
  immune_buf_str(&b, "\n");
  immune_write_all(fd, b.data, b.len);
}
