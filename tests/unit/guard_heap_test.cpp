// The guarded heap's pool (runtime/guard_heap.c) on its own, as the heap
// interceptors use it: a block's bytes end at the guard page (but for the
// alignment's slack), the canaries around it catch an overflow too small to
// reach the page and an underflow, a guard-page address maps back to its
// block, freed slots are reused after the quarantine, and a block too large
// for every class is refused. The budget (guard_heap_mb) is read once per
// process: the e2e case guard_heap_cap checks it with a small one.
#include <catch2/catch.hpp>

#include "guard_heap.h"
#include "options.h"

#include <cstring>
#include <vector>

namespace {

constexpr size_t kPage = 4096;
constexpr size_t kHeader = 16; // rollback_heap.c's header

// The pool reads its budget when it reserves, at its first block.
void ensure_budget() {
  if (immune_opts.guard_heap_mb == 0) immune_opts.guard_heap_mb = 32;
}

char *user_of(void *base) { return static_cast<char *>(base) + kHeader; }

} // namespace

TEST_CASE("a guarded block ends at the guard page, but for its alignment's slack",
          "[guard_heap]") {
  ensure_budget();
  for (size_t n : {1ul, 8ul, 15ul, 16ul, 100ul, 4000ul, 4096ul, 10000ul, 300000ul}) {
    INFO("n = " << n);
    void *base = immune_gh_alloc(n, kHeader, 0x1234);
    REQUIRE(base != nullptr);
    char *p = user_of(base);
    CHECK(reinterpret_cast<uintptr_t>(p) % 16 == 0);
    uintptr_t end = reinterpret_cast<uintptr_t>(p) + n;
    uintptr_t page_end = (end + kPage - 1) & ~(kPage - 1);
    CHECK(page_end - end < 16);
    CHECK(immune_gh_size(base) == n);
    CHECK(immune_gh_contains(p));
    std::memset(p, 0xab, n); // all of it is the program's
    CHECK(immune_gh_intact(base));
    // The guard page after the block names it.
    immune_heap_hit hit{};
    REQUIRE(immune_gh_block_at(page_end, &hit));
    CHECK(hit.size == n);
    CHECK(hit.block == reinterpret_cast<uintptr_t>(p));
    CHECK(hit.alloc_pc == 0x1234);
    CHECK(hit.guard == 1);
    immune_gh_free(base);
    CHECK_FALSE(immune_gh_block_at(page_end, &hit));
  }
}

TEST_CASE("an overflow into the slack or an underflow breaks the canaries", "[guard_heap]") {
  ensure_budget();
  SECTION("one byte past the end, in the slack") {
    void *base = immune_gh_alloc(9, kHeader, 0);
    REQUIRE(base != nullptr);
    user_of(base)[9] = 0;
    CHECK_FALSE(immune_gh_intact(base));
    immune_gh_free(base);
  }
  SECTION("the byte before the header") {
    void *base = immune_gh_alloc(64, kHeader, 0);
    REQUIRE(base != nullptr);
    static_cast<char *>(base)[-1] ^= 0x55;
    CHECK_FALSE(immune_gh_intact(base));
    immune_gh_free(base);
  }
  SECTION("a freed block is not intact (freed twice)") {
    void *base = immune_gh_alloc(64, kHeader, 0);
    REQUIRE(base != nullptr);
    immune_gh_free(base);
    CHECK_FALSE(immune_gh_intact(base));
  }
}

TEST_CASE("other pointers are not guarded blocks", "[guard_heap]") {
  ensure_budget();
  int local = 0;
  std::vector<char> heap(64);
  CHECK_FALSE(immune_gh_contains(&local));
  CHECK_FALSE(immune_gh_contains(heap.data()));
  immune_heap_hit hit{};
  CHECK_FALSE(immune_gh_block_at(reinterpret_cast<uintptr_t>(&local), &hit));
}

TEST_CASE("freed slots are reused after the quarantine, so the pool stops growing",
          "[guard_heap]") {
  ensure_budget();
  immune_gh_stats before{};
  immune_gh_stats_get(&before);
  for (int i = 0; i < 1000; ++i) {
    void *base = immune_gh_alloc(200, kHeader, 0);
    REQUIRE(base != nullptr);
    immune_gh_free(base);
  }
  immune_gh_stats after{};
  immune_gh_stats_get(&after);
  CHECK(after.reused - before.reused >= 980);
  // At most the quarantine's slots and one more were committed for it.
  CHECK(after.committed_bytes - before.committed_bytes <= 16 * kPage);
  CHECK(after.live == before.live);
}

TEST_CASE("a block larger than the largest class is refused", "[guard_heap]") {
  ensure_budget();
  immune_gh_stats before{};
  immune_gh_stats_get(&before);
  CHECK(immune_gh_alloc(600 * 1024, kHeader, 0) == nullptr);
  immune_gh_stats after{};
  immune_gh_stats_get(&after);
  CHECK(after.fallbacks == before.fallbacks + 1);
}

TEST_CASE("an alignment larger than 16 is honoured", "[guard_heap]") {
  ensure_budget();
  void *base = immune_gh_alloc(100, 64, 0);
  REQUIRE(base != nullptr);
  char *p = static_cast<char *>(base) + 64;
  CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
  uintptr_t end = reinterpret_cast<uintptr_t>(p) + 100;
  CHECK(((end + kPage - 1) & ~(kPage - 1)) - end < 64);
  CHECK(immune_gh_intact(base));
  immune_gh_free(base);
}
