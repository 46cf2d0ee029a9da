/* The code under measurement: one source, compiled with identical flags by
 * immune-cc (KERNEL_SUFFIX=_protected) and by plain clang
 * (KERNEL_SUFFIX=_plain). See kernels.h.
 *
 * Every function is noinline, so each benchmark iteration is a real call in
 * both builds (a protected function is never inlined anyway; without
 * noinline the plain chain would collapse into one body and the comparison
 * would measure inlining, not protection). */
#include <immune/immune.h>

#include "kernels.h"

#ifndef KERNEL_SUFFIX
#error "compile with -DKERNEL_SUFFIX=_plain or -DKERNEL_SUFFIX=_protected"
#endif
#define KERNEL(name) KERNEL_CAT(name, KERNEL_SUFFIX)

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(work)(const int *p, int n) {
  return (p[0] * 3 + n) ^ (p[1] >> 1);
}

/* "+ 1" after each call keeps it from being a tail call in the plain build,
 * so both builds really nest the frames. */
IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(nest2)(const int *p, int n) {
  return KERNEL(work)(p, n) + 1;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(nest3)(const int *p, int n) {
  return KERNEL(nest2)(p, n) + 1;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(nest4)(const int *p, int n) {
  return KERNEL(nest3)(p, n) + 1;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(buffered)(const int *p, int n) {
  char buf[64];
  __builtin_memcpy(buf, p, 2 * sizeof(int));
  buf[8 + (n & 7)] = (char)n;
  return (buf[n & 7] * 3 + n) ^ (buf[8 + (n & 7)] >> 1);
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(loop)(const int *p, int n) {
  int s = n;
  for (int i = 0; i < 64; ++i) s = s * 31 + p[i & 1];
  return s;
}

IMMUNE_TIMEOUT_MS(1000) __attribute__((noinline)) int KERNEL(loop_budget)(const int *p, int n) {
  int s = n;
  for (int i = 0; i < 64; ++i) s = s * 31 + p[i & 1];
  return s;
}

/* Stores to memory outside the frame: each is logged by the memory undo log
 * in the protected build. The index depends on n, so the compiler cannot
 * turn the stores into one vector store in either build. */
long KERNEL(sink)[64];

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(store1)(const int *p, int n) {
  KERNEL(sink)[n & 63] = p[0] + n;
  return n;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(store16)(const int *p, int n) {
  for (int i = 0; i < 16; ++i) KERNEL(sink)[(n + i * 5) & 63] = p[i & 1] + i;
  return n;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(store64)(const int *p, int n) {
  for (int i = 0; i < 64; ++i) KERNEL(sink)[(n + i * 5) & 63] = p[i & 1] + i;
  return n;
}

/* The block escapes through an empty asm, so neither build may pair up and
 * delete the malloc and the free. */
#include <stdlib.h>
static inline int touch_and_free(char *b, unsigned size, int n) {
  if (!b) return -1;
  __asm__ volatile("" : "+r"(b)::"memory");
  b[size - 1] = (char)n;
  int r = b[size - 1];
  free(b);
  return r;
}

IMMUNE_PROTECT __attribute__((noinline)) int KERNEL(heap)(const int *p, int n) {
  unsigned size = ((unsigned)n & 1023u) | 16u;
  return touch_and_free(malloc(size), size, n + p[0]);
}

IMMUNE_GUARD_HEAP __attribute__((noinline)) int KERNEL(heap_guarded)(const int *p, int n) {
  unsigned size = ((unsigned)n & 1023u) | 16u;
  return touch_and_free(malloc(size), size, n + p[0]);
}
