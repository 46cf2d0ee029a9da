/* Resuming a transaction's checkpoint from ordinary code (x86-64).
 *
 * The checkpoint itself is inline in every protected function (the pass
 * emits llvm.eh.sjlj.setjmp on the record, abi.h): it stores the frame
 * pointer, the stack pointer and the resume address, and the compiler treats
 * every register as clobbered at the resume point, reloading what it needs
 * from the frame. So a resume sets rbp, rsp and rip and nothing else; the
 * code at the resume point produces the "second return" (1) itself.
 *
 *   void __immune_resume(const struct __immune_tx *tx)   -- noreturn
 *
 * Used when the runtime itself decides a transaction must abort (a broken
 * guard-slot canary found at release, the watchdog, injection of a full
 * transaction stack). The signal mask is untouched, as it was never changed.
 * The fault handler does the same through the signal context instead
 * (context.c), so the kernel restores the mask on sigreturn. */
    .text
    .globl  __immune_resume
    .hidden __immune_resume
    .type   __immune_resume, @function
    .p2align 4
__immune_resume:
    .cfi_startproc
    endbr64
    cld                         /* the ABI wants DF clear at the resume point */
    movq     8(%rdi), %rax      /* tx->ip */
    movq     0(%rdi), %rbp      /* tx->fp */
    movq    16(%rdi), %rsp      /* tx->sp */
    jmpq    *%rax
    .cfi_endproc
    .size   __immune_resume, .-__immune_resume

    .section .note.GNU-stack,"",@progbits
