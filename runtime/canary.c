/* The canary key (canary.h), shared by the guard-slot pool and the guarded
 * heap so both fill and check slack the same way. */
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>

#include "canary.h"

uint64_t immune_canary_key = 0x9e3779b97f4a7c15ull;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_init(void) {
  /* Canary bytes from the kernel's per-process random bytes. */
  const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
  if (r) memcpy(&immune_canary_key, r + 8, sizeof immune_canary_key);
}

void immune_canary_init(void) { pthread_once(&key_once, key_init); }
