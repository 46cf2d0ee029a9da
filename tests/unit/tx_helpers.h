// Hand-written transactions for the runtime's unit tests: exactly the
// sequence the pass emits (push, checkpoint, body, pop; abort path returns
// the error value), so the runtime can be tested without the plugin.
#ifndef IMMUNE_TEST_TX_HELPERS_H
#define IMMUNE_TEST_TX_HELPERS_H

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include "internal.h"
#include "rollback.h"
}

inline __immune_site make_site(const char *name) {
  return __immune_site{IMMUNE_ABI_VERSION, 0, name, name, "unit.cpp", "-1", 0, 0, 0, nullptr, 0, IMMUNE_RET_INT, 32, 0, nullptr};
}

__attribute__((always_inline)) inline uint64_t current_sp() {
  uint64_t sp;
  __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
  return sp;
}

// The pass's entry (pass/Transaction.cpp, abi.h), written in C++: the next
// record pushed for site and filled with the calling frame's frame pointer,
// stack pointer and return address (always_inline: the caller's frame).
// NULL when the entry's slow path says the call aborts on entry.
__attribute__((always_inline)) inline __immune_tx *push_record(__immune_site *site) {
  struct __immune_thread &T = __immune_thread;
  __immune_tx *rec = IMMUNE_TX_NEXT(&T);
  if (rec >= T.tx_limit && !(rec = __immune_tx_enter_slow(site))) return nullptr;
  __immune_tx *top = T.tx_top;
  T.tx_top = rec;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  rec->prev = top;
  rec->site = site;
  rec->undo_mark = T.undo_cur;
  rec->fp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
  rec->sp = current_sp();
  rec->ret = *(uint64_t *)((char *)__builtin_frame_address(0) + 8);
  rec->tag = 0;
  return rec;
}

// Runs Body inside a transaction of Site; returns Body's value, or -1 when
// the transaction aborted. The push (push_record), the inline checkpoint
// and the pop are the pass's.
template <typename F>
__attribute__((noinline)) int in_transaction(__immune_site *site, F body) {
  struct __immune_thread &T = __immune_thread;
  __immune_tx *rec = push_record(site);
  if (!rec) {
    __immune_tx_rollback();
    return -1;
  }
  if (__builtin_setjmp((void **)rec) != 0) {
    // The abort path: undo what the aborted call did (rollback.c).
    __immune_tx_rollback();
    return -1;
  }
  int v = body();
  __immune_tx *self = T.tx_top;
  // As the pass does (abi.h): only when this transaction owns entries.
  if (T.rollback_pending == (uint64_t)(uintptr_t)self) __immune_tx_commit(self);
  T.tx_top = self->prev;
  return v;
}

// Runs Child in a forked process and returns its wait status.
template <typename F> int in_child(F child) {
  pid_t pid = fork();
  if (pid == 0) {
    // Catch2's fatal-signal reporter was chained in the parent; a child that
    // is meant to die should die the plain way, without Catch's report.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, SIG_DFL);
    child();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

inline bool died_of(int status, int sig) {
  return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

#endif
