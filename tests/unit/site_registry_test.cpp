// The registry of protected functions and the counter API of immune.h.
#include <catch2/catch.hpp>

#include "tx_helpers.h"
#include "immune/immune.h"

#include <cstring>
#include <vector>

static int read_int(const volatile int *p) { return *p; }

TEST_CASE("registered sites are counted and listed", "[sites]") {
  static __immune_site a = make_site("registry_a"), b = make_site("registry_b");
  __immune_site *table[] = {&a, &b};
  size_t before = immune_stats(nullptr, 0);
  __immune_register_sites_v4(table, 2);
  CHECK(immune_stats(nullptr, 0) == before + 2);

  in_transaction(&b, [] { return read_int(nullptr); });
  in_transaction(&b, [] { return read_int(nullptr); });
  CHECK(immune_function_aborts("registry_b") == 2);
  CHECK(immune_function_aborts("registry_a") == 0);
  CHECK(immune_function_aborts("no_such_function") == 0);

  std::vector<immune_stat> stats(immune_stats(nullptr, 0));
  REQUIRE(immune_stats(stats.data(), stats.size()) == stats.size());
  bool found = false;
  for (const immune_stat &s : stats)
    if (std::strcmp(s.function, "registry_b") == 0) {
      found = true;
      CHECK(s.aborts == 2);
      CHECK(std::strcmp(s.error_value, "-1") == 0);
    }
  CHECK(found);
}

TEST_CASE("a site from another ABI version is refused", "[sites]") {
  static __immune_site old = make_site("from_old_plugin");
  old.abi_version = IMMUNE_ABI_VERSION + 1;
  __immune_site *table[] = {&old};
  size_t before = immune_stats(nullptr, 0);
  __immune_register_sites_v4(table, 1);
  CHECK(immune_stats(nullptr, 0) == before);
}

TEST_CASE("unregistering a module takes out its sites and only those", "[sites]") {
  static __immune_site m1[3] = {make_site("mod1_a"), make_site("mod1_b"), make_site("mod1_c")};
  static __immune_site m2[2] = {make_site("mod2_a"), make_site("mod2_b")};
  static __immune_site m3[1] = {make_site("mod3_a")};
  __immune_site *t1[] = {&m1[0], &m1[1], &m1[2]}, *t2[] = {&m2[0], &m2[1]}, *t3[] = {&m3[0]};
  size_t before = immune_stats(nullptr, 0);
  __immune_register_sites_v4(t1, 3);
  __immune_register_sites_v4(t2, 2);
  __immune_register_sites_v4(t3, 1);
  REQUIRE(immune_stats(nullptr, 0) == before + 6);
  auto listed = [](const char *name) {
    std::vector<immune_stat> stats(immune_stats(nullptr, 0));
    immune_stats(stats.data(), stats.size());
    for (const immune_stat &s : stats)
      if (std::strcmp(s.function, name) == 0) return true;
    return false;
  };
  __immune_unregister_sites_v4(t2, 2);
  CHECK(immune_stats(nullptr, 0) == before + 4);
  CHECK_FALSE(listed("mod2_a"));
  CHECK_FALSE(listed("mod2_b"));
  CHECK(listed("mod1_a"));
  CHECK(listed("mod1_c"));
  CHECK(listed("mod3_a"));
  CHECK((m2[0].flags & IMMUNE_SITE_LEAVING) == 0);
  __immune_unregister_sites_v4(t1, 3);
  __immune_unregister_sites_v4(t3, 1);
  CHECK(immune_stats(nullptr, 0) == before);
  // Registered again (a library dlopen'ed a second time): listed again.
  __immune_register_sites_v4(t2, 2);
  CHECK(listed("mod2_b"));
  __immune_unregister_sites_v4(t2, 2);
  CHECK(immune_stats(nullptr, 0) == before);
}
