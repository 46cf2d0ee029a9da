#include "settings.h"

#include <cstdlib>

const char *find_setting(const Settings &s, const std::string &key) {
  auto it = s.find(key);
  return it == s.end() ? nullptr : it->second.c_str();
}

// The bug: nothing checks for a missing setting, and strtol reads through
// the NULL pointer. protect.policy protects this function, so the fault
// makes it return -1, which its callers already treat as "not a port".
int parse_port(const char *text) {
  long port = std::strtol(text, nullptr, 10);
  return port > 0 && port < 65536 ? static_cast<int>(port) : -1;
}
