/* libFuzzer target: IMMUNE_OPTIONS text, as any user (or attacker, for a
 * setuid program) can set it, through immune_options_parse().
 *
 * Besides memory errors and undefined behaviour (ASan, UBSan), it checks
 * what the parser promises whatever the text: every option holds a value of
 * its type (BOOL 0/1, INT >= 0, backtrace_depth <= 64, MODE in range,
 * log_path a non-empty string), a setuid program never gets a log_path, text
 * of 4096 characters or more leaves the defaults, at most one complaint per
 * entry is counted, and parsing is a function of the text alone.
 *
 * The parser complains on fd 2 about every bad entry; run with
 * -close_fd_mask=2 (as CTest and run.sh do) so that goes to /dev/null while
 * libFuzzer's and the sanitizers' own reports still reach the terminal. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static struct immune_options defaults;
static int devnull = -1;

/* A broken promise is a crash with a one-line summary. The summary goes
 * through the sanitizers' report channel: with -close_fd_mask=2, fd 2 is
 * /dev/null. */
void __sanitizer_report_error_summary(const char *summary);
#define STR2(x) #x
#define STR(x) STR2(x)
#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      __sanitizer_report_error_summary("options_fuzzer.c:" STR(__LINE__)      \
                                       ": " #cond " does not hold");           \
      abort();                                                                 \
    }                                                                          \
  } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  immune_options_parse("", 0);
  defaults = immune_opts;
  devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return 0;
}

static void check_types(void) {
#define CHECK_BOOL(v) REQUIRE((v) == 0 || (v) == 1)
#define CHECK_INT(v) REQUIRE((v) >= 0)
#define CHECK_STRING(v) REQUIRE((v) != NULL && (v)[0] != '\0' && strlen(v) < 4096)
#define CHECK_PATH(v) REQUIRE((v) != NULL && strlen(v) < 4096)
#define CHECK_LIST(v) REQUIRE((v) != NULL && strlen(v) < 4096)
#define CHECK_MODE(v)                                                          \
  REQUIRE((v) == IMMUNE_MODE_PROTECT || (v) == IMMUNE_MODE_MONITOR ||          \
          (v) == IMMUNE_MODE_OFF)
#define CHECK_ABORTS(v)                                                        \
  REQUIRE((v) == IMMUNE_ABORTS_NONE || (v) == IMMUNE_ABORTS_SSP ||             \
          (v) == IMMUNE_ABORTS_ALL)
#define IMMUNE_OPTION(name, type, def, help) CHECK_##type(immune_opts.name);
#include "options.inc"
#undef IMMUNE_OPTION
  REQUIRE(immune_opts.backtrace_depth <= 64);
}

static int same_options(const struct immune_options *a, const struct immune_options *b) {
  int same = 1;
#define SAME_BOOL(x, y) same &= (x) == (y);
#define SAME_INT(x, y) same &= (x) == (y);
#define SAME_MODE(x, y) same &= (x) == (y);
#define SAME_ABORTS(x, y) same &= (x) == (y);
#define SAME_STRING(x, y) same &= strcmp((x), (y)) == 0;
#define SAME_LIST(x, y) same &= strcmp((x), (y)) == 0;
#define SAME_PATH(x, y) same &= strcmp((x), (y)) == 0;
#define IMMUNE_OPTION(name, type, def, help) SAME_##type(a->name, b->name)
#include "options.inc"
#undef IMMUNE_OPTION
  return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy, so reading past the terminator is caught. Like
   * getenv, the text ends at the first NUL. */
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  size_t len = strlen(text), entries = 1;
  for (size_t i = 0; i < len; ++i) entries += text[i] == ':';

  /* As a setuid program would. */
  int bad = immune_options_parse(text, 1);
  check_types();
  REQUIRE(bad >= 0 && (size_t)bad <= entries);
  REQUIRE(strcmp(immune_opts.log_path, "stderr") == 0);

  bad = immune_options_parse(text, 0);
  check_types();
  REQUIRE(bad >= 0 && (size_t)bad <= entries);
  if (len >= 4096) {
    REQUIRE(bad == 1);
    REQUIRE(same_options(&immune_opts, &defaults));
  }
  if (len == 0) REQUIRE(bad == 0 && same_options(&immune_opts, &defaults));

  /* Deterministic: the same text gives the same options. The strings point
   * into the parser's own copy, so keep ours of log_path. */
  struct immune_options first = immune_opts;
  char first_log[4096];
  snprintf(first_log, sizeof first_log, "%s", immune_opts.log_path);
  first.log_path = first_log;
  REQUIRE(immune_options_parse(text, 0) == bad);
  REQUIRE(same_options(&immune_opts, &first));

  /* The verbosity=2 listing of whatever was parsed. */
  if (devnull >= 0) immune_options_print(devnull);

  free(text);
  immune_options_parse("", 0);
  return 0;
}
