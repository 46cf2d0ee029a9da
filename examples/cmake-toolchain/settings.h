#pragma once
#include <map>
#include <string>

using Settings = std::map<std::string, std::string>;

// The value of `key`, or nullptr when the key is missing.
const char *find_setting(const Settings &s, const std::string &key);
// The port number in `text`; -1 when it is not one.
int parse_port(const char *text);
