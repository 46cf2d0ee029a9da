/* A stack buffer overflow for immune-heal (heal_overflow_test.sh): greet()
 * owns `buf`, copy_name() overflows it with a long name. Unprotected, the
 * smash is only seen at greet's `ret` (a jump to the name's bytes); the
 * oracle build stops the write at the guard page, in strcpy called by
 * copy_name, and names greet as the buffer's owner. Protecting copy_name
 * alone would not help (greet's buffer stays on its stack): the vaccine is
 * greet, whose error return main reports as a rejected name. */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) int copy_name(char *dst, const char *src) {
  if (!src[0]) return -1;
  strcpy(dst, src);
  return 0;
}

__attribute__((noinline)) int greet(const char *name) {
  char buf[16];
  if (copy_name(buf, name) < 0) return -1;
  printf("hello %s\n", buf);
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (greet(argv[i]) < 0) printf("rejected a name\n");
  printf("done\n");
  return 0;
}
