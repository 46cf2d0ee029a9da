/* The backtrace of a fault, taken inside the signal handler from the
 * interrupted context with LLVM's libunwind (libunwind-19-dev), linked into
 * the runtime and kept private to it.
 *
 * The cursor starts from the handler's own context and is then pointed at
 * the interrupted registers with unw_set_reg, so the first frame is the
 * faulting instruction. A call through a NULL (or wild) pointer leaves the
 * pc outside any code; the caller's frame is then recovered from the return
 * address the call pushed.
 *
 * Unwinding a smashed stack may itself fault. The walk runs inside a guard
 * buffer taken with __builtin_setjmp (the record layout); while it is armed, a
 * nested SIGSEGV/SIGBUS in this thread resumes the walk's checkpoint, and
 * the backtrace is cut at the frames gathered so far. libunwind does not
 * allocate on this path (FDEs are found through .eh_frame_hdr) and only
 * takes a read lock its writers hold while registering dynamic frames. */
#define _GNU_SOURCE
#include <libunwind.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "backtrace.h"
#include "internal.h"

static IMMUNE_TLS struct __immune_tx *walk_guard;

int immune_backtrace_guard_resume(ucontext_t *uc) {
  struct __immune_tx *g = walk_guard;
  if (!g) return 0;
  walk_guard = NULL;
  immune_resume_at_checkpoint(uc, g);
  return 1;
}

static int set_regs(unw_cursor_t *c, const ucontext_t *uc, uint64_t pc, uint64_t sp) {
  const greg_t *r = uc->uc_mcontext.gregs;
  static const struct { int unw, greg; } map[] = {
      {UNW_X86_64_RAX, REG_RAX}, {UNW_X86_64_RDX, REG_RDX}, {UNW_X86_64_RCX, REG_RCX},
      {UNW_X86_64_RBX, REG_RBX}, {UNW_X86_64_RSI, REG_RSI}, {UNW_X86_64_RDI, REG_RDI},
      {UNW_X86_64_RBP, REG_RBP}, {UNW_X86_64_R8, REG_R8},   {UNW_X86_64_R9, REG_R9},
      {UNW_X86_64_R10, REG_R10}, {UNW_X86_64_R11, REG_R11}, {UNW_X86_64_R12, REG_R12},
      {UNW_X86_64_R13, REG_R13}, {UNW_X86_64_R14, REG_R14}, {UNW_X86_64_R15, REG_R15},
  };
  for (unsigned i = 0; i < sizeof map / sizeof map[0]; ++i)
    if (unw_set_reg(c, map[i].unw, (unw_word_t)r[map[i].greg]) != UNW_ESUCCESS) return -1;
  if (unw_set_reg(c, UNW_X86_64_RSP, sp) != UNW_ESUCCESS) return -1;
  /* Setting the ip last makes libunwind look up the frame's unwind info. */
  return unw_set_reg(c, UNW_REG_IP, pc) == UNW_ESUCCESS ? 0 : -1;
}

static size_t walk(const ucontext_t *uc, uint64_t *pcs, size_t max) {
  unw_context_t ctx;
  unw_cursor_t cur;
  size_t n = 0;
  uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  uint64_t sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
  if (max == 0) return 0;
  pcs[n++] = pc;
  if (unw_getcontext(&ctx) != UNW_ESUCCESS || unw_init_local(&cur, &ctx) != UNW_ESUCCESS)
    return n;
  unw_proc_info_t info;
  /* libunwind reads every pc as a return address and applies the unwind
   * rows strictly below it; the faulting instruction itself is what the
   * rows at pc describe, so it is given pc + 1 (still inside the faulting
   * instruction, hence inside its function). */
  if (set_regs(&cur, uc, pc + 1, sp) != 0 || unw_get_proc_info(&cur, &info) != UNW_ESUCCESS) {
    /* No code at pc (call through a bad pointer): the call pushed the
     * return address at sp; continue from the caller. A fresh cursor: one
     * that failed to find unwind info stays at "end of stack" for good. */
    uint64_t ret = *(const uint64_t *)(uintptr_t)sp;
    if (n < max) pcs[n++] = ret;
    if (unw_init_local(&cur, &ctx) != UNW_ESUCCESS || set_regs(&cur, uc, ret, sp + 8) != 0)
      return n;
  }
  while (n < max && unw_step(&cur) > 0) {
    unw_word_t ip = 0;
    if (unw_get_reg(&cur, UNW_REG_IP, &ip) != UNW_ESUCCESS || ip == 0) break;
    pcs[n++] = (uint64_t)ip;
  }
  return n;
}

size_t immune_backtrace(const ucontext_t *uc, uint64_t *pcs, size_t max) {
  /* Not a transaction of the program, never on the transaction stack: a
   * setjmp buffer in the record's layout (abi.h), resumed like one. */
  struct __immune_tx guard = {.site = NULL};
  volatile size_t n = 0;
  sigset_t faults, old;
  sigemptyset(&faults);
  sigaddset(&faults, SIGSEGV);
  sigaddset(&faults, SIGBUS);
  memset(pcs, 0, max * sizeof *pcs);
  if (__builtin_setjmp((void **)&guard) == 0) {
    walk_guard = &guard;
    pthread_sigmask(SIG_UNBLOCK, &faults, &old);
    n = walk(uc, pcs, max);
    walk_guard = NULL;
  } else {
    /* A nested fault cut the walk short: keep what was written. */
    n = 0;
    while (n < max && pcs[n]) ++n;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return n;
}
