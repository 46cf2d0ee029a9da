/* Buffers nothing can write past stay on the stack (pass/BufferSafety.h:
 * at -O2, a fixed-index array handed only to strcspn, a va_list handed to
 * vsnprintf; at -O0 they are relocated, as the library's declarations say
 * nothing). Either way a fault in the function still heals with its error
 * value and its stores before the fault are undone exactly.
 * E2E-CFLAGS: --immune-protect-all
 * E2E-RECOVERED: 2
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in span \(.*dyboc_in_bounds\.c\), returning -1$
 * E2E-STDERR: recovered SIGSEGV \([A-Z_]+\) at address 0x[0-9a-f]+ pc 0x[0-9a-f]+ in format \(.*dyboc_in_bounds\.c\), returning -1$
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "e2e.h"

static int calls, formatted;

/* The length of s's first run without a or b. */
__attribute__((noinline)) int span(const char *s, char a, char b) {
  char stop[3];
  ++calls;
  stop[0] = a;
  stop[1] = b;
  stop[2] = 0;
  return (int)strcspn(s, stop);
}

__attribute__((noinline)) int format(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  formatted += 10;
  va_start(ap, fmt);
  int r = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return r;
}

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(span("key=value", '=', ';'), 3);
  CHECK_INT(calls, 1);
  CHECK_INT(span(E2E_NULL(const char *), '=', ';'), -1);
  CHECK_INT(calls, 1); /* the aborted call's ++calls undone */
  char out[16];
  CHECK_INT(format(out, sizeof out, "%d-%s", 7, "x"), 3);
  CHECK_INT(strcmp(out, "7-x"), 0);
  CHECK_INT(formatted, 10);
  CHECK_INT(format(E2E_NULL(char *), 16, "%d-%s", 7, "x"), -1);
  CHECK_INT(formatted, 10);
  CHECK_INT(immune_function_aborts("span"), 1);
  CHECK_INT(immune_function_aborts("format"), 1);
  return e2e_done();
}
