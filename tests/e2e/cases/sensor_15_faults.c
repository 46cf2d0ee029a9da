/* The sensor: fifteen different faults, each healed by a different protected
 * function, leave fifteen JSON records in log_path, in order, each naming the
 * function that healed and carrying a backtrace that starts at the faulting
 * pc and passes through that function and on to main. At exit (verbosity=1)
 * the per-function abort counts are printed. sensor_15_faults_monitor.c runs
 * the same program in monitor mode.
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@:verbosity=1:handle_abort=all
 * E2E-RECOVERED: 15
 * E2E-EVENT: recovered SIGSEGV read_field symbol frame=main aborts=1
 * E2E-EVENT: recovered SIGSEGV store_field symbol frame=main
 * E2E-EVENT: recovered SIGSEGV name_length symbol frame=main
 * E2E-EVENT: recovered SIGSEGV copy_out symbol frame=main
 * E2E-EVENT: recovered SIGSEGV dispatch symbol frame=main
 * E2E-EVENT: recovered SIGFPE ratio symbol frame=main
 * E2E-EVENT: recovered SIGSEGV evaluate symbol frame=main
 * E2E-EVENT: recovered SIGSEGV parse_request symbol frame=main
 * E2E-EVENT: recovered SIGSEGV lookup_inner symbol frame=main
 * E2E-EVENT: recovered SIGSEGV count_chars symbol frame=main
 * E2E-EVENT: recovered SIGBUS read_mapped symbol frame=main
 * E2E-EVENT: recovered SIGILL checked_state symbol frame=main
 * E2E-EVENT: recovered SIGABRT validate symbol frame=main
 * E2E-EVENT: recovered SIGSEGV set_flag symbol frame=main
 * E2E-EVENT: recovered SIGSEGV sort_rows symbol frame=main
 * E2E-STDOUT: MARK first fault
 * E2E-STDERR: ^immune: aborted transactions by function \(pid [0-9]+\):$
 * E2E-STDERR-COUNT: 15 ^immune:   [a-z_]+: 1$
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGABRT \(SI_[A-Z]+\) .* in validate \(.*\), returning -1$
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "e2e.h"

/* 1, 2: NULL read and write. */
IMMUNE_PROTECT int read_field(const int *p) { return *p; }
IMMUNE_PROTECT int store_field(int *p, int v) {
  *p = v;
  return 0;
}

/* 3, 4: inside libc (a real call: the size is unknown at compile time). */
IMMUNE_PROTECT int name_length(const char *name) { return (int)strlen(name); }
IMMUNE_PROTECT char *copy_out(char *dst, const char *src, size_t n) {
  memcpy(dst, src, n);
  return dst;
}

/* 5: a call through a NULL function pointer (pc 0). */
typedef int (*handler_fn)(int);
IMMUNE_PROTECT int dispatch(handler_fn h, int x) { return h(x) + 1; }

/* 6: integer division by zero. */
IMMUNE_PROTECT int ratio(int a, int b) { return a / b; }

/* 7: stack exhaustion. Half-MiB frames reach the (8 MiB) limit in a few
 * frames, so evaluate's own frame is within the recorded backtrace. The
 * index varies, so the optimizer keeps the whole array. */
__attribute__((noinline)) static int runaway(int n, int limit) {
  volatile char frame[512 * 1024];
  frame[n & 1023] = (char)n;
  if (n == limit) return 0;
  return runaway(n + 1, limit) + (frame[n & 1023] != (char)n);
}
IMMUNE_PROTECT int evaluate(int limit) { return runaway(0, limit) + 1; }

/* 8: a fault in unprotected code three calls below. */
__attribute__((noinline)) static int level3(const char *p) { return p[3]; }
__attribute__((noinline)) static int level2(const char *p) { return level3(p) + 1; }
__attribute__((noinline)) static int level1(const char *p) { return level2(p) + 1; }
IMMUNE_PROTECT int parse_request(const char *p) { return level1(p) + 1; }

/* 9: nested transactions: the inner one faults and aborts, the outer goes
 * on with the inner one's error value. */
IMMUNE_PROTECT int lookup_inner(const int *p) { return *p; }
IMMUNE_PROTECT int lookup_outer(const int *p) { return lookup_inner(p) * 10; }

/* 10: a C string without its terminator, walked off the end of a mapping. */
IMMUNE_PROTECT int count_chars(const char *s) {
  int n = 0;
  while (*s++) ++n;
  return n;
}

/* 11: SIGBUS, reading a file mapping past the end of the (truncated) file. */
IMMUNE_PROTECT int read_mapped(const volatile char *p) { return p[0]; }

/* 12: SIGILL, an "unreachable" state. */
IMMUNE_PROTECT int checked_state(int state) {
  if (state > 2) __builtin_trap();
  return state * 10;
}

/* 13: SIGABRT from abort() inside the transaction. */
IMMUNE_PROTECT int validate(int v) {
  if (v < 0) abort();
  return v;
}

/* 14: a write to read-only memory (SEGV_ACCERR). */
IMMUNE_PROTECT int set_flag(volatile char *p) {
  *p = 1;
  return 0;
}

/* 15: libc calls back into a comparator that faults (below qsort). */
static int cmp_via_pointer(const void *a, const void *b) {
  const int *x = *(const int *const *)a, *y = *(const int *const *)b;
  return *x - *y;
}
IMMUNE_PROTECT int sort_rows(const int **rows, size_t n) {
  qsort(rows, n, sizeof *rows, cmp_via_pointer);
  return 0;
}

static const char *const protected_functions[] = {
    "read_field",   "store_field", "name_length", "copy_out",      "dispatch",
    "ratio",        "evaluate",    "parse_request", "lookup_inner", "count_chars",
    "read_mapped",  "checked_state", "validate",  "set_flag",      "sort_rows"};

int main(void) {
  e2e_setup_stdio();
  e2e_bound_stack();
  long page = sysconf(_SC_PAGESIZE);

  /* Monitor mode dies here, at the first fault. */
  e2e_mark("first fault");
  CHECK_INT(read_field(E2E_NULL(const int *)), -1);
  CHECK_INT(store_field(E2E_NULL(int *), 5), -1);
  CHECK_INT(name_length(E2E_NULL(const char *)), -1);
  static char src[1 << 16];
  CHECK_PTR(copy_out(E2E_NULL(char *), src, E2E_HIDE(sizeof src)), NULL);
  CHECK_INT(dispatch(E2E_NULL(handler_fn), 1), -1);
  CHECK_INT(ratio(7, E2E_HIDE(0)), -1);
  CHECK_INT(evaluate(E2E_HIDE(0x7fffffff)), -1);
  CHECK_INT(parse_request(E2E_NULL(const char *)), -1);
  CHECK_INT(lookup_outer(E2E_NULL(const int *)), -10);

  /* One page of 'x' and then an inaccessible page. */
  char *text = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK_TRUE(text != MAP_FAILED);
  memset(text, 'x', page);
  CHECK_INT(mprotect(text + page, page, PROT_NONE), 0);
  CHECK_INT(count_chars(text), -1);

  /* Two pages of a file, mapped, then the file cut to one page. */
  int fd = memfd_create("sensor", 0);
  CHECK_TRUE(fd >= 0);
  CHECK_INT(ftruncate(fd, 2 * page), 0);
  char *file = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
  CHECK_TRUE(file != MAP_FAILED);
  CHECK_INT(ftruncate(fd, page), 0);
  CHECK_INT(read_mapped(file + page), -1);

  CHECK_INT(checked_state(E2E_HIDE(3)), -1);
  CHECK_INT(validate(E2E_HIDE(-1)), -1);

  char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK_TRUE(ro != MAP_FAILED);
  CHECK_INT(set_flag(ro), -1);

  int a = 3, c = 2;
  const int *rows[] = {&a, E2E_NULL(const int *), &c};
  CHECK_INT(sort_rows(rows, 3), -1);

  /* Each healed exactly once, and the program is healthy afterwards. */
  CHECK_INT(immune_recoveries(), 15);
  for (size_t i = 0; i < sizeof protected_functions / sizeof *protected_functions; ++i)
    CHECK_INT(immune_function_aborts(protected_functions[i]), 1);
  int seven = 7;
  CHECK_INT(read_field(&seven), 7);
  CHECK_INT(lookup_outer(&seven), 70);
  CHECK_INT(validate(4), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
