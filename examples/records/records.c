/* records: totals the amounts in a CSV of "name,amount" lines — the example
 * program for immune-heal (docs/heal.md).
 *
 *   records FILE            print "total N (M records, K skipped)"
 *   records --strict FILE   corrupt numbers are fatal (abort), a contract
 *                           the test suite checks with a death test
 *
 * The bug: a line without the amount field ("bob") makes field() return
 * NULL, and to_int() dereferences it. immune-heal finds that protecting
 * to_int() itself breaks the death test (records is deployed with
 * IMMUNE_OPTIONS=handle_abort=all, so its abort() would be healed too),
 * climbs one frame, and protects parse_amount(), whose caller already skips
 * records it cannot parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strict;

/* The n-th comma-separated field of line, or NULL if there is none. */
static const char *field(const char *line, int n) {
  const char *p = line;
  while (n-- > 0) {
    p = strchr(p, ',');
    if (!p) return NULL;
    ++p;
  }
  return p;
}

/* Decimal digits to int; -1 for anything else (or abort, when strict). */
__attribute__((noinline)) int to_int(const char *s) {
  int v = 0;
  if (!*s) return -1; /* the fault: s is NULL for a missing field */
  for (; *s && *s != '\n' && *s != ','; ++s) {
    if (*s < '0' || *s > '9') {
      if (strict) abort(); /* corrupt input is a bug upstream: die loudly */
      return -1;
    }
    v = v * 10 + (*s - '0');
  }
  return v;
}

/* The amount of a record, or -1 if it has none that parses. */
__attribute__((noinline)) int parse_amount(const char *line) {
  int v = to_int(field(line, 1));
  if (v < 0) return -1;
  return v;
}

/* Header "records,N": the number of records that follow. */
static int header_count(const char *line) {
  if (strncmp(line, "records,", 8) != 0) return -1;
  return to_int(line + 8);
}

int main(int argc, char **argv) {
  int arg = 1;
  if (argc > 2 && strcmp(argv[1], "--strict") == 0) {
    strict = 1;
    arg = 2;
  }
  if (arg >= argc) {
    fprintf(stderr, "usage: records [--strict] FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[arg], "r");
  if (!f) {
    perror(argv[arg]);
    return 2;
  }
  char line[256];
  long total = 0;
  int n = 0, skipped = 0, expected = -1;
  while (fgets(line, sizeof line, f)) {
    if (expected < 0 && strncmp(line, "records,", 8) == 0) {
      expected = header_count(line);
      continue;
    }
    int amount = parse_amount(line);
    if (amount < 0) {
      ++skipped;
      continue;
    }
    total += amount;
    ++n;
  }
  fclose(f);
  printf("total %ld (%d records, %d skipped)\n", total, n, skipped);
  if (expected >= 0 && expected != n + skipped) printf("warning: header said %d records\n", expected);
  return 0;
}
