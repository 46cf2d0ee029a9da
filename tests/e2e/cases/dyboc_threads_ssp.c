/* dyboc_threads.c with -fstack-protector-strong: the same 16,000 overflows (two waves)
 * in eight threads at once heal the same way, and no frame's own
 * stack-protector canary is ever hit.
 * E2E-CFLAGS: -g -fstack-protector-strong
 * E2E-STDERR-COUNT: 0 stack smashing detected
 * E2E-RECOVERED: 16000
 * (log_burst=0: every recovery line is counted, none left out as repeats.)
 * E2E-ENV: IMMUNE_OPTIONS=log_burst=0
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in parse_header \(.*dyboc_threads\.c\), returning -1: overflow of `buf` in `parse_header`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered broken canary of a relocated buffer pc 0x[0-9a-f]+ in fill_cell \(.*dyboc_threads\.c\), returning -1: overflow of `cell` in `fill_cell`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in vla_fill \(.*dyboc_threads\.c\), returning -1: overflow of `v` in `vla_fill`$
 * E2E-STDERR-COUNT: 4000 ^immune: recovered SIGSEGV \(SEGV_ACCERR\) at address 0x[0-9a-f]+000 pc 0x[0-9a-f]+ in inner_copy \(.*dyboc_threads\.c\), returning -1: overflow of `tmp` in `inner_copy`$
 */
#include "dyboc_threads.c"
