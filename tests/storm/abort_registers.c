/* The abort path of a transaction must not depend on what the registers held
 * at the fault. (Written for ABI v2, whose checkpoint was called with
 * preserve_most, so the compiler could keep values — the record's address
 * among them — in caller-saved registers across it, while a resume restored
 * only what the checkpoint saved. ABI v3's inline checkpoint has every
 * register clobbered at the resume point and an abort path that takes
 * nothing from registers or the frame; the test keeps guarding that.) Here each protected function has a dynamic frame (a VLA,
 * so its record is %rbp-relative), a heap block in its rollback log, and
 * faults inside libc with %rdi set by the faulting call: 0 (strlen(NULL)),
 * or the address of a live buffer of the caller (memcpy from NULL into it),
 * which an abort path that took its record from %rdi would treat as the
 * record. Every call must return its error value, the buffer must be
 * untouched, the transaction stack empty, and the program alive.
 *
 * Found by the fault storm (storm.c); see docs/reliability.md.
 *
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 600
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR-COUNT: 0 ^immune: (crashed|escalated)
 */
#include <immune/immune.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIDE(x)                                                                \
  ({                                                                           \
    __typeof__(x) v_ = (x);                                                    \
    __asm__ volatile("" : "+r"(v_));                                           \
    v_;                                                                        \
  })

char *volatile sink;
static int failures;

#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s (line %d)\n", what, __LINE__);                           \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* %rdi = 0 at the fault. */
IMMUNE_PROTECT int null_rdi(unsigned n) {
  char vla[n];
  memset(vla, 1, n);
  char *q = malloc(16);
  q[0] = vla[0];
  sink = q;
  return (int)strlen(HIDE((const char *)0)) + vla[n - 1];
}

/* %rdi = the caller's live buffer at the fault. */
IMMUNE_PROTECT long buffer_rdi(char *dst, unsigned n) {
  char vla[n];
  memset(vla, 2, n);
  char *q = malloc(32);
  q[0] = vla[0];
  sink = q;
  memcpy(HIDE(dst), HIDE((const char *)0), 64);
  return vla[n - 1];
}

/* The same returning a struct through memory (sret): all zero on abort. */
struct big {
  long v[12];
};
IMMUNE_PROTECT struct big sret_rdi(char *dst, unsigned n) {
  struct big b;
  char vla[n];
  memset(vla, 3, n);
  char *q = malloc(48);
  q[0] = vla[0];
  sink = q;
  for (int i = 0; i < 12; ++i) b.v[i] = i + 1;
  memcpy(HIDE(dst), HIDE((const char *)0), 64);
  return b;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  char keep[256];
  memset(keep, 'k', sizeof keep);
  for (int i = 0; i < 200; ++i) {
    unsigned n = 8 + (unsigned)i % 64;
    CHECK(null_rdi(n) == -1, "null_rdi returned -1");
    CHECK(buffer_rdi(keep + 64, n) == -1, "buffer_rdi returned -1");
    struct big b = {{0}};
    b.v[3] = 77;
    b = sret_rdi(keep + 64, n);
    int zero = 1;
    for (int k = 0; k < 12; ++k) zero &= b.v[k] == 0;
    CHECK(zero, "sret_rdi returned all zero");
    CHECK(immune_tx_depth() == 0, "no transaction left");
    int same = 1;
    for (size_t k = 0; k < sizeof keep; ++k) same &= keep[k] == 'k';
    CHECK(same, "the caller's buffer is untouched");
    if (failures) break;
  }
  CHECK(immune_recoveries() == 600, "600 recoveries");
  if (failures) {
    printf("%d check(s) FAILED\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
