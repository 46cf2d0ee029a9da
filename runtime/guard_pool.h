/* The guard-page slot pool behind DYBOC buffer relocation (guard_pool.c). */
#ifndef IMMUNE_RT_GUARD_POOL_H
#define IMMUNE_RT_GUARD_POOL_H

#include <stdint.h>

#include "immune/abi.h"

/* The relocated buffer whose guard page or canary `addr` belongs to, in any
 * thread's pool; NULL if none. Async-signal-safe. */
const struct __immune_buffer *immune_guard_buffer_at(uintptr_t addr);

/* The live transaction of this thread that owns the slot whose guard page
 * addr is in, or NULL. Async-signal-safe. */
struct __immune_tx *immune_guard_owner(uintptr_t addr);

/* The live relocated buffer of this thread that [addr, addr + len) starts
 * in and runs past, or NULL. */
#include <stddef.h>
const struct __immune_buffer *immune_guard_overrun(uintptr_t addr, size_t len);

#endif
