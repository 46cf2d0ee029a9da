/* DYBOC: stack buffers of protected functions live in guard-paged slots, so
 * a real overflow of each kind aborts the call (it returns -1), the report
 * names the buffer, and the next call with good input works.
 *
 * Two ways to be caught, both covered:
 * - the guard page: a buffer whose size is a multiple of its alignment ends
 *   flush against it, so the first byte past the end faults (SIGSEGV at the
 *   first address of the guard page);
 * - the canaries: a char[20] is 16-byte aligned, so 12 bytes of canary sit
 *   between its end and the guard page, and 16 canary bytes sit below every
 *   buffer; a write there is found when the slot is released.
 * E2E-CFLAGS: -g
 * E2E-RECOVERED: 15
 * E2E-STDERR-COUNT: 10 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in [a-z_]+ \(.*dyboc_overflows\.c\), returning -1: overflow of `[a-z]+` in `[a-z_]+`$
 * E2E-STDERR-COUNT: 5 ^immune: recovered broken canary of a relocated buffer pc 0x[0-9a-f]+ in [a-z_]+ \(.*dyboc_overflows\.c\), returning -1: overflow of `[a-z]+` in `[a-z_]+`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in parse_header .*: overflow of `buf` in `parse_header`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in copy_packet .*: overflow of `pkt` in `copy_packet`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in format_id .*: overflow of `out` in `format_id`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in format_name .*: overflow of `line` in `format_name`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in fill_row .*: overflow of `row` in `fill_row`$
 * E2E-STDERR-COUNT: 1 canary .* in fill_cell .*: overflow of `cell` in `fill_cell`$
 * E2E-STDERR-COUNT: 2 canary .* in poke_below .*: overflow of `low` in `poke_below`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in vla_fill .*: overflow of `v` in `vla_fill`$
 * E2E-STDERR-COUNT: 1 canary .* in vla_fill .*: overflow of `v` in `vla_fill`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in alloca_fill .*: overflow of `alloca` in `alloca_fill`$
 * E2E-STDERR-COUNT: 1 canary .* in alloca_fill .*: overflow of `alloca` in `alloca_fill`$
 * E2E-STDERR-COUNT: 2 SIGSEGV .* in make_req .*: overflow of `r` in `make_req`$
 * E2E-STDERR-COUNT: 1 SIGSEGV .* in grid_sum .*: overflow of `grid` in `grid_sum`$
 */
#include <alloca.h>

#include "dyboc_e2e.h"

/* strcpy past a char[16]. */
IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  strcpy(buf, line);
  return (int)strlen(buf);
}

/* memcpy of a length the caller got wrong. */
IMMUNE_PROTECT int copy_packet(const char *src, size_t n) {
  char pkt[64];
  memcpy(pkt, src, n);
  return pkt[0] + pkt[n - 1];
}

/* sprintf into a buffer too small for a large number. */
IMMUNE_PROTECT int format_id(int id) {
  char out[8];
  sprintf(out, "id=%d", id);
  return (int)strlen(out);
}

/* snprintf told the wrong size. */
IMMUNE_PROTECT int format_name(const char *name) {
  char line[32];
  snprintf(line, E2E_HIDE(sizeof line + 64), "name: %s", name);
  return (int)strlen(line);
}

/* Off by one (`<=`) into a char[32]: the byte past the end is on the guard
 * page. */
IMMUNE_PROTECT int fill_row(int n) {
  char row[32];
  for (int i = 0; i <= n; i++) row[i] = (char)('a' + i % 26);
  return row[0] + row[n < 31 ? n : 31];
}

/* Off by one into a char[20]: the bounds check forgot the terminator, and
 * the copy loop runs to `<= len` to take it, so a 20-character string puts
 * its NUL one past the end, into the alignment slack, which is filled with
 * canary bytes. (A canary byte is never 0, so a stray NUL is always seen;
 * any other single byte could equal the canary byte it lands on, so the
 * cases only write NULs into canary slack.) */
IMMUNE_PROTECT int fill_cell(const char *s) {
  char cell[20];
  size_t len = strlen(s);
  if (len > sizeof cell) len = sizeof cell; /* should be sizeof cell - 1 */
  for (size_t i = 0; i <= len; i++) cell[i] = s[i];
  return (int)strlen(cell);
}

/* An underflow: a negative index puts a terminator into the canary bytes
 * below the buffer. */
IMMUNE_PROTECT int poke_below(int i) {
  char low[32];
  memset(low, 'x', sizeof low);
  low[i] = '\0';
  return low[0] + low[31];
}

/* A VLA and an alloca() buffer cleared for `w` bytes: past the end when
 * w > n (zeros, so a write into canary slack is always seen). */
IMMUNE_PROTECT int vla_fill(int n, int w) {
  char v[n];
  memset(v, 0, (size_t)w);
  E2E_KEEP(v);
  v[0] = 'v';
  return v[0] + n;
}

IMMUNE_PROTECT int alloca_fill(int n, int w) {
  char *a = alloca((size_t)n);
  memset(a, 0, (size_t)w);
  E2E_KEEP(a);
  a[0] = 'a';
  return a[0] + n;
}

/* An array inside a struct: sizeof(struct req) is 28 and its alignment 4,
 * so the struct ends flush against the guard page. */
struct req {
  int id;
  char name[24];
};

IMMUNE_PROTECT int make_req(int id, const char *name) {
  struct req r;
  r.id = id;
  strcpy(r.name, name);
  return r.id * 100 + (int)strlen(r.name);
}

/* A 2-D array filled one row too far. */
IMMUNE_PROTECT int grid_sum(int rows) {
  int grid[4][4];
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < 4; j++) grid[i][j] = i * 4 + j;
  int sum = 0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) sum += grid[i][j];
  return sum;
}

/* Calls `call` (which must overflow) and checks it returned -1 by the path
 * named: a canary fault counted or not, and no slot left in use. */
#define GUARD 0
#define CANARY 1
#define OVERFLOW(call, path)                                                   \
  do {                                                                         \
    uint64_t c0_ = canary_faults();                                            \
    CHECK_INT(call, -1);                                                       \
    CHECK_INT(canary_faults() - c0_, path);                                    \
    CHECK_INT(slots_in_use(), 0);                                              \
  } while (0)

int main(void) {
  e2e_setup_stdio();
  char big[256];
  memset(big, 'z', sizeof big);
  big[255] = '\0';
  const char *long30 = HIDE_STR("0123456789abcdefghijklmnopqrst");

  CHECK_INT(parse_header(HIDE_STR("GET / HTTP/1.0")), 14);
  OVERFLOW(parse_header(HIDE_STR("0123456789abcdefXYZ")), GUARD);
  CHECK_INT(parse_header(HIDE_STR("0123456789abcde")), 15); /* fills it exactly */

  OVERFLOW(copy_packet(big, E2E_HIDE((size_t)65)), GUARD);
  CHECK_INT(copy_packet(big, E2E_HIDE((size_t)64)), 2 * 'z');

  OVERFLOW(format_id(E2E_HIDE(1234567)), GUARD);
  CHECK_INT(format_id(E2E_HIDE(1234)), 7); /* "id=1234" + NUL: exactly 8 */

  OVERFLOW(format_name(long30), GUARD);
  CHECK_INT(format_name(HIDE_STR("bob")), 9);

  OVERFLOW(fill_row(E2E_HIDE(32)), GUARD);
  CHECK_INT(fill_row(E2E_HIDE(31)), 'a' + 'f');

  OVERFLOW(fill_cell(HIDE_STR("abcdefghijklmnopqrst")), CANARY);
  CHECK_INT(fill_cell(HIDE_STR("abcdefghijklmnopqrs")), 19);

  OVERFLOW(poke_below(E2E_HIDE(-1)), CANARY);
  OVERFLOW(poke_below(E2E_HIDE(-16)), CANARY);
  CHECK_INT(poke_below(E2E_HIDE(31)), 'x');

  OVERFLOW(vla_fill(E2E_HIDE(64), E2E_HIDE(65)), GUARD);
  OVERFLOW(vla_fill(E2E_HIDE(100), E2E_HIDE(101)), CANARY);
  CHECK_INT(vla_fill(E2E_HIDE(100), E2E_HIDE(100)), 'v' + 100);

  OVERFLOW(alloca_fill(E2E_HIDE(64), E2E_HIDE(65)), GUARD);
  OVERFLOW(alloca_fill(E2E_HIDE(100), E2E_HIDE(101)), CANARY);
  CHECK_INT(alloca_fill(E2E_HIDE(100), E2E_HIDE(100)), 'a' + 100);

  OVERFLOW(make_req(E2E_HIDE(7), long30), GUARD);
  OVERFLOW(make_req(E2E_HIDE(7), big), GUARD);
  CHECK_INT(make_req(E2E_HIDE(7), HIDE_STR("alice")), 705);
  CHECK_INT(make_req(E2E_HIDE(7), long30 + 7), 723); /* 23 + NUL: fits */

  OVERFLOW(grid_sum(E2E_HIDE(5)), GUARD);
  CHECK_INT(grid_sum(E2E_HIDE(4)), 120);

  CHECK_INT(immune_recoveries(), 15);
  CHECK_INT(canary_faults(), 5);
  CHECK_INT(fallbacks(), 0);
  CHECK_INT(immune_function_aborts("poke_below"), 2);
  CHECK_INT(immune_function_aborts("make_req"), 2);
  CHECK_DEPTH0();
  return e2e_done();
}
