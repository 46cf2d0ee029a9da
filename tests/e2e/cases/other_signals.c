/* The other two fault signals heal as well: SIGILL from an invalid
 * instruction (__builtin_trap, ud2) and SIGBUS from touching a file mapping
 * beyond the end of the file.
 * E2E-RECOVERED: 3
 * E2E-STDERR: ^immune: recovered SIGILL \(ILL_ILLOPN\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in checked_state \(.*other_signals\.c\), returning -1$
 * E2E-STDERR: ^immune: recovered SIGBUS \(BUS_ADRERR\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in read_mapped \(.*\), returning -1$
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "e2e.h"

IMMUNE_PROTECT int checked_state(int state) {
  if (state > 2) __builtin_trap(); /* "cannot happen" */
  return state * 10;
}

IMMUNE_PROTECT int read_mapped(const volatile char *p) { return p[0]; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(checked_state(2), 20);
  CHECK_INT(checked_state(E2E_HIDE(3)), -1);
  CHECK_INT(checked_state(E2E_HIDE(7)), -1);

  /* A one-page mapping of an empty file: the page exists, the file data
   * behind it does not. */
  int fd = memfd_create("e2e", 0);
  CHECK_TRUE(fd >= 0);
  char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  CHECK_TRUE(m != MAP_FAILED);
  CHECK_INT(read_mapped(m), -1);
  CHECK_INT(ftruncate(fd, 4096), 0);
  CHECK_INT(read_mapped(m), 0); /* now backed: reads a zero */

  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
