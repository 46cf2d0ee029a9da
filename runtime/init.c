/* Runtime start-up. Everything the fault path needs is prepared here, before
 * any fault: signal handlers, the main thread's alternate stack, the real
 * libc functions behind the interceptors.
 *
 * Runs from a constructor at IMMUNE_CTOR_PRIORITY and, because constructor
 * order across objects of equal priority is link-order dependent, also from
 * the first site registration; whichever comes first does the work. All
 * runtime state is valid zero-initialised, so code that faults before this
 * runs simply gets the default action.
 *
 * A copy that is not the first runtime in the global scope stays passive
 * (another_runtime_first). */
#define _GNU_SOURCE
#include <dlfcn.h>
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

/* The object (executable or shared library) that holds addr. */
static const char *object_of(const void *addr) {
  Dl_info info;
  return addr && dladdr(addr, &info) && info.dli_fbase ? (const char *)info.dli_fbase : NULL;
}

/* A protected shared library carries a dependency on libimmune_rt.so (the
 * wrappers link it so), so a program that links the static runtime and
 * loads such a library has two copies. Every entry point the library uses
 * (`__immune_*`, which the executable exports) binds to the first copy in
 * the global scope, the executable's; the other copy must stay passive:
 * no handlers, no threads. Returns 1 when this copy is not the one. */
static int another_runtime_first(void) {
  void *first = dlsym(RTLD_DEFAULT, IMMUNE_SYM_REGISTER);
  return first && object_of(first) != object_of((const void *)&immune_rt_init);
}

/* This copy is the runtime, but came after libc in the search order (a
 * protected library needs it, the executable was not built with Immune):
 * its interceptors lose to libc's, so what an abort would undo through
 * them is not logged. Faults still heal; say what is off, once. */
static void warn_if_interceptors_lost(void) {
  void *m = dlsym(RTLD_DEFAULT, "malloc");
  if (!m || object_of(m) == object_of((const void *)&immune_rt_init)) return;
  static const char msg[] =
      "immune: the runtime was loaded after libc (a protected library needs it; the executable "
      "was not linked with Immune): faults heal, but heap, lock and descriptor rollback and "
      "the guard of Immune's signal handlers are off; link the executable with immune-cc, "
      "or start it with LD_PRELOAD=libimmune_rt.so\n";
  immune_write_all(2, msg, sizeof msg - 1);
}

void immune_rt_init(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&state, &expected, 1)) return;
  if (another_runtime_first()) {
    atomic_store(&state, 2); /* passive: the other copy does everything */
    return;
  }
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
  if (immune_opts.verbosity >= 1 && immune_opts.mode != IMMUNE_MODE_OFF) warn_if_interceptors_lost();
  if (immune_opts.verbosity >= 1) atexit(immune_dump_stats);
  /* Runs before the summary (atexit is last in, first out). */
  if (immune_opts.mode != IMMUNE_MODE_OFF) atexit(immune_event_log_flush);
  atomic_store(&state, 2);
}

__attribute__((constructor(IMMUNE_CTOR_PRIORITY))) static void immune_ctor(void) {
  immune_rt_init();
}
