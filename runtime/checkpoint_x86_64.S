/* The transaction checkpoint: the only instruction sequence on the fast path
 * of a protected call besides the push/pop of the transaction record.
 *
 * Unlike sigsetjmp(env, 1) it makes no system call (the signal mask is not
 * saved: the kernel restores the mask of the faulting context when the fault
 * handler returns through sigreturn, see fault_handler.c), and unlike glibc's
 * _setjmp it does not mangle pointers, because the record lives in the frame
 * of the protected function and is only ever read by the runtime.
 *
 *   int __immune_checkpoint(struct __immune_tx *tx)   -- rdi = tx
 *
 * Saves what the pass's calling convention for it (preserve_most) requires a
 * callee to preserve, plus the stack pointer and return address the caller
 * will see, into tx->ctx in the order rbx rbp r12 r13 r14 r15 rsp rip, rdi
 * rsi rdx rcx r8 r9 r10 (see include/immune/abi.h), and returns 0. The
 * second group matters: preserve_most lets the compiler keep live values
 * (the record's own address, typically) in those registers across the call,
 * and after a fault they hold whatever the faulting code left there.
 * The runtime resumes an aborted transaction by loading these into the
 * faulting context with rax = 1, which looks to the caller exactly like a
 * second return from this function; the pass declares it returns_twice. */
    .text
    .globl  __immune_checkpoint
    .type   __immune_checkpoint, @function
    .p2align 4
__immune_checkpoint:
    .cfi_startproc
    endbr64                     /* harmless without CET, required with IBT */
    movq    %rbx,  0(%rdi)
    movq    %rbp,  8(%rdi)
    movq    %r12, 16(%rdi)
    movq    %r13, 24(%rdi)
    movq    %r14, 32(%rdi)
    movq    %r15, 40(%rdi)
    leaq    8(%rsp), %rax       /* the caller's rsp once we have returned */
    movq    %rax, 48(%rdi)
    movq    (%rsp), %rax        /* our return address: the resume point */
    movq    %rax, 56(%rdi)
    movq    %rdi, 64(%rdi)
    movq    %rsi, 72(%rdi)
    movq    %rdx, 80(%rdi)
    movq    %rcx, 88(%rdi)
    movq    %r8,  96(%rdi)
    movq    %r9, 104(%rdi)
    movq    %r10, 112(%rdi)
    /* Fault injection (IMMUNE_OPTIONS=inject=FUNCTION, for campaigns): one
     * byte test while nothing is armed. */
    cmpb    $0, __immune_inject_armed(%rip)
    jne     1f
    xorl    %eax, %eax
    ret
1:  movq    128(%rdi), %rax     /* tx->site (NULL for the runtime's own guards) */
    testq   %rax, %rax
    jz      3f
    testl   $0x80000000, 4(%rax) /* site->flags & IMMUNE_SITE_INJECT */
    jnz     2f
3:
    xorl    %eax, %eax
    ret
    /* Abort this call on entry. The C function pops and reports, then
     * resumes tx through __immune_resume (all of ctx restored, eax = 1):
     * our second return. */
2:  jmp     __immune_inject_abort
    .cfi_endproc
    .size   __immune_checkpoint, .-__immune_checkpoint

/*   void __immune_resume(const struct __immune_tx *tx)   -- noreturn
 *
 * The same second return, from ordinary code rather than a signal handler:
 * used when the runtime itself decides a transaction must abort (a broken
 * guard-slot canary found at release). Loads the saved registers and jumps
 * to the resume point with eax = 1. The signal mask is untouched, as it
 * was never changed. */
    .globl  __immune_resume
    .hidden __immune_resume
    .type   __immune_resume, @function
    .p2align 4
__immune_resume:
    .cfi_startproc
    endbr64
    cld
    movq     0(%rdi), %rbx
    movq     8(%rdi), %rbp
    movq    16(%rdi), %r12
    movq    24(%rdi), %r13
    movq    32(%rdi), %r14
    movq    40(%rdi), %r15
    movq    48(%rdi), %rsp
    movq    72(%rdi), %rsi
    movq    80(%rdi), %rdx
    movq    88(%rdi), %rcx
    movq    96(%rdi), %r8
    movq   104(%rdi), %r9
    movq   112(%rdi), %r10
    movq    56(%rdi), %r11
    movq    64(%rdi), %rdi
    movl    $1, %eax
    jmpq    *%r11
    .cfi_endproc
    .size   __immune_resume, .-__immune_resume

    .section .note.GNU-stack,"",@progbits
