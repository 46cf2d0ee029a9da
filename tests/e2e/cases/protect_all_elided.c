/* Protect-all: a small static leaf runs inside its caller's transaction
 * (no record of its own). A fault in it aborts the caller, whose error
 * value comes back, and the caller's stores and the elided leaves' are
 * undone exactly; with
 * IMMUNE_ELIDE=0 the leaf would have returned its own -1 (not checked here).
 * E2E-CFLAGS: --immune-protect-all
 * E2E-RECOVERED: 1
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in sum_record \(.*protect_all_elided\.c\), returning -1$
 */
#include "e2e.h"

static int total = 100;

static int field(const int *rec, int i) { return rec[i]; }

/* A leaf that stores outside its frame: elided too; its store is logged
 * (the caller calls its logging clone) and undone with the caller's. */
static int reads;
static int count_read(void) { return ++reads; }

/* Stores, then calls the leaf: an abort must put total back. */
int sum_record(const int *rec) {
  total += 1000;
  count_read();
  int s = field(rec, 0) + field(rec, 1);
  total += s;
  return s;
}

int main(void) {
  e2e_setup_stdio();
  int rec[2] = {3, 4};
  CHECK_INT(sum_record(rec), 7);
  CHECK_INT(total, 1107);
  CHECK_INT(reads, 1);
  CHECK_INT(sum_record(E2E_NULL(const int *)), -1);
  CHECK_INT(total, 1107);
  CHECK_INT(reads, 1);
  CHECK_INT(immune_function_aborts("count_read"), 0);
  CHECK_INT(immune_function_aborts("field"), 0);
  CHECK_INT(immune_function_aborts("sum_record"), 1);
  return e2e_done();
}
