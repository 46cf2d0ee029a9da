/* Link-time optimization: compiled and linked with immune-cc -flto
 * -fuse-ld=lld. The pass runs at compile time (before the bitcode is
 * written); the link-time optimizer, which inlines across files, must keep
 * every transaction: a small protected function in another file and a small
 * static one in this file still heal.
 * E2E-CFLAGS: -flto
 * E2E-LDFLAGS: -fuse-ld=lld
 * E2E-SRC: lto_lib.c
 * E2E-RECOVERED: 3
 * E2E-STDERR: in lto_get \(.*lto_lib\.c\), returning -1$
 * E2E-STDERR: in local_get \(.*lto\.c\), returning -1$
 */
#include "e2e.h"

int lto_get(const int *p);
int lto_sum(const int *p, int n);

IMMUNE_PROTECT static int local_get(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  const int v[3] = {1, 2, 3}, *null = E2E_NULL(const int *);
  CHECK_INT(lto_get(v), 1);
  CHECK_INT(lto_get(null), -1);
  CHECK_INT(lto_sum(v, 3), 6);
  CHECK_INT(lto_sum(null, 3), -1);
  CHECK_INT(local_get(v + 2), 3);
  CHECK_INT(local_get(null), -1);
  CHECK_INT(immune_recoveries(), 3);
  CHECK_DEPTH0();
  return e2e_done();
}
