/* A guard-page fault on a relocated buffer aborts the transaction that owns
 * the buffer, even when the overflowing write is in a protected callee that
 * was handed the buffer (libpng's png_handle_tRNS reading through
 * png_default_read_data): the callee only did what the owner told it, and
 * the owner must not carry on with its bad length.
 * E2E-RECOVERED: 1
 * The owner returns its own error value (-2, what it returns on its error
 * path).
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in handle_chunk \(.*dyboc_owner_aborts\.c\), returning -2: overflow of `[a-z]+` in `handle_chunk`
 */
#include <string.h>

#include "e2e.h"

static char source[256];
static int carried_on;

/* Protected too: a transaction of its own inside the owner's. */
IMMUNE_PROTECT int read_data(char *dst, size_t n) {
  memcpy(dst, source, n);
  return 0;
}

IMMUNE_PROTECT int handle_chunk(size_t len) {
  char buf[16];
  if (read_data(buf, E2E_HIDE(len)) < 0) return -2;
  carried_on = 1;
  return buf[0];
}

int main(void) {
  e2e_setup_stdio();
  memset(source, 'a', sizeof source);
  CHECK_INT(handle_chunk(8), 'a');
  carried_on = 0;
  CHECK_INT(handle_chunk(200), -2);
  CHECK_INT(carried_on, 0);
  CHECK_INT(immune_function_aborts("handle_chunk"), 1);
  CHECK_INT(immune_function_aborts("read_data"), 0);
  CHECK_DEPTH0();
  return e2e_done();
}
