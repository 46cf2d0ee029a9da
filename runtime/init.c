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
#include <stdlib.h>
#include <sys/auxv.h>

#include "event_log.h"
#include "internal.h"
#include "options.h"
#include "symbols.h"
#include "thread.h"
#include "vaccine.h"

static atomic_int state; /* 0 = not started, 1 = running, 2 = done */

void immune_rt_init(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&state, &expected, 1)) return;
  /* AT_SECURE: setuid/setgid; options that write files are dropped. */
  immune_options_parse(getenv("IMMUNE_OPTIONS"), getauxval(AT_SECURE) != 0);
  if (immune_opts.help) immune_options_print_help(2);
  if (immune_opts.verbosity >= 2) immune_options_print(2);
  immune_thread_init(); /* before any part of a thread attaches */
  immune_interceptors_init();
  immune_efault_sensor_init();
  /* Transactions run in every mode (off only installs no handler). */
  immune_tx_stack_init();
  if (immune_opts.mode != IMMUNE_MODE_OFF) {
    immune_build_id_init();
    immune_symbols_init();
    immune_libc_guard_init();
    immune_event_log_init();
    immune_alt_stack_init();
    immune_install_fault_handlers();
    immune_rollback_init();
  }
  /* Before any site registers: each is armed or dormant as it does. */
  if (immune_opts.mode != IMMUNE_MODE_OFF) immune_vaccine_init();
  if (immune_opts.verbosity >= 1) atexit(immune_dump_stats);
  atomic_store(&state, 2);
}

__attribute__((constructor(IMMUNE_CTOR_PRIORITY))) static void immune_ctor(void) {
  immune_rt_init();
}
