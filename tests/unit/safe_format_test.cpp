// The async-signal-safe formatter the fault path writes reports with.
#include <catch2/catch.hpp>

#include <climits>
#include <string>

extern "C" {
#include "internal.h"
}

static std::string fmt(void (*f)(immune_buf *)) {
  char data[64];
  immune_buf b = {data, 0, sizeof data};
  f(&b);
  return std::string(b.data, b.len);
}

TEST_CASE("decimal and hexadecimal numbers", "[format]") {
  CHECK(fmt([](immune_buf *b) { immune_buf_dec(b, 0); }) == "0");
  CHECK(fmt([](immune_buf *b) { immune_buf_dec(b, -22); }) == "-22");
  CHECK(fmt([](immune_buf *b) { immune_buf_dec(b, INT64_MIN); }) ==
        "-9223372036854775808");
  CHECK(fmt([](immune_buf *b) { immune_buf_udec(b, UINT64_MAX); }) ==
        "18446744073709551615");
  CHECK(fmt([](immune_buf *b) { immune_buf_hex(b, 0); }) == "0x0");
  CHECK(fmt([](immune_buf *b) { immune_buf_hex(b, 0xdeadbeefULL); }) == "0xdeadbeef");
}

TEST_CASE("text is truncated to the buffer, always terminated", "[format]") {
  char data[8];
  immune_buf b = {data, 0, sizeof data};
  immune_buf_str(&b, "parse_header");
  immune_buf_hex(&b, 0x1234);
  CHECK(b.len == 7);
  CHECK(std::string(data) == "parse_h");
  immune_buf_str(&b, nullptr); // no crash on NULL, still bounded
  CHECK(b.len == 7);
}

TEST_CASE("signal and si_code names", "[format]") {
  CHECK(std::string(immune_signal_name(SIGSEGV)) == "SIGSEGV");
  CHECK(std::string(immune_signal_name(SIGFPE)) == "SIGFPE");
  CHECK(std::string(immune_si_code_name(SIGSEGV, SEGV_MAPERR)) == "SEGV_MAPERR");
  CHECK(std::string(immune_si_code_name(SIGFPE, FPE_INTDIV)) == "FPE_INTDIV");
  CHECK(std::string(immune_si_code_name(SIGSEGV, SI_USER)) == "SI_USER");
}
