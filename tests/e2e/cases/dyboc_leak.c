/* DYBOC leaks nothing: after overflows of every kind (each aborted call
 * gives its slots back), 200,000 more calls of the protected functions
 * leave no slot in use outside them, commit no new slot after the warm-up,
 * and add no mapping to the process (/proc/self/maps has as many lines
 * after as before). The calls cover every size class, a VLA taken anew in
 * each round of a loop (released at the end of its scope), alloca(), and a
 * nested protected call whose inner overflow aborts while the outer call
 * holds its own slot.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 125
 * E2E-STDERR-COUNT: 25 in parse_header .*: overflow of `buf` in `parse_header`$
 * E2E-STDERR-COUNT: 25 in inner_copy .*: overflow of `tmp` in `inner_copy`$
 * E2E-STDERR-COUNT: 25 in all_classes .*: overflow of `huge` in `all_classes`$
 * E2E-STDERR-COUNT: 25 in vla_rounds .*: overflow of `v` in `vla_rounds`$
 * E2E-STDERR-COUNT: 25 in alloca_fill .*: overflow of `alloca` in `alloca_fill`$
 */
#include <alloca.h>

#include "dyboc_e2e.h"

#define CALLS 200000
#define FAULTS_BEFORE 5 /* per function, before the warm-up */
#define FAULT_EVERY 10000 /* then one per function every so many calls */

IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  strcpy(buf, line);
  return (int)strlen(buf);
}

/* The outer call holds one slot (msg) while the inner one aborts. */
IMMUNE_PROTECT int inner_copy(char *dst, const char *src) {
  char tmp[32];
  strcpy(tmp, src);
  strcpy(dst, tmp);
  return (int)strlen(tmp);
}

IMMUNE_PROTECT int outer_copy(const char *src) {
  char msg[64];
  int n = inner_copy(msg, src);
  if (n < 0) n = (int)strlen(strcpy(msg, "default"));
  return n * 100 + (int)slots_in_use();
}

/* One buffer in each size class (4, 8, 16, 32 and 64 KiB); `at` past the
 * end of the largest overflows it. Only single bytes are touched: the
 * point is taking and releasing the slots. */
IMMUNE_PROTECT int all_classes(int at) {
  char small[16], b8[6000], b16[12000], b32[30000], huge[60000];
  small[0] = 1;
  b8[sizeof b8 - 1] = 2;
  b16[sizeof b16 - 1] = 3;
  b32[sizeof b32 - 1] = 4;
  huge[at] = 5;
  E2E_KEEP(small);
  E2E_KEEP(b8);
  E2E_KEEP(b16);
  E2E_KEEP(b32);
  E2E_KEEP(huge);
  return small[0] + b8[sizeof b8 - 1] + b16[sizeof b16 - 1] +
         b32[sizeof b32 - 1] + huge[at] + (int)slots_in_use() * 100;
}

/* A new VLA in every round: each round gives its slot back at the end of
 * the scope, so no more than one is ever in use (300 rounds would exhaust
 * the 256 slots of the class otherwise). Returns the most in use, or -1
 * from the abort when the last round writes `over` bytes too many. */
IMMUNE_PROTECT int vla_rounds(int n, int over) {
  int most = 0;
  for (int r = 0; r < 300; ++r) {
    char v[n];
    memset(v, r, (size_t)n + (r == 299 ? (size_t)over : 0));
    E2E_KEEP(v);
    int used = (int)slots_in_use();
    if (used > most) most = used;
  }
  return most;
}

IMMUNE_PROTECT int alloca_fill(int n, int w) {
  char *a = alloca((size_t)n);
  memset(a, 'a', (size_t)w);
  E2E_KEEP(a);
  return a[0] + n;
}

/* One overflow of each function; each must return its error value. */
static int overflow_all(const char *too_long) {
  int wrong = 0;
  wrong += parse_header(too_long) != -1;
  wrong += outer_copy(too_long) != 7 * 100 + 1;
  wrong += all_classes(E2E_HIDE(60000)) != -1;
  wrong += vla_rounds(E2E_HIDE(48), E2E_HIDE(1)) != -1;
  wrong += alloca_fill(E2E_HIDE(48), E2E_HIDE(49)) != -1;
  return wrong;
}

/* Call number i: one of the functions with good input; returns 1 if the
 * result is wrong. */
static int good_call(long i, const char *hello) {
  switch (i % 5) {
  case 0: return parse_header(hello) != 5;
  case 1: return outer_copy(hello) != 5 * 100 + 1;
  case 2: return all_classes(E2E_HIDE(59999)) != 15 + 500;
  case 3: return vla_rounds(E2E_HIDE(48), 0) != 1;
  default: return alloca_fill(E2E_HIDE(48), E2E_HIDE(48)) != 'a' + 48;
  }
}

int main(void) {
  e2e_setup_stdio();
  const char *too_long = HIDE_STR("0123456789abcdef0123456789abcdef0123456789");
  const char *hello = HIDE_STR("hello");

  int wrong = 0;
  for (int f = 0; f < FAULTS_BEFORE; ++f) wrong += overflow_all(too_long);
  CHECK_INT(wrong, 0);
  CHECK_INT(slots_in_use(), 0);

  /* Warm-up: every function once with good input. */
  for (long i = 0; i < 5; ++i) wrong += good_call(i, hello);
  const uint64_t committed = slots_committed(), fell_back = fallbacks();
  const long maps = maps_lines();
  CHECK_TRUE(committed > 0);
  CHECK_TRUE(maps > 0);

  long busy = 0; /* calls after which a slot was still in use */
  for (long i = 0; i < CALLS; ++i) {
    wrong += good_call(i, hello);
    busy += slots_in_use() != 0;
    if (i % FAULT_EVERY == FAULT_EVERY - 1) wrong += overflow_all(too_long);
  }
  CHECK_INT(wrong, 0);
  CHECK_INT(busy, 0);
  CHECK_INT(slots_in_use(), 0);
  CHECK_UINT(slots_committed(), committed);
  CHECK_UINT(fallbacks(), fell_back);
  CHECK_INT(maps_lines(), maps);
  CHECK_INT(immune_recoveries(), 5 * (FAULTS_BEFORE + CALLS / FAULT_EVERY));
  CHECK_DEPTH0();
  return e2e_done();
}
