/* A heal that leaves the program busy, for immune-heal (heal_busy_test.sh):
 * field_len() dereferences NULL on a field without ':'. Protected, it
 * returns -1, which checksum() takes as a count of 4,294,967,295: the
 * program survives, after seconds of a spinning loop — a livelock, not a
 * heal (memcached spun at 100% between its recoveries). The loop must refuse
 * it on CPU time and climb to checksum, whose -1 main reports. */
#include <stdio.h>
#include <string.h>

static volatile unsigned long sink;

__attribute__((noinline)) int field_len(const char *p) {
  size_t n = strlen(strchr(p, ':') + 1);
  return n > 4096 ? 4096 : (int)n; /* not a tail call: field_len stays on the stack */
}

__attribute__((noinline)) long checksum(const char *p) {
  unsigned n = (unsigned)field_len(p);
  for (unsigned i = 0; i < n; ++i) sink += i;
  return (long)(sink & 0xffff) + (long)n;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    long c = checksum(argv[i]);
    if (c < 0)
      printf("rejected %s\n", argv[i]);
    else
      printf("%s ok\n", argv[i]);
  }
  return 0;
}
