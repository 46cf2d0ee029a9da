// The standard attribute spelling selects functions too:
// [[clang::annotate("immune")]] on a free function, a member function and a
// template, and [[clang::annotate("immune.return", -5)]] with a value.
// E2E-RECOVERED: 4
// E2E-STDERR: in parse\(char const\*\) \(.*annotate_cxx\.cpp\), returning -1$
// E2E-STDERR: in Table::at\(int\) const \(.*\), returning -1$
// E2E-STDERR: in open_stream\(int const\*\) \(.*\), returning -5$
#include "e2e.h"

[[clang::annotate("immune")]] int parse(const char *s) { return s[0]; }

struct Table {
  const int *rows;
  [[clang::annotate("immune")]] int at(int i) const { return rows[i]; }
};

template <typename T> [[clang::annotate("immune")]] T get(const T *p) {
  return *p;
}

[[clang::annotate("immune.return", -5)]] int open_stream(const int *p) {
  return *p;
}

int main() {
  e2e_setup_stdio();
  CHECK_INT(parse("z"), 'z');
  CHECK_INT(parse(E2E_NULL(const char *)), -1);
  const int rows[] = {10, 20};
  Table good{rows}, bad{E2E_NULL(const int *)};
  CHECK_INT(good.at(1), 20);
  CHECK_INT(bad.at(1), -1);
  CHECK_PTR(get(E2E_NULL(const char *const *)), nullptr);
  CHECK_INT(open_stream(E2E_NULL(const int *)), -5);
  CHECK_INT(immune_recoveries(), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
