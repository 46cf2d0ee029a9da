// Live vaccines (runtime/vaccine.c): the parser's diagnostics, the per-site
// decision (the policy's rules: any match arms, skip wins, the last return:V
// line gives the value) and the fit of a value to a site's return type.
#include <catch2/catch.hpp>

#include "tx_helpers.h"

extern "C" {
#include "vaccine.h"
}

#include <cmath>
#include <cstring>
#include <string>

namespace {

struct Parsed {
  immune_vaccine *v = nullptr;
  std::string err;
  explicit Parsed(const std::string &text) {
    char buf[1024] = "";
    v = immune_vaccine_parse("v.txt", text.data(), text.size(), buf, sizeof buf);
    err = buf;
  }
  ~Parsed() { immune_vaccine_free(v); }
};

__immune_site site(const char *name, uint32_t kind, uint32_t bits, const char *file = "src/a.c") {
  __immune_site s = make_site(name);
  s.file = file;
  s.ret_kind = kind;
  s.ret_bits = bits;
  return s;
}

} // namespace

TEST_CASE("a vaccine parses the policy syntax", "[vaccine]") {
  Parsed p("# comment\n\nfun:parse_*\n  src:*/net/*.c  \nfun:f=return:-22\nfun:g=skip\n"
           "[other]\nfun:not_ours\n[immune]\nfun:h=guard_heap\n");
  REQUIRE(p.v);
  REQUIRE(p.v->count == 5);
  CHECK(std::string(p.v->entries[0].pattern) == "parse_*");
  CHECK(p.v->entries[0].line == 3);
  CHECK(p.v->entries[1].src == 1);
  CHECK(std::string(p.v->entries[1].pattern) == "*/net/*.c");
  CHECK(p.v->entries[2].action == VACCINE_RETURN);
  CHECK(p.v->entries[2].value_int == -22);
  CHECK(p.v->entries[3].action == VACCINE_SKIP);
  CHECK(p.v->entries[4].action == VACCINE_GUARD_HEAP);
  CHECK(p.v->entries[4].line == 10);
}

TEST_CASE("a bad vaccine is refused with file:line", "[vaccine]") {
  CHECK(Parsed("fun:a\nfn:b\n").err == "v.txt:2: 'fn': unknown prefix (expected 'fun:' or 'src:')");
  CHECK(Parsed("fun:a=retrun:-1\n").err.rfind("v.txt:1: 'retrun:-1': unknown category", 0) == 0);
  CHECK(Parsed("fun:a=return:abc\n").err.rfind("v.txt:1: 'return:abc': not an error value", 0) == 0);
  CHECK(Parsed("fun:a=timeout_ms:5\n").err.find("cannot be armed live") != std::string::npos);
  CHECK(Parsed("\nparse_line\n").err.rfind("v.txt:2: 'parse_line': malformed line", 0) == 0);
  CHECK(Parsed("fun:\n").err.rfind("v.txt:1: 'fun:': empty pattern", 0) == 0);
  CHECK(Parsed("[immune\n").err.rfind("v.txt:1: '[immune': malformed section header", 0) == 0);
  CHECK(Parsed(std::string("fun:a\nfun:b\0c\n", 14)).err ==
        "v.txt:2: NUL byte in the vaccine (is it a text file?)");
  CHECK(Parsed("").v);
  CHECK(Parsed("").v->count == 0);
}

TEST_CASE("a vaccine decides each site as the policy would", "[vaccine]") {
  Parsed p("fun:parse_*\nfun:parse_hot=skip\nsrc:*/net/*\nfun:parse_a=return:-5\n"
           "fun:parse_a=return:-6\nfun:_Z3fooi\n");
  REQUIRE(p.v);
  __immune_site a = site("parse_a", IMMUNE_RET_INT, 32), hot = site("parse_hot", IMMUNE_RET_INT, 32),
                net = site("send_all", IMMUNE_RET_INT, 32, "lib/net/send.c"),
                other = site("other", IMMUNE_RET_INT, 32), foo = site("foo(int)", IMMUNE_RET_INT, 32);
  foo.symbol = "_Z3fooi";
  immune_vaccine_decision d = immune_vaccine_decide(p.v, &a);
  CHECK(d.armed);
  REQUIRE(d.ret);
  CHECK(d.ret->value_int == -6); // the last return line that matches
  CHECK_FALSE(immune_vaccine_decide(p.v, &hot).armed); // skip wins
  CHECK(immune_vaccine_decide(p.v, &net).armed);        // src:
  CHECK_FALSE(immune_vaccine_decide(p.v, &other).armed);
  CHECK(immune_vaccine_decide(p.v, &foo).armed); // by linkage name
  CHECK(p.v->entries[0].matched == 2);
}

TEST_CASE("a vaccine's value must fit the function's return type", "[vaccine]") {
  Parsed p("fun:*=return:-2\nfun:*=return:1.5\nfun:*=return:NULL\nfun:*=return:nan\n");
  REQUIRE(p.v);
  const immune_vaccine_entry &minus2 = p.v->entries[0], &real = p.v->entries[1],
                             &null = p.v->entries[2], &nan = p.v->entries[3];
  uint64_t bits = 0;
  const char *why = nullptr;
  __immune_site i8 = site("c", IMMUNE_RET_INT, 8), i64 = site("l", IMMUNE_RET_INT, 64),
                ptr = site("p", IMMUNE_RET_PTR, 64), dbl = site("d", IMMUNE_RET_DOUBLE, 64),
                flt = site("f", IMMUNE_RET_FLOAT, 32), v = site("v", IMMUNE_RET_NONE, 0);
  v.flags = IMMUNE_SITE_VOID;
  REQUIRE(immune_vaccine_value_bits(&minus2, &i8, &bits, &why));
  CHECK(bits == 0xfe);
  REQUIRE(immune_vaccine_value_bits(&minus2, &i64, &bits, &why));
  CHECK(bits == uint64_t(-2));
  REQUIRE(immune_vaccine_value_bits(&null, &ptr, &bits, &why));
  CHECK(bits == 0);
  CHECK_FALSE(immune_vaccine_value_bits(&real, &i64, &bits, &why));
  CHECK(std::string(why) == "a floating-point error value for an integer return type");
  CHECK_FALSE(immune_vaccine_value_bits(&null, &dbl, &bits, &why));
  REQUIRE(immune_vaccine_value_bits(&real, &dbl, &bits, &why));
  double d;
  std::memcpy(&d, &bits, sizeof d);
  CHECK(d == 1.5);
  REQUIRE(immune_vaccine_value_bits(&nan, &flt, &bits, &why));
  float f;
  uint32_t u = uint32_t(bits);
  std::memcpy(&f, &u, sizeof f);
  CHECK(std::isnan(f));
  CHECK_FALSE(immune_vaccine_value_bits(&minus2, &v, &bits, &why));
  CHECK(std::string(why) == "a void function cannot return an error value");
}
