/* Turns a synchronous fault inside a live transaction into the abort of the
 * innermost live transaction of the faulting thread, and leaves every other
 * fault exactly as it would be without Immune.
 *
 * Which transaction, and whether it may heal, is the abort engine's
 * decision (abort.c); this file is the handler, its installation and the
 * chaining to the program's own handlers.
 *
 * Healing does not longjmp out of the handler: it rewrites the interrupted
 * context so that, when the handler returns, sigreturn lands at the
 * transaction's resume point (its inline checkpoint's second return). That
 * way the kernel itself restores the signal mask of the interrupted code
 * (the faulting signal is unblocked again) and leaves the alternate signal
 * stack cleanly.
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

#include "abort.h"
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
  struct immune_heap_hit heap;
  struct immune_event ev = {IMMUNE_EV_CRASHED, sig, info, uc, NULL, NULL, NULL, NULL, 0, NULL};
  uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  /* The stack running out while the runtime's entry points run on the
   * program's stack at a protected call (__immune_slot_alloc, the entry's
   * slow path, a logged store) is the program's recursion, not a runtime
   * bug, and is chosen for like any other stack exhaustion below. The
   * fault is at a push or a frame's first store, normally at the entry
   * point's prologue; what such an entry point updates is per-thread state
   * the abort puts back from the aborted record's marks (slot_top, the undo
   * log, the transaction stack). An interceptor that runs out of stack in
   * the middle of updating the rollback log is the case this assumes away
   * (docs/reliability.md). */
  uint64_t fault_sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
  int stack_fault = is_own_fault(sig, info) &&
                    immune_is_stack_exhaustion(sig, (uintptr_t)info->si_addr, fault_sp);
  if (is_own_fault(sig, info) && !stack_fault && pc >= (uintptr_t)__start_immune_rt_text &&
      pc < (uintptr_t)__stop_immune_rt_text) {
    /* A fault in the runtime itself is a runtime bug: never healed. */
    ev.reason = "fault inside the Immune runtime";
    if (immune_opts.mode != IMMUNE_MODE_OFF && decline_is_fatal(sig, info)) immune_log_event(&ev);
    errno = saved_errno;
    decline(sig, info, ucv);
    return;
  }
  const char *why = NULL;
  if (is_own_fault(sig, info)) {
    uintptr_t addr = (uintptr_t)info->si_addr;
    int mem = sig == SIGSEGV || sig == SIGBUS;
    tx = immune_choose_transaction(fault_sp, stack_fault ? addr : 0, mem ? addr : 0, &why);
    ev.reason = why;
    /* A guard page of a relocated buffer names the overflowing buffer. */
    if (sig == SIGSEGV || sig == SIGBUS) {
      ev.buffer = immune_guard_buffer_at(addr);
      /* The guard page after a guarded heap block: names the block. */
      if (immune_gh_block_at(addr, &heap)) ev.heap = &heap;
    }
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
    } else if (immune_over_budget(tx->site)) {
      ev.kind = IMMUNE_EV_ESCALATED;
      immune_log_event(&ev);
    } else {
      /* A replayed input: the abort climbs to the enclosing transaction,
       * which is checked like the first (abort.c). */
      while (tx && immune_replayed(tx, pc)) {
        ev.kind = IMMUNE_EV_ESCALATED;
        ev.reason = immune_enclosing_resumable(tx)
                        ? "aborted again and again on one input (replay_aborts): its "
                          "caller's transaction aborts instead"
                        : "aborted again and again on one input (replay_aborts), and no "
                          "transaction encloses it";
        immune_log_event(&ev);
        tx = immune_enclosing_resumable(tx);
        ev.site = tx ? tx->site : ev.site;
        ev.kind = IMMUNE_EV_CRASHED;
        ev.reason = NULL;
      }
      if (tx) {
        immune_abort_transaction(tx, &ev);
        immune_resume_at_checkpoint(uc, tx);
        errno = saved_errno;
        return;
      }
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
