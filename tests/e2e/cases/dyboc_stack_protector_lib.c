/* Unprotected helpers of dyboc_stack_protector.c, each with a char[16] on
 * its own stack: a name longer than 15 characters overwrites the frame's
 * stack-protector canary, and the check before returning fails. */
#include <string.h>

__attribute__((noinline)) int copy_name(char *dst, const char *src) {
  char tmp[16];
  strcpy(tmp, src);
  strcpy(dst, tmp);
  return (int)strlen(tmp);
}

__attribute__((noinline)) static int bold(char *dst, const char *name) {
  char tmp[16];
  strcpy(tmp, name);
  return (int)strlen(strcat(strcat(strcpy(dst, "<b>"), tmp), "</b>"));
}

__attribute__((noinline)) int render_line(char *dst, const char *name) {
  return bold(dst, name);
}
