/* The error value an aborted call returns, for every kind of return type,
 * with debug info (-g) so the pass knows the signedness of int and long:
 * signed -1, unsigned 0, bool false, pointer NULL, floating NaN, aggregates
 * (in registers or through sret memory) all zero, void nothing. Typedefs are
 * seen through (size_t is unsigned, ssize_t signed).
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 26
 * E2E-STDERR: in ret_uint \(.*\), returning 0$
 * E2E-STDERR: in ret_long \(.*\), returning -1$
 * E2E-STDERR: in ret_bool \(.*\), returning false$
 * E2E-STDERR: in ret_ptr \(.*\), returning NULL$
 * E2E-STDERR: in ret_double \(.*\), returning nan$
 * E2E-STDERR: in ret_pair \(.*\), returning \{0\}$
 * E2E-STDERR: in ret_big \(.*\), returning \{0\}$
 * E2E-STDERR: in ret_void \(.*\), returning void$
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "e2e.h"

/* Each function returns the value at p (5) converted to its type, and its
 * error value when p is NULL. */
#define SCALAR_CASE(T, name)                                                   \
  IMMUNE_PROTECT T name(const int *p) { return (T)*p; }

SCALAR_CASE(int, ret_int)
SCALAR_CASE(long, ret_long)
SCALAR_CASE(long long, ret_llong)
SCALAR_CASE(short, ret_short)
SCALAR_CASE(signed char, ret_schar)
SCALAR_CASE(char, ret_char) /* signed on x86-64 */
SCALAR_CASE(unsigned int, ret_uint)
SCALAR_CASE(unsigned long, ret_ulong)
SCALAR_CASE(unsigned short, ret_ushort)
SCALAR_CASE(unsigned char, ret_uchar)
SCALAR_CASE(size_t, ret_size)
SCALAR_CASE(ssize_t, ret_ssize)
SCALAR_CASE(uint8_t, ret_u8)
SCALAR_CASE(int64_t, ret_i64)
SCALAR_CASE(bool, ret_bool)
SCALAR_CASE(float, ret_float)
SCALAR_CASE(double, ret_double)
SCALAR_CASE(long double, ret_ldouble)

IMMUNE_PROTECT const int *ret_ptr(const int *p) { return p + *p; }

enum color { RED, GREEN, BLUE };
IMMUNE_PROTECT enum color ret_enum(const int *p) { return (enum color)(*p % 3); }

/* Returned in registers: rax (as one i64), rax:rdx, xmm0:xmm1. */
struct pair { int a, b; };
struct wide { long a; long b; };
struct point { double x, y; };
/* Returned through a hidden sret pointer (more than 16 bytes). */
struct big { long v[8]; };

IMMUNE_PROTECT struct pair ret_pair(const int *p) {
  struct pair r = {*p, *p + 1};
  return r;
}
IMMUNE_PROTECT struct wide ret_wide(const int *p) {
  struct wide r = {*p, -*p};
  return r;
}
IMMUNE_PROTECT struct point ret_point(const int *p) {
  struct point r = {*p, *p * 0.5};
  return r;
}
/* The result is partly written when the fault comes: the caller must still
 * see all zeros. */
IMMUNE_PROTECT struct big ret_big(const int *p, struct big *alias) {
  struct big r;
  for (int i = 0; i < 8; ++i) r.v[i] = 100 + i;
  *alias = r;
  E2E_BARRIER();
  r.v[7] = *p;
  return r;
}

static int void_calls;
IMMUNE_PROTECT void ret_void(const int *p) {
  ++void_calls;
  E2E_BARRIER();
  void_calls += *p;
}

int main(void) {
  e2e_setup_stdio();
  const int five = 5, *ok = &five, *null = E2E_NULL(const int *);

  CHECK_INT(ret_int(ok), 5);
  CHECK_INT(ret_int(null), -1);
  CHECK_INT(ret_long(null), -1L);
  CHECK_INT(ret_llong(null), -1LL);
  CHECK_INT(ret_short(null), -1);
  CHECK_INT(ret_schar(null), -1);
  CHECK_INT(ret_char(null), -1);
  CHECK_UINT(ret_uint(ok), 5);
  CHECK_UINT(ret_uint(null), 0);
  CHECK_UINT(ret_ulong(null), 0);
  CHECK_UINT(ret_ushort(null), 0);
  CHECK_UINT(ret_uchar(null), 0);
  CHECK_UINT(ret_size(null), 0);
  CHECK_INT(ret_ssize(null), -1);
  CHECK_UINT(ret_u8(null), 0);
  CHECK_INT(ret_i64(null), -1);
  CHECK_INT(ret_bool(ok), true);
  CHECK_INT(ret_bool(null), false);
  CHECK_FLT(ret_float(ok), 5.0f);
  CHECK_NAN(ret_float(null));
  CHECK_NAN(ret_double(null));
  CHECK_NAN(ret_ldouble(null));
  CHECK_PTR(ret_ptr(ok), ok + 5);
  CHECK_PTR(ret_ptr(null), NULL);

  /* An enum has no signedness of its own in the debug info: it gets the
   * integer rule's -1, i.e. all bits set in its underlying type. */
  CHECK_INT(ret_enum(ok), BLUE);
  CHECK_INT(ret_enum(null), (enum color)-1);

  struct pair pr = ret_pair(ok);
  CHECK_INT(pr.a, 5);
  pr = ret_pair(null);
  CHECK_INT(pr.a, 0);
  CHECK_INT(pr.b, 0);
  struct wide w = ret_wide(null);
  CHECK_INT(w.a, 0);
  CHECK_INT(w.b, 0);
  struct point pt = ret_point(null);
  CHECK_FLT(pt.x, 0.0);
  CHECK_FLT(pt.y, 0.0);

  struct big seen, b = ret_big(ok, &seen);
  CHECK_INT(b.v[0], 100);
  CHECK_INT(b.v[7], 5);
  memset(&seen, 0, sizeof seen);
  memset(&b, 0x5a, sizeof b);
  b = ret_big(null, &seen);
  CHECK_INT(seen.v[0], 0); /* it ran up to the fault; the abort undid its store */
  int nonzero = 0;
  for (int i = 0; i < 8; ++i) nonzero += b.v[i] != 0;
  CHECK_INT(nonzero, 0);
  /* Directly into an object that already holds data (no temporary). */
  static struct big global_big = {{1, 2, 3, 4, 5, 6, 7, 8}};
  global_big = ret_big(null, &seen);
  CHECK_INT(global_big.v[0], 0);
  CHECK_INT(global_big.v[7], 0);

  ret_void(ok);
  CHECK_INT(void_calls, 6);
  ret_void(null);
  CHECK_INT(void_calls, 6); /* ran up to the fault: its increment was undone */

  CHECK_INT(immune_recoveries(), 26);
  CHECK_DEPTH0();
  return e2e_done();
}
