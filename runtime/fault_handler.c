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
 * re-executes and the process dies of the same signal with its core dump. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"

#if !defined(__x86_64__)
#error "Immune's fault handler supports x86-64 only (see docs/design.md)"
#endif

static const int handled_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NUM_HANDLED (sizeof(handled_signals) / sizeof(handled_signals[0]))

/* What was installed before us, for chaining. Written once at install time. */
static struct sigaction previous[NUM_HANDLED];
static _Atomic uint64_t total_recoveries;

/* A checkpoint taken by a frame strictly below the faulting stack pointer on the
 * same stack cannot be live: live frames are above the code that faults. Such
 * a record was left by a non-local exit we did not see. 64 MiB bounds "same
 * stack", so a fault on an alternate or coroutine stack does not discard live
 * transactions of the thread's main stack. */
#define SAME_STACK_SPAN (64ull << 20)

static int slot_of(int sig) {
  for (unsigned i = 0; i < NUM_HANDLED; ++i)
    if (handled_signals[i] == sig) return (int)i;
  return -1;
}

static struct __immune_tx *innermost_live(uint64_t fault_sp) {
  struct __immune_tx *tx = __immune_tx_top;
  while (tx && tx->ctx[6] < fault_sp && fault_sp - tx->ctx[6] < SAME_STACK_SPAN)
    tx = tx->prev;
  return tx;
}

static void report_recovery(int sig, const siginfo_t *info, const ucontext_t *uc,
                            const struct __immune_tx *tx) {
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  const struct __immune_site *s = tx->site;
  immune_buf_str(&b, "immune: recovered ");
  immune_buf_str(&b, immune_signal_name(sig));
  immune_buf_str(&b, " (");
  immune_buf_str(&b, immune_si_code_name(sig, info->si_code));
  immune_buf_str(&b, ") at address ");
  immune_buf_hex(&b, (uint64_t)(uintptr_t)info->si_addr);
  immune_buf_str(&b, " pc ");
  immune_buf_hex(&b, (uint64_t)uc->uc_mcontext.gregs[REG_RIP]);
  immune_buf_str(&b, " in ");
  immune_buf_str(&b, s->function);
  if (s->file && s->file[0]) {
    immune_buf_str(&b, " (");
    immune_buf_str(&b, s->file);
    immune_buf_str(&b, ")");
  }
  immune_buf_str(&b, ", returning ");
  immune_buf_str(&b, s->error_value);
  immune_buf_str(&b, "\n");
  immune_write_all(2, b.data, b.len);
}

/* Make sigreturn resume at the checkpoint's second return, with rax = 1. */
static void resume_at_checkpoint(ucontext_t *uc, const struct __immune_tx *tx) {
  greg_t *r = uc->uc_mcontext.gregs;
  r[REG_RBX] = (greg_t)tx->ctx[0];
  r[REG_RBP] = (greg_t)tx->ctx[1];
  r[REG_R12] = (greg_t)tx->ctx[2];
  r[REG_R13] = (greg_t)tx->ctx[3];
  r[REG_R14] = (greg_t)tx->ctx[4];
  r[REG_R15] = (greg_t)tx->ctx[5];
  r[REG_RSP] = (greg_t)tx->ctx[6];
  r[REG_RIP] = (greg_t)tx->ctx[7];
  r[REG_RAX] = 1;
  /* The ABI requires DF clear at a call boundary; a fault inside a backward
   * string instruction would otherwise carry DF=1 into the caller. */
  r[REG_EFL] &= ~(greg_t)0x400;
}

static void raw_sigaction(int sig, const struct sigaction *sa) {
  immune_real_sigaction(sig, sa, NULL); /* async-signal-safe per POSIX */
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
  /* Default action (a synchronous fault cannot really be ignored: the kernel
   * forces the default for SIG_IGN too). */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  raw_sigaction(sig, &dfl);
  if (info->si_code <= 0) {
    /* Sent by kill/raise: nothing re-executes, so send it again. It stays
     * pending while this handler runs and kills us on return. */
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
  }
  /* Otherwise returning re-executes the faulting instruction under SIG_DFL. */
}

static void on_fault(int sig, siginfo_t *info, void *ucv) {
  int saved_errno = errno;
  ucontext_t *uc = (ucontext_t *)ucv;
  /* Only faults raised by the kernel for the instruction that caused them
   * (si_code > 0) belong to the transaction; a SIGSEGV sent with kill() is a
   * request to die, not a fault to heal. */
  if (info->si_code > 0) {
    struct __immune_tx *tx =
        innermost_live((uint64_t)uc->uc_mcontext.gregs[REG_RSP]);
    if (tx) {
      /* Pop before anything else: a fault in the abort path belongs to the
       * next outer transaction, never to this one again. */
      __immune_tx_top = tx->prev;
      atomic_fetch_add_explicit(&total_recoveries, 1, memory_order_relaxed);
      immune_count_abort(tx->site);
      report_recovery(sig, info, uc, tx);
      resume_at_checkpoint(uc, tx);
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  decline(sig, info, ucv);
}

static _Atomic int installed;

void immune_install_fault_handlers(void) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  /* SA_ONSTACK: run on the per-thread alternate stack so stack exhaustion is
   * healable. No SA_NODEFER: a fault inside this handler is a runtime bug and
   * must kill the process (the kernel forces the default for a blocked
   * synchronous signal), never recurse. */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (unsigned i = 0; i < NUM_HANDLED; ++i) {
    if (immune_real_sigaction(handled_signals[i], &sa, &old) != 0) continue;
    /* Installing twice must not chain the handler to itself. */
    if (!((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_fault))
      previous[i] = old;
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
  if (slot < 0 || !atomic_load(&installed)) return -1;
  struct sigaction prev = previous[slot];
  if (act) previous[slot] = *act;
  if (old) *old = prev;
  return 0;
}

IMMUNE_EXPORT uint64_t immune_recoveries(void) {
  return atomic_load_explicit(&total_recoveries, memory_order_relaxed);
}
