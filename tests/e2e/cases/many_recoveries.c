/* 100,000 recoveries in a row in one process: nothing leaks or wears out
 * (transaction records, the alternate stack, the signal mask), and each
 * call still returns the right value. The report lines go to /dev/null while
 * the loop runs; one more fault afterwards is reported normally.
 * E2E-RECOVERED: 1
 * (log_burst=0: the last fault is the same as the 100,000 before it, and
 * must not be left out as a repeat.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR: in parse_field \(.*many_recoveries\.c\), returning -1$
 */
#include <fcntl.h>
#include <unistd.h>

#include "e2e.h"

#define N 100000

IMMUNE_PROTECT int parse_field(const int *p, int i) { return p[i] + 1; }

int main(void) {
  e2e_setup_stdio();
  int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
  if (saved < 0 || devnull < 0 || dup2(devnull, 2) < 0) {
    perror("redirecting stderr");
    return 2;
  }
  const int data[4] = {1, 2, 3, 4};
  int wrong = 0;
  for (int i = 0; i < N; ++i) {
    wrong += parse_field(E2E_NULL(const int *), i & 3) != -1;
    if ((i & 1023) == 0) wrong += parse_field(data, i & 3) != (i & 3) + 2;
  }
  dup2(saved, 2);
  CHECK_INT(wrong, 0);
  CHECK_INT(immune_recoveries(), N);
  CHECK_INT(immune_function_aborts("parse_field"), N);
  CHECK_INT(parse_field(E2E_NULL(const int *), 0), -1);
  CHECK_INT(immune_recoveries(), N + 1);
  CHECK_DEPTH0();
  return e2e_done();
}
