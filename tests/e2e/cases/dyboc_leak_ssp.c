/* dyboc_leak.c with -fstack-protector-strong: no slot, mapping or
 * committed page is left behind either when the frames carry
 * stack-protector canaries.
 * E2E-CFLAGS: -g -fstack-protector-strong
 * E2E-STDERR-COUNT: 0 stack smashing detected
 * E2E-RECOVERED: 125
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR-COUNT: 25 in parse_header .*: overflow of `buf` in `parse_header`$
 * E2E-STDERR-COUNT: 25 in inner_copy .*: overflow of `tmp` in `inner_copy`$
 * E2E-STDERR-COUNT: 25 in all_classes .*: overflow of `huge` in `all_classes`$
 * E2E-STDERR-COUNT: 25 in vla_rounds .*: overflow of `v` in `vla_rounds`$
 * E2E-STDERR-COUNT: 25 in alloca_fill .*: overflow of `alloca` in `alloca_fill`$
 */
#include "dyboc_leak.c"
