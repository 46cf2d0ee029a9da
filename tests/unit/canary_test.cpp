// Canary fill and check (runtime/canary.h) on every alignment and length
// that slots and guarded blocks use: what fill writes, ok accepts, byte
// for byte the same as the per-byte definition, and any one changed byte
// inside the range is found while bytes outside it are never touched.
#include <catch2/catch.hpp>

extern "C" {
#include "canary.h"
}

#include <cstring>

TEST_CASE("canary: fill writes the per-byte pattern, ok finds any changed byte", "[canary]") {
  alignas(64) unsigned char mem[128];
  for (unsigned start = 0; start < 8; ++start)
    for (unsigned len = 0; len <= 40; ++len) {
      std::memset(mem, 0, sizeof mem);
      uintptr_t from = (uintptr_t)mem + 16 + start, to = from + len;
      immune_canary_fill(from, to);
      for (uintptr_t a = (uintptr_t)mem; a < (uintptr_t)mem + sizeof mem; ++a) {
        unsigned char want = a >= from && a < to ? immune_canary_byte(a) : 0;
        if (*(unsigned char *)a != want) FAIL("start " << start << " len " << len << " at " << a - from);
      }
      REQUIRE(immune_canary_ok(from, to));
      for (uintptr_t a = from; a < to; ++a) {
        *(unsigned char *)a ^= 0x20;
        if (immune_canary_ok(from, to)) FAIL("change missed: start " << start << " len " << len << " at " << a - from);
        *(unsigned char *)a ^= 0x20;
      }
      // A change just outside the range is not the range's business.
      mem[16 + start + len] = 0x55;
      REQUIRE(immune_canary_ok(from, to));
    }
}
