/* A protected function returning std::string is not protected as
 * returning (a zeroed std::string is not a valid object): the fault in it
 * aborts its protected caller, which returns -1, and the caller's own
 * std::string objects are left alone. Before, field() came back with an
 * all-zero string and parse() reported a length of 0 as success. */
// E2E-CFLAGS: -g
// E2E-RECOVERED: 1
// E2E-STDERR: ^immune: recovered SIGSEGV .* in parse\(char const\*\) .*, returning -1$
#include "e2e.h"

#include <string>

IMMUNE_PROTECT std::string field(const char *line) {
  const char *colon = strchr(line, ':');
  return std::string(colon + 1); /* no ':': reads address 1 */
}

IMMUNE_PROTECT int parse(const char *line) {
  std::string key = "k";
  std::string value = field(line);
  return (int)(key.size() + value.size());
}

int main() {
  e2e_setup_stdio();
  CHECK_INT(parse("a:bc"), 3);
  CHECK_INT(parse(E2E_HIDE((const char *)"no colon")), -1);
  CHECK_INT(parse("x:y"), 2);
  CHECK_INT(immune_function_aborts("parse(char const*)"), 1);
  return e2e_done();
}
