// An exception that leaves a protected function commits its transaction
// (thrown by the function itself, or by an unprotected callee and passing
// through). A later fault outside every transaction, even one on the stack
// below where those frames were, must kill the process as without Immune.
// E2E-RECOVERED: 0
// E2E-STDOUT: ok   immune_tx_depth(): got 0, want 0
// E2E-STDOUT: MARK faulting outside any transaction
#include <stdexcept>

#include "e2e.h"

IMMUNE_PROTECT int throws_itself(int x) {
  if (E2E_HIDE(x)) throw std::runtime_error("from the protected function");
  return 0;
}

__attribute__((noinline)) static void unprotected_thrower(int x) {
  if (E2E_HIDE(x)) throw 42;
}

IMMUNE_PROTECT int passes_through(int x) {
  unprotected_thrower(x);
  return 1;
}

int main() {
  e2e_setup_stdio();
  int caught = 0;
  try {
    throws_itself(1);
  } catch (const std::runtime_error &) {
    ++caught;
  }
  CHECK_DEPTH0();
  try {
    passes_through(1);
  } catch (int) {
    ++caught;
  }
  CHECK_DEPTH0();
  CHECK_INT(caught, 2);
  return e2e_crash_deep();
}
