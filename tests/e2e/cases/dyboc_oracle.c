/* Oracle mode (IMMUNE_ORACLE=1 when compiling): the buffers of EVERY
 * function move to guard-paged slots, without transactions, and nothing is
 * protected. A program that does not overflow runs exactly as before (this
 * file with ORACLE_CLEAN: dyboc_oracle_clean.c); an overflow in an ordinary
 * function dies at its first bad byte with SIGSEGV, and the report and the
 * JSON record name the buffer and its function.
 * E2E-CFLAGS: -g
 * E2E-BUILD-ENV: IMMUNE_ORACLE=1
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-STDOUT: all transparency checks passed
 * E2E-STDOUT: MARK overflowing `buf` in copy_name
 * E2E-EVENT: crashed SIGSEGV - frame=copy_name frame=main
 * E2E-LOG-LAST: "event":"crashed",.*"si_code":"SEGV_ACCERR",.*"function":null,.*"buffer":\{"name":"buf","function":"copy_name","file":"[^"]*dyboc_oracle\.c","line":[0-9]+\}
 * E2E-STDERR-COUNT: 1 ^immune: crashed: SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ outside any transaction: overflow of `buf` in `copy_name`$
 * E2E-STDERR-COUNT: 1 ^immune:
 */
#include <alloca.h>

#include "dyboc_e2e.h"

__attribute__((noinline)) int copy_name(const char *s) {
  char buf[16];
  strcpy(buf, s);
  E2E_KEEP(buf);
  return (int)strlen(buf);
}

/* Off by one into the canary slack of a char[20] (dyboc_oracle_canary.c):
 * a 20-character string's NUL lands one past the end. */
__attribute__((noinline)) int fill_cell(const char *s) {
  char cell[20];
  size_t len = strlen(s);
  if (len > sizeof cell) len = sizeof cell; /* should be sizeof cell - 1 */
  for (size_t i = 0; i <= len; i++) cell[i] = s[i];
  return (int)strlen(cell);
}

/* Ordinary code with buffers of every kind: oracle mode must not change a
 * single result. Each returns something computed from its buffer. This one
 * (no parameters, so its first instruction at -O1 and up is the buffer's
 * lifetime marker) says how many slots are in use while it runs. */
__attribute__((noinline)) int slots_here(void) {
  char probe[16];
  probe[0] = 0;
  E2E_KEEP(probe);
  return (int)slots_in_use() + probe[0];
}

struct req {
  int id;
  char name[24];
};

__attribute__((noinline)) int make_req(int id, const char *name) {
  struct req r;
  r.id = id;
  snprintf(r.name, sizeof r.name, "%s", name);
  return r.id * 100 + (int)strlen(r.name);
}

__attribute__((noinline)) int vla_alloca(int n) {
  char v[n];
  char *a = alloca((size_t)n);
  memset(v, 1, (size_t)n);
  memset(a, 2, (size_t)n);
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += v[i] + a[i];
  return sum;
}

__attribute__((noinline)) long depth_sum(int n) {
  char buf[64];
  snprintf(buf, sizeof buf, "%d", n);
  long below = n > 1 ? depth_sum(n - 1) : 0;
  return below + atol(buf);
}

static int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

__attribute__((noinline)) int median(const int *in, int n) {
  int tmp[32];
  memcpy(tmp, in, (size_t)n * sizeof *tmp);
  qsort(tmp, (size_t)n, sizeof *tmp, cmp_int);
  return tmp[n / 2];
}

/* Its own `values` has a slot too while it runs. */
static int transparency(void) {
  int before = e2e_failures;
  const uint64_t base = slots_in_use();
  CHECK_INT(immune_stats(NULL, 0), 0);  /* nothing is protected */
  CHECK_INT(slots_here(), base + 1);    /* but the buffers did move */
  CHECK_INT(copy_name(HIDE_STR("0123456789abcde")), 15);
  CHECK_INT(fill_cell(HIDE_STR("abcdefghijklmnopqrs")), 19);
  CHECK_INT(make_req(E2E_HIDE(4), HIDE_STR("a name longer than the field")), 423);
  CHECK_INT(vla_alloca(E2E_HIDE(1000)), 3000);
  CHECK_INT(depth_sum(E2E_HIDE(200)), 200L * 201 / 2);
  int values[9] = {9, 3, 7, 1, 5, 8, 2, 6, 4};
  CHECK_INT(median(values, 9), 5);
  CHECK_INT(slots_in_use(), base);
  CHECK_INT(fallbacks(), 0);
  CHECK_INT(canary_faults(), 0);
  CHECK_INT(immune_recoveries(), 0);
  if (e2e_failures == before) printf("all transparency checks passed\n");
  return e2e_failures == before;
}

int main(void) {
  e2e_setup_stdio();
  if (!transparency()) return e2e_done();
  CHECK_INT(slots_in_use(), 0);
#if defined(ORACLE_CLEAN)
  return e2e_done();
#elif defined(ORACLE_CANARY)
  e2e_mark("overflowing `cell` in fill_cell");
  fill_cell(HIDE_STR("abcdefghijklmnopqrst"));
#else
  e2e_mark("overflowing `buf` in copy_name");
  copy_name(HIDE_STR("0123456789abcdefXYZ"));
#endif
  printf("FAIL: survived an overflow in oracle mode\n");
  return 1;
}
