/* An overflow too small to reach the guard page: one byte past a 9-byte
 * guarded block lands in its slack (the block ends 7 bytes below the page),
 * and free finds the canary broken. Inside the guard_heap call that is a
 * fault of the call: it aborts and returns -2 (its own error value), its block freed, its store to
 * the global undone. An underflow into the canary in front of the header is
 * caught the same way, by realloc; one that overwrote the header itself (the
 * block no longer looks like one of Immune's) by free, which knows the
 * guarded heap's addresses.
 * E2E-POLICY: fun:name_copy=guard_heap
 * E2E-POLICY: fun:prefix=guard_heap
 * E2E-POLICY: fun:header_smash=guard_heap
 * E2E-ENV: IMMUNE_OPTIONS=log_path=@LOG@
 * E2E-RECOVERED: 3
 * E2E-EVENT: recovered HEAP_CANARY name_copy
 * E2E-EVENT: recovered HEAP_CANARY prefix
 * E2E-EVENT: recovered HEAP_CANARY header_smash
 * E2E-STDERR-COUNT: 3 ^immune: recovered broken canary of a guarded heap block \(at free or realloc of 0x[0-9a-f]+\) pc 0x[0-9a-f]+ in (name_copy|prefix|header_smash) \(.*\), returning -2: guarded heap block of (9|32) bytes allocated at 0x[0-9a-f]+ in (name_copy|prefix|header_smash)$
 */
#include "e2e.h"

static int copies;

/* Copies a 9-byte name with its terminator at [9]: one byte too many. */
int name_copy(const char *name, int len) {
  char *p = malloc(9);
  if (!p) return -2;
  memcpy(p, name, (size_t)E2E_HIDE(len) + 1);
  __asm__ volatile("" : : "r"(p) : "memory"); /* not a dead store for -O2: free reads the slack */
  copies++;
  free(p);
  return 0;
}

/* Writes a byte in front of its block (sixteen before the header), then
 * grows it. */
int prefix(int back) {
  char *p = malloc(32);
  if (!p) return -2;
  p[-E2E_HIDE(back)] = 'x';
  __asm__ volatile("" : : "r"(p) : "memory");
  char *q = realloc(p, 64);
  if (!q) return -2;
  free(q);
  return 0;
}

/* Zeroes the byte in front of its block: the top of the header's word. */
int header_smash(int back) {
  char *p = malloc(32);
  if (!p) return -2;
  p[-E2E_HIDE(back)] = 0;
  __asm__ volatile("" : : "r"(p) : "memory");
  free(p);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(name_copy("abcdefgh", 8), 0); /* 9 bytes: fits */
  CHECK_INT(copies, 1);
  CHECK_INT(name_copy("abcdefghi", 9), -2);
  CHECK_INT(copies, 1); /* the aborted call's store was undone */
  CHECK_INT(prefix(17), -2);
  CHECK_INT(header_smash(1), -2);
  CHECK_INT(name_copy("12345678", 8), 0);
  CHECK_INT(copies, 2);
  return e2e_done();
}
