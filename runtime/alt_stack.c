/* A per-thread alternate signal stack, so that a transaction that exhausts
 * its thread's stack (runaway recursion) can still be aborted: the handler
 * needs stack to run on, and the faulting stack has none left.
 *
 * The main thread gets one at initialisation; threads created through
 * pthread_create get one in their start routine (interceptors.c). A thread
 * that already has an alternate stack (the program set one up) keeps it.
 * Stacks are mmap'd with a guard page below, so a handler overflow faults
 * instead of corrupting memory, and unmapped when the thread exits, last of
 * its state (thread.c). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "thread.h"

/* Large enough for the handler (its JSON record buffer is 48 KiB, the
 * unwinder's cursor and context a few KiB), a nested fault during a
 * backtrace, and the kernel's signal frames with AVX-512 state. Reserved
 * with MAP_NORESERVE: only the pages a fault touches are ever committed. */
#define ALT_STACK_MIN (256 * 1024)

static size_t alt_stack_size(void) {
  long min = sysconf(_SC_MINSIGSTKSZ);
  size_t size = ALT_STACK_MIN;
  if (min > 0 && (size_t)min * 4 > size) size = (size_t)min * 4;
  return size;
}

static void release_alt_stack(void *base) {
  stack_t off = {.ss_flags = SS_DISABLE};
  sigaltstack(&off, NULL);
  munmap(base, alt_stack_size() + (size_t)sysconf(_SC_PAGESIZE));
}

void immune_alt_stack_thread_setup(void) {
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = alt_stack_size();
  char *base = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return; /* no alt stack: only stack overflow is lost */
  mprotect(base, page, PROT_NONE);
  stack_t ss = {.ss_sp = base + page, .ss_size = size, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(base, size + page);
    return;
  }
  immune_thread_attach(IMMUNE_PART_ALT_STACK, base, release_alt_stack);
}

void immune_alt_stack_init(void) {
  immune_alt_stack_thread_setup();
}
