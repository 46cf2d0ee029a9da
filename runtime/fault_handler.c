/* Turns a synchronous fault inside a live transaction into the abort of the
 * innermost live transaction of the faulting thread, and leaves every other
 * fault exactly as it would be without Immune.
 *
 * Healing does not longjmp out of the handler: it rewrites the interrupted
 * context so that, when the handler returns, sigreturn "returns" from the
 * transaction's __immune_checkpoint a second time with 1. That way the kernel
 * itself restores the signal mask of the interrupted code (the faulting signal
 * is unblocked again) and leaves the alternate signal stack cleanly.
 *
 * Handler discipline (libsigsegv's): errno saved and restored; no malloc,
 * stdio, locks or exceptions; everything used here was set up before the
 * fault. A fault we decline gets the previous disposition: a chained handler
 * is called, or the default action is re-armed so the faulting instruction
 * re-executes and the process dies of the same signal with its core dump.
 *
 * Modes (IMMUNE_OPTIONS=mode=...): protect heals; monitor heals nothing but
 * records every fatal fault (the sensor the heal loop reads); off installs
 * no handler at all. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "backtrace.h"
#include "event_log.h"
#include "guard_pool.h"
#include "internal.h"
#include "options.h"

#if !defined(__x86_64__)
#error "Immune's fault handler supports x86-64 only (see docs/design.md)"
#endif

static const int handled_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NUM_HANDLED (sizeof(handled_signals) / sizeof(handled_signals[0]))

/* What was installed before us (or later by the program), for chaining. */
static struct sigaction previous[NUM_HANDLED];
/* Which signals this runtime installed its handler for (per options). */
static int ours[NUM_HANDLED];
static _Atomic uint64_t total_recoveries;

/* A checkpoint taken by a frame strictly below the faulting stack pointer on
 * the same stack cannot be live: live frames are above the code that faults.
 * Such a record was left by a non-local exit we did not see. 64 MiB bounds
 * "same stack", so a fault on an alternate or coroutine stack does not
 * discard live transactions of the thread's main stack. */
#define SAME_STACK_SPAN (64ull << 20)

static int slot_of(int sig) {
  for (unsigned i = 0; i < NUM_HANDLED; ++i)
    if (handled_signals[i] == sig) return (int)i;
  return -1;
}

IMMUNE_TLS int immune_ssp_failing;

/* Whether a SIGABRT this thread raised inside a transaction may heal. A
 * program that set SIGABRT to SIG_IGN meant raise(SIGABRT) to do nothing (it
 * is declined, and ignored there); handle_abort says which of the others
 * heal: a smashed canary (ssp, the default) or every abort (all). */
static int abort_healable(void) {
  int ssp = immune_ssp_failing;
  immune_ssp_failing = 0;
  int slot = slot_of(SIGABRT);
  if (slot >= 0 && !(previous[slot].sa_flags & SA_SIGINFO) &&
      previous[slot].sa_handler == SIG_IGN)
    return 0;
  return immune_opts.handle_abort == IMMUNE_ABORTS_ALL ||
         (immune_opts.handle_abort == IMMUNE_ABORTS_SSP && ssp);
}

static int enabled(int sig) {
  switch (sig) {
  case SIGSEGV: return immune_opts.handle_segv;
  case SIGBUS: return immune_opts.handle_bus;
  case SIGFPE: return immune_opts.handle_fpe;
  case SIGILL: return immune_opts.handle_ill;
  case SIGABRT: return immune_opts.handle_abort;
  default: return 0;
  }
}

static struct __immune_tx *innermost_live(uint64_t fault_sp) {
  struct __immune_tx *tx = __immune_tx_top;
  while (tx && tx->ctx[6] < fault_sp && fault_sp - tx->ctx[6] < SAME_STACK_SPAN)
    tx = tx->prev;
  return tx;
}

/* Whether the signal is a fault of the code this thread was running: raised
 * by the kernel for the faulting instruction (si_code > 0), or, for SIGABRT,
 * raised by this process itself (abort(), __stack_chk_fail). A signal sent by
 * another process with kill() is a request, never a fault to heal. */
static int is_own_fault(int sig, const siginfo_t *info) {
  if (sig == SIGABRT)
    return (info->si_code == SI_TKILL || info->si_code == SI_USER) &&
           info->si_pid == getpid();
  return info->si_code > 0;
}

/* checkpoint_x86_64.S spells the offsets out. */
_Static_assert(sizeof(((struct __immune_tx *)0)->ctx) == 15 * 8, "abi.h: tx.ctx");
_Static_assert(__builtin_offsetof(struct __immune_tx, site) == 128, "abi.h: tx.site");

void immune_resume_at_checkpoint(ucontext_t *uc, const struct __immune_tx *tx) {
  greg_t *r = uc->uc_mcontext.gregs;
  r[REG_RBX] = (greg_t)tx->ctx[0];
  r[REG_RBP] = (greg_t)tx->ctx[1];
  r[REG_R12] = (greg_t)tx->ctx[2];
  r[REG_R13] = (greg_t)tx->ctx[3];
  r[REG_R14] = (greg_t)tx->ctx[4];
  r[REG_R15] = (greg_t)tx->ctx[5];
  r[REG_RSP] = (greg_t)tx->ctx[6];
  r[REG_RIP] = (greg_t)tx->ctx[7];
  r[REG_RDI] = (greg_t)tx->ctx[8];
  r[REG_RSI] = (greg_t)tx->ctx[9];
  r[REG_RDX] = (greg_t)tx->ctx[10];
  r[REG_RCX] = (greg_t)tx->ctx[11];
  r[REG_R8] = (greg_t)tx->ctx[12];
  r[REG_R9] = (greg_t)tx->ctx[13];
  r[REG_R10] = (greg_t)tx->ctx[14];
  r[REG_RAX] = 1;
  /* The ABI requires DF clear at a call boundary; a fault inside a backward
   * string instruction would otherwise carry DF=1 into the caller. */
  r[REG_EFL] &= ~(greg_t)0x400;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Counts the abort in the site's window; returns 1 when the site has used up
 * its max_recoveries in the window and must not heal any more. Relaxed
 * atomics: concurrent faults at one site may blur the count by a few, never
 * corrupt it. */
static int over_budget(struct __immune_site *s) {
  if (immune_opts.max_recoveries <= 0) return 0;
  uint64_t now = now_ms(), start = __atomic_load_n(&s->window_start_ms, __ATOMIC_RELAXED);
  if (start == 0 || now - start > (uint64_t)immune_opts.recovery_window_ms) {
    __atomic_store_n(&s->window_start_ms, now ? now : 1, __ATOMIC_RELAXED);
    __atomic_store_n(&s->window_count, 0, __ATOMIC_RELAXED);
  }
  uint64_t n = __atomic_add_fetch(&s->window_count, 1, __ATOMIC_RELAXED);
  return n > (uint64_t)immune_opts.max_recoveries;
}

/* Everything an abort does but the jump: pop the record (a fault in the
 * abort path belongs to the next outer transaction, never to this one
 * again), give back the guard slots the aborted call held, count, report. */
static void abort_transaction(struct __immune_tx *tx, struct immune_event *ev) {
  __immune_tx_top = tx->prev;
  immune_watchdog_forget(tx);
  if (tx->site->flags & IMMUNE_SITE_SLOTS) __immune_slot_top = tx->slot_mark;
  atomic_fetch_add_explicit(&total_recoveries, 1, memory_order_relaxed);
  immune_count_abort(tx->site);
  ev->kind = IMMUNE_EV_RECOVERED;
  immune_log_event(ev);
}

/* Give the fault the disposition it would have had without Immune. */
static void decline(int sig, siginfo_t *info, void *ucv) {
  int slot = slot_of(sig);
  struct sigaction saved;
  const struct sigaction *prev = NULL;
  if (slot >= 0) {
    saved = previous[slot];
    prev = &saved;
    /* One-shot handlers revert to the default, as the kernel would do. */
    if (saved.sa_flags & SA_RESETHAND) {
      memset(&previous[slot], 0, sizeof previous[slot]);
      previous[slot].sa_handler = SIG_DFL;
    }
  }
  if (prev && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
    prev->sa_sigaction(sig, info, ucv);
    return;
  }
  if (prev && !(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL &&
      prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  /* A raised signal the program ignores is ignored, as the kernel would. */
  if (prev && !(prev->sa_flags & SA_SIGINFO) && prev->sa_handler == SIG_IGN &&
      info->si_code <= 0)
    return;
  /* Default action (a synchronous fault cannot really be ignored: the kernel
   * forces the default for SIG_IGN too). */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  immune_real_sigaction(sig, &dfl, NULL);
  if (info->si_code <= 0) {
    /* Sent by kill/raise: nothing re-executes, so send it again. It stays
     * pending while this handler runs and kills us on return. */
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
  }
  /* Otherwise returning re-executes the faulting instruction under SIG_DFL. */
}

/* Whether declining leads to the default action, i.e. the process dies. */
static int decline_is_fatal(int sig, const siginfo_t *info) {
  int slot = slot_of(sig);
  if (slot < 0) return 1;
  const struct sigaction *p = &previous[slot];
  if (p->sa_flags & SA_SIGINFO) return p->sa_sigaction == NULL;
  /* SIG_IGN: a raised signal is ignored, a synchronous fault kills. */
  return p->sa_handler == SIG_DFL || (p->sa_handler == SIG_IGN && info->si_code > 0);
}

static void on_fault(int sig, siginfo_t *info, void *ucv) {
  int saved_errno = errno;
  ucontext_t *uc = (ucontext_t *)ucv;
  /* A fault while this thread walks a backtrace: cut the walk short. */
  if ((sig == SIGSEGV || sig == SIGBUS) && immune_backtrace_guard_resume(uc)) {
    errno = saved_errno;
    return;
  }
  struct __immune_tx *tx = NULL;
  struct immune_event ev = {IMMUNE_EV_CRASHED, sig, info, uc, NULL, NULL, NULL, NULL};
  uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  if (is_own_fault(sig, info) && pc >= (uintptr_t)__start_immune_rt_text &&
      pc < (uintptr_t)__stop_immune_rt_text) {
    /* A fault in the runtime itself is a runtime bug: never healed. */
    ev.reason = "fault inside the Immune runtime";
    if (immune_opts.mode != IMMUNE_MODE_OFF && decline_is_fatal(sig, info)) immune_log_event(&ev);
    errno = saved_errno;
    decline(sig, info, ucv);
    return;
  }
  if (is_own_fault(sig, info)) {
    tx = innermost_live((uint64_t)uc->uc_mcontext.gregs[REG_RSP]);
    /* A guard page of a relocated buffer names the overflowing buffer. */
    if (sig == SIGSEGV || sig == SIGBUS)
      ev.buffer = immune_guard_buffer_at((uintptr_t)info->si_addr);
  }
  if (tx && immune_opts.mode == IMMUNE_MODE_PROTECT && enabled(sig) &&
      (sig != SIGABRT || abort_healable())) {
    ev.site = tx->site;
    const char *in_allocator = immune_libc_unsafe(uc);
    if (in_allocator) {
      /* Healing would leave the allocator's lock held (libc_guard.c). */
      ev.kind = IMMUNE_EV_ESCALATED;
      ev.reason = in_allocator[0] == 'f' || in_allocator[0] == 'r'
                      ? "fault inside libc's allocator (free/realloc): its lock would stay held"
                      : "fault inside libc's allocator (malloc family): its lock would stay held";
      immune_log_event(&ev);
    } else if (over_budget(tx->site)) {
      ev.kind = IMMUNE_EV_ESCALATED;
      immune_log_event(&ev);
    } else {
      abort_transaction(tx, &ev);
      immune_resume_at_checkpoint(uc, tx);
      errno = saved_errno;
      return;
    }
  } else if (is_own_fault(sig, info) && decline_is_fatal(sig, info)) {
    /* The sensor: every fault that is about to kill the process leaves a
     * record (in monitor mode with the transaction it would have aborted). */
    if (immune_opts.mode == IMMUNE_MODE_MONITOR && tx) ev.site = tx->site;
    if (immune_opts.mode == IMMUNE_MODE_PROTECT && tx && sig == SIGABRT && enabled(sig)) {
      ev.site = tx->site;
      ev.reason = "abort() is not healed (IMMUNE_OPTIONS=handle_abort=ssp heals a smashed "
                  "stack canary only; handle_abort=all heals abort() too)";
    }
    immune_log_event(&ev);
  }
  errno = saved_errno;
  decline(sig, info, ucv);
}

/* A canary of a relocated buffer was found broken when its slot was
 * released (guard_pool.c): the buffer overflowed into slack the guard page
 * could not cover. That is a fault of the innermost live transaction, which
 * aborts from here — ordinary code, not a handler, so it resumes the
 * checkpoint directly. Outside any transaction the process dies with
 * SIGABRT, as __stack_chk_fail would have made it. */
void immune_abort_for_canary(const struct __immune_buffer *buffer) {
  ucontext_t uc;
  getcontext(&uc);
  struct immune_event ev = {IMMUNE_EV_CRASHED, 0, NULL, &uc, NULL, buffer, "CANARY", NULL};
  struct __immune_tx *tx = innermost_live((uint64_t)(uintptr_t)__builtin_frame_address(0));
  if (tx && immune_opts.mode == IMMUNE_MODE_PROTECT) {
    ev.site = tx->site;
    if (!over_budget(tx->site)) {
      abort_transaction(tx, &ev);
      __immune_resume(tx);
    }
    ev.kind = IMMUNE_EV_ESCALATED;
  } else if (tx && immune_opts.mode == IMMUNE_MODE_MONITOR) {
    ev.site = tx->site;
  }
  if (immune_opts.mode != IMMUNE_MODE_OFF) immune_log_event(&ev);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  immune_real_sigaction(SIGABRT, &dfl, NULL);
  syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGABRT);
  _exit(128 + SIGABRT); /* not reached: SIGABRT is fatal by default */
}

static _Atomic int installed;

void immune_install_fault_handlers(void) {
  if (immune_opts.mode == IMMUNE_MODE_OFF) return;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  /* SA_ONSTACK: run on the per-thread alternate stack so stack exhaustion is
   * healable. No SA_NODEFER: a fault inside this handler is a runtime bug and
   * must kill the process (the kernel forces the default for a blocked
   * synchronous signal), never recurse; the backtrace walker unblocks
   * SIGSEGV/SIGBUS around itself on purpose (backtrace.c). */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (unsigned i = 0; i < NUM_HANDLED; ++i) {
    if (!enabled(handled_signals[i])) continue;
    if (immune_real_sigaction(handled_signals[i], &sa, &old) != 0) continue;
    /* Installing twice must not chain the handler to itself. */
    if (!((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_fault))
      previous[i] = old;
    ours[i] = 1;
  }
  atomic_store(&installed, 1);
}

/* The program asks for a disposition of a signal the runtime handles (it
 * installs a crash reporter, a test framework its fatal-signal handler): the
 * runtime's handler stays in place so transactions keep healing, and the
 * program's disposition becomes the one declined faults are chained to. The
 * program sees the answers it would without Immune. */
int immune_chain_sigaction(int sig, const struct sigaction *act,
                           struct sigaction *old) {
  int slot = slot_of(sig);
  if (slot < 0 || !atomic_load(&installed) || !ours[slot]) return -1;
  struct sigaction prev = previous[slot];
  if (act) previous[slot] = *act;
  if (old) *old = prev;
  return 0;
}

IMMUNE_EXPORT uint64_t immune_recoveries(void) {
  return atomic_load_explicit(&total_recoveries, memory_order_relaxed);
}

/* Fault injection (IMMUNE_OPTIONS=inject=...): the checkpoint of a site
 * marked for injection jumps here instead of returning 0. The call aborts
 * before its body runs: pop the record, count, report, and return 1 — the
 * checkpoint's second return, straight into the abort path. */
__attribute__((visibility("hidden"), noreturn)) void __immune_inject_abort(struct __immune_tx *tx) {
  ucontext_t uc;
  getcontext(&uc);
  struct immune_event ev = {IMMUNE_EV_RECOVERED, 0, NULL, &uc, tx->site, NULL, "INJECTED", NULL};
  abort_transaction(tx, &ev);
  __immune_resume(tx);
}

/* A runtime decision to abort tx (the watchdog's budget ran out), from
 * ordinary code at a safe point: the transactions inside tx are discarded
 * with it, and its checkpoint is resumed directly. */
void immune_abort_now(struct __immune_tx *tx, struct ucontext_t *uc, const char *cause) {
  struct immune_event ev = {IMMUNE_EV_RECOVERED, 0, NULL, (ucontext_t *)uc, tx->site, NULL, cause, NULL};
  if (over_budget(tx->site)) {
    ev.kind = IMMUNE_EV_ESCALATED;
    ev.reason = "too many aborts at this site";
    immune_log_event(&ev);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    immune_real_sigaction(SIGABRT, &dfl, NULL);
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGABRT);
    _exit(128 + SIGABRT);
  }
  abort_transaction(tx, &ev);
  __immune_resume(tx);
}
