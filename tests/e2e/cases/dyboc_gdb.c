/* A relocated buffer is still visible to the debugger: built with -g (at
 * -O0 and -O2), `gdb -batch -ex 'break dyboc_gdb.c:LINE' -ex run
 * -ex 'print buf'` stopped inside a protected function shows the contents
 * of its char[16], which lives in a guard-paged slot (it ends at a page
 * boundary; gdb itself can read the guard page, so that is not checked
 * through gdb). The program runs gdb on
 * itself: run with no argument it is the driver, with "debuggee" the
 * program gdb debugs. Skipped when gdb is not installed.
 * E2E-CFLAGS: -g
 * E2E-REQUIRES: gdb
 * E2E-RECOVERED: 0
 * E2E-STDOUT: gdb stopped in checksum
 */
#include <sys/wait.h>

#include "dyboc_e2e.h"

IMMUNE_PROTECT int checksum(const char *s) {
  char buf[16];
  memcpy(buf, s, sizeof buf);
  E2E_KEEP(buf);
  int sum = 0;
  for (int i = 0; i < 16; i++) sum += buf[i]; /* GDB-BREAK */
  return sum;
}

static const char contents[] = "0123456789abcdef";

/* The line of this file that carries the marker (spelt in two pieces here
 * so that this line does not carry it). */
static int break_line(void) {
  FILE *f = fopen(__FILE__, "r");
  if (!f) return -1;
  char line[512];
  int n = 0, found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    ++n;
    if (strstr(line, "/* GDB" "-BREAK */")) found = n;
  }
  fclose(f);
  return found;
}

/* Runs gdb on this program and returns everything it printed. */
static char *run_gdb(int line) {
  static char out[64 * 1024];
  char self[4096], where[600];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return NULL;
  self[n] = '\0';
  snprintf(where, sizeof where, "break dyboc_gdb.c:%d", line);
  char *argv[] = {"gdb", "-batch", "-nx",
                  "-iex", "set debuginfod enabled off",
                  "-ex", where,
                  "-ex", "run",
                  "-ex", "print buf",
                  "-ex", "print sizeof(buf)",
                  "-ex", "print (unsigned long)&buf % 4096",
                  "-ex", "kill",
                  "--args", self, "debuggee", NULL};
  printf("running:");
  for (char **a = argv; *a; ++a) printf(" '%s'", *a);
  printf("\n");
  int fd[2];
  if (pipe(fd) != 0) return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 1);
    dup2(fd[1], 2);
    close(fd[0]);
    close(fd[1]);
    execvp("gdb", argv);
    _exit(127);
  }
  close(fd[1]);
  size_t len = 0;
  ssize_t r;
  while (len < sizeof out - 1 && (r = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
    len += (size_t)r;
  out[len] = '\0';
  close(fd[0]);
  int status;
  waitpid(pid, &status, 0);
  printf("gdb exited with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return out;
}

static void expect(const char *out, const char *text) {
  E2E_REPORT(strstr(out, text) != NULL, "gdb output", "has `%s`", text);
}

int main(int argc, char **argv) {
  e2e_setup_stdio();
  if (argc > 1 && strcmp(argv[1], "debuggee") == 0)
    return checksum(HIDE_STR(contents)) == 1122 ? 0 : 1;

  int line = break_line();
  CHECK_TRUE(line > 0);
  char *out = line > 0 ? run_gdb(line) : NULL;
  CHECK_TRUE(out != NULL);
  if (!out) return e2e_done();
  /* gdb's output, each line marked so that none is taken for a check. */
  for (char *l = out, *end; *l; l = end + 1) {
    end = strchr(l, '\n');
    if (!end) end = l + strlen(l) - 1;
    printf("gdb| %.*s\n", (int)(end - l + 1 - (*end == '\n')), l);
    if (!end[1]) break;
  }
  if (strstr(out, "Breakpoint 1, checksum")) printf("gdb stopped in checksum\n");
  expect(out, "$1 = \"0123456789abcdef\"");
  expect(out, "$2 = 16");
  expect(out, "$3 = 4080"); /* its last byte is the last of a page */
  /* The program itself, run here without gdb, gets the same result. */
  CHECK_INT(checksum(HIDE_STR(contents)), 1122);
  return e2e_done();
}
