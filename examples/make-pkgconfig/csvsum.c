/* Sums the third column of some CSV records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <immune/immune.h>

/* The value of column `col` (0-based) of `line`; -1 when it has none.
 * The bug: a short line makes strchr return NULL, and the next search starts
 * at address 1. IMMUNE_PROTECT makes that fault return -1. */
IMMUNE_PROTECT static long field(const char *line, int col) {
  const char *p = line;
  for (int i = 0; i < col; i++)
    p = strchr(p, ',') + 1;
  return strtol(p, NULL, 10);
}

int main(void) {
  const char *records[] = {"apples,red,12", "pears,green", "plums,blue,30"};
  long sum = 0;
  for (unsigned i = 0; i < sizeof records / sizeof *records; i++) {
    long v = field(records[i], 2);
    if (v < 0) {
      printf("skipped \"%s\"\n", records[i]);
      continue;
    }
    sum += v;
  }
  printf("sum: %ld\n", sum);
  printf("recoveries: %llu\n", (unsigned long long)immune_recoveries());
  return 0;
}
