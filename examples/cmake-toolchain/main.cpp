#include <cstdio>

#include "settings.h"

int main() {
  const Settings sites[] = {
      {{"name", "www"}, {"port", "8080"}},
      {{"name", "mail"}},  // no port
      {{"name", "ftp"}, {"port", "21"}},
  };
  int healthy = 0;
  for (const Settings &s : sites) {
    int port = parse_port(find_setting(s, "port"));
    std::printf("%s: %s", s.at("name").c_str(), port < 0 ? "no valid port" : "port ");
    if (port >= 0) std::printf("%d", port), healthy++;
    std::printf("\n");
  }
  std::printf("%d of 3 sites have a port\n", healthy);
  return 0;
}
