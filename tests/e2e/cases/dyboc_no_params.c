/* Protected functions without parameters whose buffers are relocated: at
 * -O1 and up the first instruction after the allocas is then the buffer's
 * lifetime marker (there is no parameter to spill first). The program
 * builds, and overflows heal as anywhere else.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 2
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in read_request \(.*dyboc_no_params\.c\), returning -1: overflow of `line` in `read_request`$
 * E2E-STDERR-COUNT: 1 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in next_token \(.*dyboc_no_params\.c\), returning -1: overflow of `token` in `next_token`$
 */
#include "dyboc_e2e.h"

static const char *input; /* what the "network" delivered */
static char last_token[64];

IMMUNE_PROTECT int read_request(void) {
  char line[32];
  strcpy(line, input);
  return (int)strlen(line);
}

/* Two buffers, the first one's marker first. */
IMMUNE_PROTECT int next_token(void) {
  char token[16];
  char scratch[64];
  size_t n = strcspn(input, " ");
  memcpy(scratch, input, n);
  scratch[n] = '\0';
  strcpy(token, scratch);
  strcpy(last_token, token);
  return (int)n;
}

int main(void) {
  e2e_setup_stdio();
  input = HIDE_STR("GET /index.html");
  CHECK_INT(read_request(), 15);
  CHECK_INT(next_token(), 3);
  CHECK_TRUE(strcmp(last_token, "GET") == 0);
  input = HIDE_STR("0123456789abcdef0123456789abcdef0123456789 x");
  CHECK_INT(read_request(), -1);
  CHECK_INT(next_token(), -1);
  input = HIDE_STR("POST /form");
  CHECK_INT(read_request(), 10);
  CHECK_INT(next_token(), 4);
  CHECK_TRUE(strcmp(last_token, "POST") == 0);
  CHECK_INT(slots_in_use(), 0);
  CHECK_DEPTH0();
  return e2e_done();
}
