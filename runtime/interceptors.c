/* The few libc entry points the runtime must see:
 *
 * - pthread_create: every new thread gets an alternate signal stack before it
 *   runs user code (alt_stack.c).
 * - sigaction and signal: a program (or a test framework, or a crash
 *   reporter) that installs its own SIGSEGV handler after start-up would
 *   silently switch healing off; instead its handler is recorded as the one
 *   declined faults are chained to (fault_handler.c).
 * - __stack_chk_fail: marks the SIGABRT it raises as a smashed stack canary
 *   (handle_abort=ssp heals those, and not a deliberate abort()).
 * - longjmp and friends: a non-local exit out of a protected function skips
 *   its pop, so the record would stay on the thread's transaction stack and a
 *   later fault outside every live transaction could "resurrect" it. Before
 *   jumping we drop every record whose frame lies below the jump target.
 *
 * Interposition is by symbol: the runtime is linked into the executable (or
 * loaded before libc), so these definitions win and forward to libc's through
 * dlsym(RTLD_NEXT). The real pointers are resolved at initialisation, never in
 * a signal handler (longjmp is commonly called from one). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
                                 void *(*)(void *), void *);
typedef void (*longjmp_fn)(struct __jmp_buf_tag *, int);
typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

static pthread_create_fn real_pthread_create;
static sigaction_fn real_sigaction;
static longjmp_fn real_longjmp, real__longjmp, real_siglongjmp, real_longjmp_chk;

/* glibc exports its implementation under this name too; it is what we fall
 * back on if dlsym cannot be used (static linking). */
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

void immune_interceptors_init(void) {
  if (!real_sigaction)
    real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  if (!real_sigaction) real_sigaction = __sigaction;
  if (!real_pthread_create)
    real_pthread_create = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
  if (!real_longjmp) real_longjmp = (longjmp_fn)dlsym(RTLD_NEXT, "longjmp");
  if (!real__longjmp) real__longjmp = (longjmp_fn)dlsym(RTLD_NEXT, "_longjmp");
  if (!real_siglongjmp)
    real_siglongjmp = (longjmp_fn)dlsym(RTLD_NEXT, "siglongjmp");
  if (!real_longjmp_chk)
    real_longjmp_chk = (longjmp_fn)dlsym(RTLD_NEXT, "__longjmp_chk");
}

/* ---- signal dispositions ----------------------------------------------- */

int immune_real_sigaction(int sig, const struct sigaction *act,
                          struct sigaction *old) {
  if (!real_sigaction) immune_interceptors_init();
  return real_sigaction(sig, act, old);
}

IMMUNE_EXPORT int sigaction(int sig, const struct sigaction *act,
                            struct sigaction *old) {
  if (immune_chain_sigaction(sig, act, old) == 0) return 0;
  return immune_real_sigaction(sig, act, old);
}

/* glibc's signal(): BSD semantics (SA_RESTART, handler stays installed). */
IMMUNE_EXPORT sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = handler;
  act.sa_flags = SA_RESTART;
  sigemptyset(&act.sa_mask);
  sigaddset(&act.sa_mask, sig);
  if (sigaction(sig, &act, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}

/* ---- threads ------------------------------------------------------------ */

struct start_args {
  void *(*fn)(void *);
  void *arg;
};

static void *thread_start(void *p) {
  struct start_args a = *(struct start_args *)p;
  free(p);
  immune_alt_stack_thread_setup();
  return a.fn(a.arg);
}

int immune_real_pthread_create(pthread_t *t, const pthread_attr_t *attr,
                               void *(*fn)(void *), void *arg) {
  if (!real_pthread_create) immune_interceptors_init();
  return real_pthread_create(t, attr, fn, arg);
}

IMMUNE_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr,
                                 void *(*fn)(void *), void *arg) {
  if (!real_pthread_create) immune_rt_init();
  immune_rollback_thread_created();
  struct start_args *a = malloc(sizeof *a);
  if (!a) return real_pthread_create(t, attr, fn, arg);
  a->fn = fn;
  a->arg = arg;
  int rc = real_pthread_create(t, attr, thread_start, a);
  if (rc != 0) free(a);
  return rc;
}

/* ---- non-local exits ----------------------------------------------------- */

/* glibc x86-64 keeps rsp mangled in jmp_buf slot 6: rol 0x11 after xor with
 * the pointer guard at %fs:0x30 (tcbhead_t.pointer_guard). */
#define JB_RSP 6
static uint64_t jmpbuf_sp(struct __jmp_buf_tag *env) {
  uint64_t guard, v = (uint64_t)env->__jmpbuf[JB_RSP];
  __asm__("movq %%fs:0x30, %0" : "=r"(guard));
  v = (v >> 0x11) | (v << (64 - 0x11));
  return v ^ guard;
}

static void drop_transactions_below(struct __jmp_buf_tag *env) {
  uint64_t target_sp = jmpbuf_sp(env);
  /* A record whose checkpoint sp is below the target belongs to a frame the
   * jump discards; one at the target sp is the frame that called setjmp,
   * which stays live. */
  struct __immune_tx *tx = __immune_thread.tx_top, *drop = NULL;
  while (tx && tx->sp < target_sp) {
    drop = tx;
    tx = tx->prev;
  }
  if (drop) immune_tx_pop_to(drop);
  immune_rollback_after_jump();
}

static longjmp_fn resolve(longjmp_fn *slot, const char *name) {
  if (!*slot) *slot = (longjmp_fn)dlsym(RTLD_NEXT, name);
  return *slot;
}

#define IMMUNE_LONGJMP_INTERCEPTOR(name, slot)                                 \
  IMMUNE_EXPORT __attribute__((noreturn)) void name(struct __jmp_buf_tag *env, \
                                                    int val) {                 \
    drop_transactions_below(env);                                              \
    resolve(&slot, #name)(env, val);                                           \
    __builtin_unreachable();                                                   \
  }

IMMUNE_LONGJMP_INTERCEPTOR(longjmp, real_longjmp)
IMMUNE_LONGJMP_INTERCEPTOR(_longjmp, real__longjmp)
IMMUNE_LONGJMP_INTERCEPTOR(siglongjmp, real_siglongjmp)
IMMUNE_LONGJMP_INTERCEPTOR(__longjmp_chk, real_longjmp_chk)

/* -fstack-protector's failure path. glibc's prints a message and aborts; so
 * does this one (the same message), after marking the abort as a smashed
 * canary so that a live transaction on this thread heals it
 * (fault_handler.c). */
IMMUNE_EXPORT __attribute__((noreturn)) void __stack_chk_fail(void) {
  static const char msg[] = "*** stack smashing detected ***: terminated\n";
  immune_write_all(2, msg, sizeof msg - 1);
  immune_ssp_failing = 1;
  abort();
}
