#include "kv.h"

#include <string.h>

/* The bug: a line without '=' makes strchr return NULL, and strlen reads
 * address 1. kv.policy protects this function, so the fault makes it return
 * -1, which its callers already treat as a bad line. */
int kv_value_length(const char *line) {
  return (int)strlen(strchr(line, '=') + 1);
}
