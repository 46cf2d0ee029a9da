/* An overflow through the kernel: recv() into a relocated 64-byte buffer
 * with a length of 4096. The kernel writes up to the buffer's guard page
 * and stops (a short count or EFAULT), the program's own error handling
 * runs — and Immune says that an overflow was stopped (a "stopped" record
 * naming the buffer), instead of nothing (nginx's discarded body).
 * E2E-RECOVERED: 0
 * E2E-STDERR-COUNT: 1 ^immune: stopped: EFAULT at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in read_body \(.*efault_stopped\.c\): recv\(\) asked to write past the buffer; the kernel stopped at its guard page: overflow of `[a-z]+` in `read_body`$
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

/* The bug: the length is the socket's, not the buffer's. */
IMMUNE_PROTECT int read_body(int fd, size_t len) {
  char body[64];
  ssize_t n = recv(fd, body, len, 0);
  if (n < 0 || (size_t)n < len) return -2; /* its own error path */
  return body[0];
}

int main(void) {
  e2e_setup_stdio();
  int sv[2];
  CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  char data[200];
  memset(data, 'x', sizeof data);
  CHECK_INT((int)write(sv[1], data, 10), 10);
  CHECK_INT(read_body(sv[0], 10), 'x');
  CHECK_INT((int)write(sv[1], data, sizeof data), (int)sizeof data);
  CHECK_INT(read_body(sv[0], E2E_HIDE((size_t)4096)), -2);
  close(sv[0]);
  close(sv[1]);
  return e2e_done();
}
