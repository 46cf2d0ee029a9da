// Faults Immune must not heal: they get the disposition they would have had
// without it. Each case runs in a child process that really faults.
#include <catch2/catch.hpp>

#include "tx_helpers.h"
#include "immune/immune.h"

#include <csetjmp>
#include <sys/resource.h>

static int read_int(const volatile int *p) { return *p; }

static void no_core() {
  struct rlimit r = {0, 0};
  setrlimit(RLIMIT_CORE, &r);
}

TEST_CASE("a fault outside every transaction kills with the same signal", "[decline]") {
  CHECK(died_of(in_child([] { no_core(); read_int(nullptr); }), SIGSEGV));
  CHECK(died_of(in_child([] {
          no_core();
          volatile int zero = 0;
          _exit(10 / zero);
        }),
        SIGFPE));
}

TEST_CASE("a signal sent with kill is not a fault to heal", "[decline]") {
  __immune_site site = make_site("killed");
  int st = in_child([&] {
    no_core();
    in_transaction(&site, [] {
      raise(SIGSEGV);
      return 0;
    });
  });
  CHECK(died_of(st, SIGSEGV));
}

static jmp_buf jb;
TEST_CASE("a transaction left by longjmp is never resurrected", "[decline][longjmp]") {
  __immune_site site = make_site("left");
  int st = in_child([&] {
    no_core();
    if (setjmp(jb) == 0) in_transaction(&site, []() -> int { longjmp(jb, 1); });
    read_int(nullptr); // outside every live transaction
  });
  CHECK(died_of(st, SIGSEGV));
}

// Leaves a record on the transaction stack without popping it, as a
// non-local exit the runtime cannot see (swapcontext, a foreign unwinder)
// would.
static __attribute__((noinline)) void leak_record(__immune_site *site) {
  __immune_tx *rec = push_record(site);
  if (__builtin_setjmp((void **)rec) != 0) _exit(3); // resurrected: wrong
}

TEST_CASE("a stale record below the faulting frame is not resurrected", "[decline]") {
  __immune_site site = make_site("stale");
  int st = in_child([&] {
    no_core();
    leak_record(&site);
    read_int(nullptr);
  });
  CHECK(died_of(st, SIGSEGV));
}

static void user_handler(int) { _exit(42); }

TEST_CASE("a handler the program installs gets the faults Immune declines",
          "[decline][chain]") {
  int st = in_child([] {
    no_core();
    signal(SIGSEGV, user_handler); // after the runtime's constructor
    read_int(nullptr);             // outside every transaction
  });
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 42);
}

TEST_CASE("a handler the program installs does not switch healing off",
          "[decline][chain]") {
  __immune_site site = make_site("still_heals");
  int st = in_child([&] {
    no_core();
    struct sigaction sa = {}, old = {};
    sa.sa_handler = user_handler;
    sigaction(SIGSEGV, &sa, &old);
    if (in_transaction(&site, [] { return read_int(nullptr); }) != -1) _exit(1);
    // The program reads back what it installed.
    struct sigaction now = {};
    sigaction(SIGSEGV, nullptr, &now);
    _exit(now.sa_handler == user_handler ? 0 : 2);
  });
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
}

TEST_CASE("a fault inside the runtime itself is never healed", "[decline][threat]") {
  static __immune_site site = make_site("runtime_fault");
  int st = in_child([&] {
    no_core();
    __immune_site *table[] = {&site};
    __immune_register_sites_v4(table, 1); // so immune_stats has one to copy
    // A bad output pointer makes the runtime's own code fault, inside a
    // live transaction: that is a runtime bug, and it must not be "healed".
    in_transaction(&site, [] {
      immune_stats(reinterpret_cast<immune_stat *>(8), 1);
      return 0;
    });
  });
  CHECK(died_of(st, SIGSEGV));
}
