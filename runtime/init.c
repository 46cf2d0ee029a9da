/* Runtime start-up. Everything the fault path needs is prepared here, before
 * any fault: signal handlers, the main thread's alternate stack, the real
 * libc functions behind the interceptors.
 *
 * Runs from a constructor at IMMUNE_CTOR_PRIORITY and, because constructor
 * order across objects of equal priority is link-order dependent, also from
 * the first site registration; whichever comes first does the work. All
 * runtime state is valid zero-initialised, so code that faults before this
 * runs simply gets the default action. */
#include <stdatomic.h>

#include "internal.h"

static atomic_int state; /* 0 = not started, 1 = running, 2 = done */

void immune_rt_init(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&state, &expected, 1)) return;
  immune_interceptors_init();
  immune_alt_stack_init();
  immune_install_fault_handlers();
  atomic_store(&state, 2);
}

__attribute__((constructor(IMMUNE_CTOR_PRIORITY))) static void immune_ctor(void) {
  immune_rt_init();
}
