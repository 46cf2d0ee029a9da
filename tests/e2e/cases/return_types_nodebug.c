/* Without debug info the pass still knows the signedness of char, short and
 * bool from the ABI's signext/zeroext attributes; int and long default to
 * signed (-1). Pointers, floating point and aggregates need no signedness.
 * E2E-RECOVERED: 11
 * E2E-STDERR: in ret_uchar \(.*return_types_nodebug\.c\), returning 0$
 * E2E-STDERR: in ret_short \(.*\), returning -1$
 * E2E-STDERR: in ret_bool \(.*\), returning false$
 */
#include <stdbool.h>

#include "e2e.h"

#define SCALAR_CASE(T, name)                                                   \
  IMMUNE_PROTECT T name(const int *p) { return (T)*p; }

SCALAR_CASE(signed char, ret_schar)
SCALAR_CASE(unsigned char, ret_uchar)
SCALAR_CASE(short, ret_short)
SCALAR_CASE(unsigned short, ret_ushort)
SCALAR_CASE(bool, ret_bool)
SCALAR_CASE(int, ret_int)
SCALAR_CASE(long, ret_long)
SCALAR_CASE(double, ret_double)
SCALAR_CASE(float, ret_float)

IMMUNE_PROTECT char *ret_ptr(const int *p) { return (char *)p + *p; }

struct wide { long a, b; };
IMMUNE_PROTECT struct wide ret_wide(const int *p) {
  struct wide r = {*p, *p};
  return r;
}

int main(void) {
  e2e_setup_stdio();
  const int five = 5, *ok = &five, *null = E2E_NULL(const int *);
  CHECK_INT(ret_schar(ok), 5);
  CHECK_INT(ret_schar(null), -1);
  CHECK_UINT(ret_uchar(null), 0);
  CHECK_INT(ret_short(null), -1);
  CHECK_UINT(ret_ushort(null), 0);
  CHECK_INT(ret_bool(ok), true);
  CHECK_INT(ret_bool(null), false);
  CHECK_INT(ret_int(null), -1);
  CHECK_INT(ret_long(null), -1);
  CHECK_NAN(ret_double(null));
  CHECK_NAN(ret_float(null));
  CHECK_PTR(ret_ptr(null), NULL);
  struct wide w = ret_wide(null);
  CHECK_INT(w.a, 0);
  CHECK_INT(w.b, 0);
  CHECK_INT(immune_recoveries(), 11);
  CHECK_DEPTH0();
  return e2e_done();
}
