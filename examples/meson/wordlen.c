#include <stdio.h>
#include <string.h>

#include <immune/immune.h>

/* Length of the second word of `s`. The bug: a one-word string makes strchr
 * return NULL. IMMUNE_PROTECT makes the fault return -1. */
IMMUNE_PROTECT static int second_word_length(const char *s) {
  const char *w = strchr(s, ' ') + 1;
  return (int)strcspn(w, " ");
}

int main(void) {
  const char *phrases[] = {"self healing", "crash", "error virtualization"};
  for (unsigned i = 0; i < sizeof phrases / sizeof *phrases; i++)
    printf("\"%s\": %d\n", phrases[i], second_word_length(phrases[i]));
  printf("recoveries: %llu\n", (unsigned long long)immune_recoveries());
  return 0;
}
