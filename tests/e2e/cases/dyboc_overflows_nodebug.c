/* dyboc_overflows.c built without -g, as release builds often are: every
 * overflow heals the same way, by the same path. Without debug info the
 * pass has no source names, so the reports name the function but not the
 * variable (a static buffer is `buffer`, a VLA or alloca() `alloca`).
 * E2E-RECOVERED: 15
 * E2E-STDERR-COUNT: 10 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in [a-z_]+ \(.*dyboc_overflows(_nodebug)?\.c\), returning -1: overflow of `[a-z]+` in `[a-z_]+`$
 * E2E-STDERR-COUNT: 5 ^immune: recovered broken canary of a relocated buffer pc 0x[0-9a-f]+ in [a-z_]+ \(.*dyboc_overflows(_nodebug)?\.c\), returning -1: overflow of `[a-z]+` in `[a-z_]+`$
 * E2E-STDERR-COUNT: 1 in parse_header .*: overflow of `[a-z]+` in `parse_header`$
 * E2E-STDERR-COUNT: 2 in poke_below .*: overflow of `[a-z]+` in `poke_below`$
 * E2E-STDERR-COUNT: 2 in vla_fill .*: overflow of `[a-z]+` in `vla_fill`$
 * E2E-STDERR-COUNT: 2 in make_req .*: overflow of `[a-z]+` in `make_req`$
 * E2E-STDERR-COUNT: 1 in grid_sum .*: overflow of `[a-z]+` in `grid_sum`$
 */
#include "dyboc_overflows.c"
