/* Declarations shared by the runtime's own files. Nothing here is part of the
 * contract with instrumented code (that is include/immune/abi.h) or of the
 * public API (include/immune/immune.h). */
#ifndef IMMUNE_RT_INTERNAL_H
#define IMMUNE_RT_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "immune/abi.h"

/* Bounds of the runtime's code (rt_section.h), defined by the linker. */
extern const char __start_immune_rt_text[] __attribute__((weak, visibility("hidden")));
extern const char __stop_immune_rt_text[] __attribute__((weak, visibility("hidden")));

/* Runtime symbols that instrumented code or other DSOs must see. */
#define IMMUNE_EXPORT __attribute__((visibility("default")))
/* Thread-local state is read inside the signal handler, where a
 * __tls_get_addr call (general-dynamic model) may allocate: initial-exec TLS
 * is a fixed offset from the thread pointer and is async-signal-safe. */
#define IMMUNE_TLS __thread __attribute__((tls_model("initial-exec")))

extern IMMUNE_TLS struct __immune_thread __immune_thread IMMUNE_EXPORT;
/* Set by __stack_chk_fail (interceptors.c) just before it aborts: the
 * SIGABRT that follows is a smashed canary, which handle_abort=ssp heals. */
extern IMMUNE_TLS int immune_ssp_failing;

/* init.c: idempotent, called from the runtime's constructor and from the
 * first site registration, whichever comes first. */
void immune_rt_init(void);

/* fault_handler.c */
void immune_install_fault_handlers(void);
/* The sigaction interceptor's hook: records the program's disposition for a
 * signal the runtime handles and returns 0, or returns -1 when the call is
 * not the runtime's business (pass it to libc). */
int immune_chain_sigaction(int sig, const struct sigaction *act,
                           struct sigaction *old);
/* guard_pool.c found a broken canary: abort the innermost live transaction
 * (does not return). */
struct __immune_buffer;
__attribute__((noreturn)) void immune_abort_for_canary(const struct __immune_buffer *buffer);
/* The same for a guarded heap block whose canaries free or realloc found
 * broken (rollback_heap.c); hit: the block (size 0 when unknown), address:
 * the pointer the program handed back. */
struct immune_heap_hit;
__attribute__((noreturn)) void immune_abort_for_heap_canary(const struct immune_heap_hit *hit,
                                                            uintptr_t address);
/* watchdog.c: drop tx's (and inner) budgets; async-signal-safe. */
void immune_watchdog_forget(const struct __immune_tx *tx);
/* fault_handler.c: abort tx from ordinary code (a runtime decision, not a
 * signal): pop it and everything inside it, report `cause`, resume its
 * checkpoint. Does not return. */
struct ucontext_t;
__attribute__((noreturn)) void immune_abort_now(struct __immune_tx *tx, struct ucontext_t *uc,
                                                const char *cause);
/* interceptors.c: libc's pthread_create, for the runtime's own threads. */
#include <pthread.h>
int immune_real_pthread_create(pthread_t *t, const pthread_attr_t *attr,
                               void *(*fn)(void *), void *arg);
/* arch/x86_64/resume.S: resume tx's checkpoint from ordinary code. */
__attribute__((noreturn)) void __immune_resume(const struct __immune_tx *tx);
/* arch/x86_64/context.c: rewrites a signal context so that sigreturn lands
 * at tx's resume point (the checkpoint's second return). */
struct ucontext_t;
void immune_resume_at_checkpoint(struct ucontext_t *uc, const struct __immune_tx *tx);

/* tx_stack.c: the per-thread transaction stack (records of live
 * transactions, outside every frame). */
void immune_tx_stack_init(void);
/* Whether tx is a record of this thread's stack (async-signal-safe). */
int immune_tx_valid(const struct __immune_tx *tx);
/* Pops tx and every record above it. */
void immune_tx_pop_to(struct __immune_tx *tx);
/* Whether x is `from` or one of the transactions `from` is nested in, for
 * records of this thread. Records are contiguous and each one's prev is
 * the one just below it (abi.h), so the chain of `from` is every record
 * from the base up to `from`: a comparison, not a walk (a commit asks this
 * at every nesting level; a walk made deep call chains quadratic). */
static inline int immune_tx_in_chain(const struct __immune_tx *x, const struct __immune_tx *from) {
  return x && from && x <= from && x >= __immune_thread.tx_base;
}
/* Injection was armed: no thread pushes inline any more. */
void immune_tx_stack_arm_injection(void);

/* abort.c: report an injected abort of the (unpushed) record rec. */
void immune_inject_abort(struct __immune_tx *rec);
/* Dies of sig exactly as the default action would (no handler runs). */
__attribute__((noreturn)) void immune_die_with_signal(int sig);

/* alt_stack.c: give the calling thread an alternate signal stack so a stack
 * overflow inside a transaction can still run the handler. */
void immune_alt_stack_init(void);
void immune_alt_stack_thread_setup(void);

/* efault_sensor.c: resolve the real read/recv family (start-up). */
void immune_efault_sensor_init(void);

/* interceptors.c: resolve the real libc functions (outside any handler). */
void immune_interceptors_init(void);
/* libc's sigaction, bypassing the runtime's own interceptor. */
int immune_real_sigaction(int sig, const struct sigaction *act,
                          struct sigaction *old);

/* rollback.c: start-up (after the options), and what longjmp and
 * pthread_create tell the rollback log (see there). */
void immune_rollback_init(void);
void immune_rollback_after_jump(void);
void immune_rollback_thread_created(void);

/* libc_guard.c: whether a fault happened while libc's allocator was running
 * (its arena lock held), where healing would deadlock the next malloc. */
void immune_libc_guard_init(void);
struct ucontext_t;
const char *immune_libc_unsafe(const struct ucontext_t *uc);

/* site_registry.c */
void immune_count_abort(struct __immune_site *site);
/* The registry's lock and its first site, for walks outside the fault path
 * (vaccine.c, the stats): a spinlock the fault path never takes. */
void immune_registry_lock(void);
void immune_registry_unlock(void);
struct __immune_site *immune_registry_first(void);
/* The error value an abort of s returns now, as text: a live vaccine's
 * return:V while it is in force, else the one built in. */
static inline const char *immune_site_error_text(const struct __immune_site *s) {
  if (__atomic_load_n(&s->flags, __ATOMIC_ACQUIRE) & IMMUNE_SITE_RETURN_SET) {
    const char *t = __atomic_load_n(&s->ret_text, __ATOMIC_RELAXED);
    if (t) return t;
  }
  return s->error_value;
}
/* Whether a vaccine in force leaves this site dormant (abi.h). */
static inline int immune_site_dormant(const struct __immune_site *s) {
  return (__atomic_load_n(&s->flags, __ATOMIC_ACQUIRE) & IMMUNE_SITE_DORMANT) != 0;
}
/* At exit: one stderr line per protected function that aborted, if any. */
void immune_dump_stats(void);

/* safe_format.c: async-signal-safe text building into a fixed buffer. */
struct immune_buf {
  char *data;
  size_t len, cap;
};
void immune_buf_str(struct immune_buf *b, const char *s);
void immune_buf_hex(struct immune_buf *b, uint64_t v);
void immune_buf_dec(struct immune_buf *b, int64_t v);
void immune_buf_udec(struct immune_buf *b, uint64_t v);
/* write(2) all of buf to fd, retrying on EINTR and short writes. */
void immune_write_all(int fd, const char *data, size_t len);
const char *immune_signal_name(int sig);
const char *immune_si_code_name(int sig, int code);

#endif
