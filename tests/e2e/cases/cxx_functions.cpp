// C++ functions of every kind heal: a member function, a virtual function
// called through a base pointer, a static member, template instances (each
// with its own error value), operators, and a method of a class in a nested
// namespace. Reports and counters use the demangled names.
// E2E-CFLAGS: -g
// E2E-RECOVERED: 9
// E2E-STDERR: in Record::field\(int\) const \(.*cxx_functions\.cpp\), returning -1$
// E2E-STDERR: in Derived::size\(\) const \(.*\), returning 0$
// E2E-STDERR: in Codec::decode\(char const\*\) \(.*\), returning -1$
// E2E-STDERR: in .*first<double>\(double const\*\) \(.*\), returning nan$
// E2E-STDERR: in Record::operator==\(Record const&\) const \(.*\), returning false$
// E2E-STDERR: in Record::operator\[\]\(unsigned long\) const \(.*\), returning -1$
// E2E-STDERR: in net::http::Parser::run\(char const\*\) \(.*\), returning -1$
#include "e2e.h"

struct Record {
  const int *data;
  IMMUNE_PROTECT int field(int i) const { return data[i]; }
  IMMUNE_PROTECT int operator[](unsigned long i) const { return data[i] * 2; }
  IMMUNE_PROTECT bool operator==(const Record &o) const {
    return data[0] == o.data[0];
  }
};

struct Base {
  virtual ~Base() = default;
  virtual unsigned size() const = 0;
};
struct Derived : Base {
  const unsigned *n;
  explicit Derived(const unsigned *p) : n(p) {}
  IMMUNE_PROTECT unsigned size() const override { return *n; }
};

struct Codec {
  IMMUNE_PROTECT static int decode(const char *s) { return s[0] - '0'; }
};

template <typename T> IMMUNE_PROTECT T first(const T *p) { return *p; }
template int first<int>(const int *);
template double first<double>(const double *);
template unsigned first<unsigned>(const unsigned *);

namespace net {
namespace http {
class Parser {
public:
  IMMUNE_PROTECT int run(const char *line) { return line[0] == 'G' ? 200 : 400; }
};
} // namespace http
} // namespace net

int main() {
  e2e_setup_stdio();
  const int values[] = {7, 8, 9};
  Record good{values}, bad{E2E_NULL(const int *)};
  CHECK_INT(good.field(1), 8);
  CHECK_INT(bad.field(1), -1);
  CHECK_INT(good[2], 18);
  CHECK_INT(bad[2], -1);
  CHECK_INT(good == good, true);
  CHECK_INT(good == bad, false);

  const unsigned three = 3;
  Derived d_ok(&three), d_bad(E2E_NULL(const unsigned *));
  Base *b_ok = E2E_HIDE(static_cast<Base *>(&d_ok));
  Base *b_bad = E2E_HIDE(static_cast<Base *>(&d_bad));
  CHECK_UINT(b_ok->size(), 3);
  CHECK_UINT(b_bad->size(), 0);

  CHECK_INT(Codec::decode("4"), 4);
  CHECK_INT(Codec::decode(E2E_NULL(const char *)), -1);

  const int i = 5;
  const double x = 1.5;
  CHECK_INT(first(&i), 5);
  CHECK_INT(first(E2E_NULL(const int *)), -1);
  CHECK_FLT(first(&x), 1.5);
  CHECK_NAN(first(E2E_NULL(const double *)));
  CHECK_UINT(first(E2E_NULL(const unsigned *)), 0);

  net::http::Parser parser;
  CHECK_INT(parser.run("GET /"), 200);
  CHECK_INT(parser.run(E2E_NULL(const char *)), -1);

  CHECK_INT(immune_recoveries(), 9);
  CHECK_INT(immune_function_aborts("net::http::Parser::run(char const*)"), 1);
  CHECK_INT(immune_function_aborts("Codec::decode(char const*)"), 1);
  CHECK_INT(immune_function_aborts("double first<double>(double const*)"), 1);
  CHECK_DEPTH0();
  return e2e_done();
}
