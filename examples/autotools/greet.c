/* An ordinary autotools program: nothing in it mentions Immune. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bug: a user with no name in the table. immune.policy protects this
 * function, so the fault makes it return -1 and main falls back. */
int greeting_width(const char *name) {
  return (int)strlen(name) + (int)strlen("Hello, !");
}

int main(void) {
  const char *users[] = {"ada", NULL, "grace"};
  for (unsigned i = 0; i < sizeof users / sizeof *users; i++) {
    int width = greeting_width(users[i]);
    if (width < 0)
      printf("(user %u has no name)\n", i);
    else
      printf("Hello, %s! (%d characters)\n", users[i], width);
  }
  return 0;
}
