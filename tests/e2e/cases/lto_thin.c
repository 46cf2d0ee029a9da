/* lto.c again with ThinLTO (-flto=thin), whose pre-link pipeline and
 * parallel link-time back ends differ from full LTO's.
 * E2E-CFLAGS: -flto=thin
 * E2E-LDFLAGS: -fuse-ld=lld
 * E2E-SRC: lto_lib.c
 * E2E-RECOVERED: 3
 * E2E-STDERR: in lto_get \(.*lto_lib\.c\), returning -1$
 * E2E-STDERR: in local_get \(.*lto_thin\.c\), returning -1$
 */
#include "lto.c"
