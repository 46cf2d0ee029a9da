/* Shared by the DYBOC end-to-end cases (dyboc_*.c): the guard-slot counters
 * as one value, and the number of mappings the process has, read without
 * allocating (a heap that grows while counting would be counted). */
#ifndef IMMUNE_E2E_DYBOC_H
#define IMMUNE_E2E_DYBOC_H

#include <fcntl.h>
#include <unistd.h>

#include "e2e.h"

static inline immune_guard_info guard_info(void) {
  immune_guard_info g;
  immune_guard_info_get(&g);
  return g;
}

static inline uint64_t slots_in_use(void) { return guard_info().slots_in_use; }
static inline uint64_t slots_committed(void) { return guard_info().slots_committed; }
static inline uint64_t fallbacks(void) { return guard_info().fallbacks; }
static inline uint64_t canary_faults(void) { return guard_info().canary_faults; }

/* Lines of /proc/self/maps: one per mapping. */
static inline long maps_lines(void) {
  static char chunk[4096];
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long lines = 0;
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0)
    for (ssize_t i = 0; i < n; ++i) lines += chunk[i] == '\n';
  close(fd);
  return lines;
}

/* A string the optimizer cannot see, so -O2 keeps the overflow. */
#define HIDE_STR(s) E2E_HIDE((const char *)(s))

#endif
