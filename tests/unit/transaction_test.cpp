// Transactions as the runtime sees them: abort on a fault, commit on
// return, nesting, the signal mask after an abort, alternate stacks.
#include <catch2/catch.hpp>

#include "tx_helpers.h"
#include "immune/immune.h"

#include <csetjmp>
#include <thread>

static int read_int(const volatile int *p) { return *p; }

TEST_CASE("a healthy transaction commits and returns its value", "[tx]") {
  __immune_site site = make_site("healthy");
  int x = 42;
  CHECK(in_transaction(&site, [&] { return read_int(&x); }) == 42);
  CHECK(immune_tx_depth() == 0);
  CHECK(site.aborts == 0);
}

TEST_CASE("a fault inside a transaction aborts it with the error value", "[tx]") {
  __immune_site site = make_site("faulty");
  uint64_t before = immune_recoveries();
  CHECK(in_transaction(&site, [] { return read_int(nullptr); }) == -1);
  CHECK(immune_tx_depth() == 0);
  CHECK(site.aborts == 1);
  CHECK(immune_recoveries() == before + 1);
}

TEST_CASE("a divide by zero aborts the transaction", "[tx]") {
  __immune_site site = make_site("divide");
  volatile int zero = 0;
  CHECK(in_transaction(&site, [&] { return 10 / zero; }) == -1);
  CHECK(site.aborts == 1);
}

TEST_CASE("only the innermost live transaction aborts", "[tx]") {
  __immune_site outer = make_site("outer"), inner = make_site("inner");
  int seen_depth = -1;
  int r = in_transaction(&outer, [&] {
    int v = in_transaction(&inner, [] { return read_int(nullptr); });
    seen_depth = (int)immune_tx_depth();
    return v == -1 ? 7 : 0;
  });
  CHECK(r == 7);
  CHECK(seen_depth == 1);
  CHECK(inner.aborts == 1);
  CHECK(outer.aborts == 0);
  CHECK(immune_tx_depth() == 0);
}

TEST_CASE("the faulting signal is unblocked again after an abort", "[tx]") {
  __immune_site site = make_site("mask");
  for (int i = 0; i < 3; ++i)
    REQUIRE(in_transaction(&site, [] { return read_int(nullptr); }) == -1);
  sigset_t cur;
  sigprocmask(SIG_SETMASK, nullptr, &cur);
  CHECK_FALSE(sigismember(&cur, SIGSEGV));
  CHECK(site.aborts == 3);
}

TEST_CASE("errno is preserved across a recovery", "[tx]") {
  __immune_site site = make_site("errno");
  errno = 0;
  int r = in_transaction(&site, [] {
    errno = ENOENT;
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(errno == ENOENT);
}

TEST_CASE("threads get an alternate signal stack", "[tx]") {
  bool enabled = false;
  std::thread t([&] {
    stack_t ss;
    enabled = sigaltstack(nullptr, &ss) == 0 && !(ss.ss_flags & SS_DISABLE) &&
              ss.ss_size >= 256 * 1024;
  });
  t.join();
  CHECK(enabled);
}

#pragma clang diagnostic ignored "-Winfinite-recursion"
static __attribute__((noinline)) int recurse_forever(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return recurse_forever(n + 1) + pad[0];
}

TEST_CASE("stack exhaustion inside a transaction heals", "[tx]") {
  __immune_site site = make_site("recurse");
  CHECK(in_transaction(&site, [] { return recurse_forever(0); }) == -1);
  CHECK(site.aborts == 1);
  std::thread t([&] {
    CHECK(in_transaction(&site, [] { return recurse_forever(0); }) == -1);
  });
  t.join();
  CHECK(site.aborts == 2);
}

static jmp_buf jb;
TEST_CASE("longjmp out of a transaction drops it", "[tx][longjmp]") {
  __immune_site site = make_site("jumper");
  if (setjmp(jb) == 0) {
    in_transaction(&site, []() -> int { longjmp(jb, 1); });
  }
  CHECK(immune_tx_depth() == 0);
}
