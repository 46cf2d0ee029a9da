/* The architecture's half of an abort from the fault handler: rewrite the
 * interrupted context so that sigreturn lands at the transaction's resume
 * point (see resume.S for why rbp, rsp and rip are all a resume restores). */
#define _GNU_SOURCE
#include <ucontext.h>

#include "internal.h"

void immune_resume_at_checkpoint(ucontext_t *uc, const struct __immune_tx *tx) {
  greg_t *r = uc->uc_mcontext.gregs;
  r[REG_RBP] = (greg_t)tx->fp;
  r[REG_RSP] = (greg_t)tx->sp;
  r[REG_RIP] = (greg_t)tx->ip;
  /* The ABI requires DF clear at a call boundary; a fault inside a backward
   * string instruction would otherwise carry DF=1 into the caller. */
  r[REG_EFL] &= ~(greg_t)0x400;
}
