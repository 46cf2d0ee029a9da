/* bc 1.06's more_arrays bug, as a program for immune-heal to vaccinate
 * (tests/heal/heal_guard_heap_test.sh): more_tables grows the name and
 * array tables by 32 and initializes the new entries up to the count of
 * another table (the variables', 224 once 200 are declared) instead of its
 * own: 1.5 KiB past the end of the new array table. glibc aborts later, in
 * malloc or free. Protecting more_tables with guard_heap is not enough: its
 * abort leaves the tables as they were, and declare, its caller, writes the
 * new name one past the end of the old table. The vaccine needs declare as
 * the rescue point (an array that cannot be declared gets -1).
 *
 *   tables N   declare N arrays, give each its index, print the sums */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCR 32
static char **names;
static long **arrays;
static int count;      /* entries in names and arrays */
static int nvars = 32; /* the variables' table: grows as bc's v_count */
static int next = 1;   /* entry 0 is unused, as in bc */

void more_tables(void) {
  int old = count, i;
  long **old_arrays = arrays;
  char **old_names = names;
  count += INCR;
  arrays = malloc((size_t)count * sizeof *arrays);
  names = malloc((size_t)count * sizeof *names);
  for (i = 1; i < old; ++i) {
    arrays[i] = old_arrays[i];
    names[i] = old_names[i];
  }
  for (; i < nvars; ++i) arrays[i] = NULL; /* the bug: nvars, not count */
  if (old) {
    free(old_arrays);
    free(old_names);
  }
}

int declare(const char *name) {
  int id = next++;
  if (id >= count) more_tables();
  names[id] = strdup(name);
  arrays[id] = calloc(1, sizeof(long));
  return id;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0;
  more_tables();
  nvars = 224; /* 200 variables declared */
  long declared = 0, sum = 0, total = 0;
  for (int i = 0; i < n; ++i) {
    char name[16];
    snprintf(name, sizeof name, "a%d", i);
    int id = declare(name);
    if (id <= 0) continue;
    *arrays[id] = i;
    ++declared;
  }
  for (int id = 1; id < next && id < count; ++id)
    if (arrays[id]) sum += *arrays[id];
  for (int i = 0; i < 200; ++i) total += i;
  printf("declared %ld\nsum %ld\ntotal %ld\n", declared, sum, total);
  return 0;
}
