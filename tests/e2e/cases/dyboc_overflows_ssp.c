/* dyboc_overflows.c with -fstack-protector-strong, as distributions build:
 * the frames keep their stack-protector canaries, and every overflow is
 * still caught by the guard page or the slot's canaries first (the
 * relocated buffers are no longer in the frame), with the same reports.
 * E2E-CFLAGS: -g -fstack-protector-strong
 * E2E-RECOVERED: 15
 * E2E-STDERR-COUNT: 0 stack smashing detected
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
#include "dyboc_overflows.c"
