/* Shared by the live-vaccine cases (vaccine_*.c): the vaccine file named in
 * IMMUNE_OPTIONS=vaccine=..., written the way docs/live.md tells users to
 * (a new file renamed over the old one), and waits for the runtime's
 * watcher to apply it. */
#ifndef IMMUNE_E2E_VACCINE_H
#define IMMUNE_E2E_VACCINE_H

#include "e2e.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The path after "vaccine=" in IMMUNE_OPTIONS (up to the next ':'). */
static const char *e2e_vaccine_path(void) {
  static char path[4096];
  const char *o = getenv("IMMUNE_OPTIONS"), *v = o ? strstr(o, "vaccine=") : NULL;
  if (!v) {
    printf("FAIL IMMUNE_OPTIONS names no vaccine\n");
    exit(1);
  }
  v += strlen("vaccine=");
  size_t n = strcspn(v, ":");
  snprintf(path, sizeof path, "%.*s", (int)n, v);
  return path;
}

static void e2e_write_vaccine(const char *text) {
  const char *path = e2e_vaccine_path();
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.new", path);
  FILE *f = fopen(tmp, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
    printf("FAIL cannot write the vaccine %s\n", path);
    exit(1);
  }
}

static double e2e_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void e2e_sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits until immune_function_armed(name) is `want`; the milliseconds it
 * took, or -1 after 5 s. */
static double e2e_wait_armed(const char *name, int want) {
  double t0 = e2e_now_ms();
  while (e2e_now_ms() - t0 < 5000) {
    if (immune_function_armed(name) == want) return e2e_now_ms() - t0;
    e2e_sleep_ms(2);
  }
  return -1;
}

/* Waits until the error value in force for `name` (immune_stats) is
 * `want`; the milliseconds it took, or -1 after 5 s. */
static double e2e_wait_error_value(const char *name, const char *want) {
  double t0 = e2e_now_ms();
  while (e2e_now_ms() - t0 < 5000) {
    immune_stat st[256];
    size_t n = immune_stats(st, 256);
    for (size_t i = 0; i < n && i < 256; ++i)
      if (!strcmp(st[i].function, name) && !strcmp(st[i].error_value, want))
        return e2e_now_ms() - t0;
    e2e_sleep_ms(2);
  }
  return -1;
}

/* How many lines of the event log (log_path in IMMUNE_OPTIONS) contain
 * `needle`. */
static int e2e_log_count(const char *needle) {
  const char *o = getenv("IMMUNE_OPTIONS"), *l = o ? strstr(o, "log_path=") : NULL;
  if (!l) return -1;
  l += strlen("log_path=");
  char path[4096], line[65536];
  snprintf(path, sizeof path, "%.*s", (int)strcspn(l, ":"), l);
  FILE *f = fopen(path, "r");
  int n = 0;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, needle)) ++n;
  if (f) fclose(f);
  return n;
}

/* Waits until `count` lines of the event log contain `needle`; the
 * milliseconds it took, or -1 after 5 s. */
static double e2e_wait_log(const char *needle, int count) {
  double t0 = e2e_now_ms();
  while (e2e_now_ms() - t0 < 5000) {
    if (e2e_log_count(needle) >= count) return e2e_now_ms() - t0;
    e2e_sleep_ms(2);
  }
  return -1;
}

/* Runs fn in a forked child; the signal that killed it, or 0 when it
 * exited (its status then says whether fn returned). */
static int e2e_signal_in_child(void (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

/* The runtime reads the vaccine at start-up: a case that wants to start
 * with a given vaccine writes it and runs itself again. */
static void e2e_restart_with_vaccine(char **argv, const char *text) {
  if (getenv("E2E_VACCINE_STAGE")) return;
  e2e_write_vaccine(text);
  setenv("E2E_VACCINE_STAGE", "1", 1);
  execv("/proc/self/exe", argv);
  printf("FAIL cannot run itself again\n");
  exit(1);
}

#endif
