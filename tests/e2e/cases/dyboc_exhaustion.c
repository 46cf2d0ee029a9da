/* When the pool cannot serve a buffer it stays on the stack and the program
 * runs as without DYBOC (counted as a fallback): recursion 2,000 deep through
 * a protected function with a char[64] (the 4 KiB class has 256 slots per
 * thread), 10 deep with a 60,000-byte buffer (8 slots of 64 KiB), a 1 MiB
 * VLA and a static buffer one byte over 64 KiB. A 64 KiB buffer still gets
 * a slot, and after all that an overflow is caught again.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 2
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in largest \(.*\), returning -1: overflow of `page16` in `largest`$
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in depth_sum \(.*\), returning -1: overflow of `buf` in `depth_sum`$
 */
#include "dyboc_e2e.h"

#define DEPTH 2000
#define CLASS4K_SLOTS 256
#define CLASS64K_SLOTS 8

static uint64_t most_in_use;

/* Each level writes its depth into its own buffer and reads it back after
 * the deeper levels returned: a buffer shared or clobbered across levels
 * gives a wrong sum. `overflow_at` makes that level write past its end. */
IMMUNE_PROTECT long depth_sum(int n, int overflow_at) {
  char buf[64];
  int len = snprintf(buf, sizeof buf, "%d", n);
  if (n == overflow_at) memset(buf + len, '!', sizeof buf - (size_t)len + 1);
  E2E_KEEP(buf);
  uint64_t used = slots_in_use();
  if (used > most_in_use) most_in_use = used;
  long below = n > 1 ? depth_sum(n - 1, overflow_at) : 0;
  if (below < 0) return below;
  return below + atol(buf);
}

IMMUNE_PROTECT long big_depth(int n) {
  char big[60000];
  memset(big, n, sizeof big);
  E2E_KEEP(big);
  long below = n > 1 ? big_depth(n - 1) : 0;
  return below + big[0] + big[sizeof big - 1];
}

/* 1 MiB, far over the largest class (64 KiB). */
IMMUNE_PROTECT long huge_vla(int n) {
  char v[n];
  memset(v, 1, (size_t)n);
  E2E_KEEP(v);
  long sum = 0;
  for (int i = 0; i < n; i += 4096) sum += v[i];
  return sum + v[n - 1];
}

IMMUNE_PROTECT int over_64k(int at) {
  char just_over[64 * 1024 + 1];
  memset(just_over, 2, sizeof just_over);
  E2E_KEEP(just_over);
  return just_over[at];
}

/* Exactly 64 KiB: the largest class, flush against its guard page. */
IMMUNE_PROTECT int largest(int len) {
  char page16[64 * 1024];
  memset(page16, 3, (size_t)len);
  E2E_KEEP(page16);
  return page16[0] + page16[sizeof page16 - 1];
}

int main(void) {
  e2e_setup_stdio();

  uint64_t f0 = fallbacks();
  CHECK_INT(depth_sum(E2E_HIDE(DEPTH), -1), (long)DEPTH * (DEPTH + 1) / 2);
  CHECK_INT(fallbacks() - f0, DEPTH - CLASS4K_SLOTS);
  CHECK_INT(most_in_use, CLASS4K_SLOTS);
  CHECK_INT(slots_in_use(), 0);
  /* The pool serves again once the recursion has returned. */
  f0 = fallbacks();
  CHECK_INT(depth_sum(E2E_HIDE(100), -1), 100L * 101 / 2);
  CHECK_INT(fallbacks() - f0, 0);

  f0 = fallbacks();
  CHECK_INT(big_depth(E2E_HIDE(10)), 2L * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10));
  CHECK_INT(fallbacks() - f0, 10 - CLASS64K_SLOTS);

  f0 = fallbacks();
  CHECK_INT(huge_vla(E2E_HIDE(1 << 20)), 256 + 1);
  CHECK_INT(fallbacks() - f0, 1);

  f0 = fallbacks();
  CHECK_INT(over_64k(E2E_HIDE(64 * 1024)), 2);
  CHECK_INT(fallbacks() - f0, 1);

  f0 = fallbacks();
  CHECK_INT(largest(E2E_HIDE(64 * 1024)), 6);
  CHECK_INT(largest(E2E_HIDE(64 * 1024 + 1)), -1);
  CHECK_INT(fallbacks() - f0, 0);

  /* After exhaustion, an overflow 50 levels down is caught: the call at the
   * top returns the error value the deep level returned. */
  CHECK_INT(depth_sum(E2E_HIDE(100), E2E_HIDE(50)), -1);
  CHECK_INT(slots_in_use(), 0);
  CHECK_INT(immune_recoveries(), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
