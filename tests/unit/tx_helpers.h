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
  return __immune_site{IMMUNE_ABI_VERSION, 0, name, name, "unit.cpp", "-1", 0, 0, 0, nullptr, 0};
}

// Runs Body inside a transaction of Site; returns Body's value, or -1 when
// the transaction aborted.
template <typename F>
__attribute__((noinline)) int in_transaction(__immune_site *site, F body) {
  __immune_tx tx;
  __immune_tx *top = __immune_tx_top;
  tx.prev = top;
  tx.site = site;
  __immune_tx_top = &tx;
  if (__immune_checkpoint(&tx) != 0) {
    // The abort path: undo what the aborted call did (rollback.c).
    __immune_tx_rollback(&tx);
    return -1;
  }
  int v = body();
  // As the pass does (abi.h): only when this transaction owns entries.
  if (__immune_rollback_pending == (uint64_t)(uintptr_t)&tx) __immune_tx_commit(&tx);
  __immune_tx_top = top;
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
