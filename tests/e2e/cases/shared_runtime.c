/* shared_lib.c again, with the runtime linked as libimmune_rt.so
 * (--immune-shared-runtime) instead of into the executable.
 * E2E-CFLAGS: --immune-shared-runtime
 * E2E-SHLIB: shared_lib_lib.c
 * E2E-RECOVERED: 3
 * E2E-STDERR: in lib_parse \(.*shared_lib_lib\.c\), returning -1$
 * E2E-STDERR: in lib_visit \(.*shared_lib_lib\.c\), returning -1$
 * E2E-STDERR: in exe_wrapper \(.*shared_runtime\.c\), returning -1$
 */
#include "shared_lib.c"
