/* IMMUNE_OPTIONS=rollback=locks: only locks are undone. The aborted call's
 * mutex is released, but its blocks stay allocated, its free of an older
 * object happened and its descriptor stays open — as without rollback.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: IMMUNE_OPTIONS=rollback=locks
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 1
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include "e2e.h"
#include "rollback_e2e.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
void *volatile kept;

IMMUNE_RETURN(-1) int process(char *old, const int *input) {
  kept = malloc(30000);
  free(old);
  pthread_mutex_lock(&lock);
  int fd = open("/proc/self/status", O_RDONLY);
  E2E_BARRIER();
  return fd + *input;
}

int main(void) {
  e2e_setup_stdio();
  char *old = malloc(50000);
  size_t heap0 = heap_in_use();
  int fds0 = open_fds();
  CHECK_INT(process(old, E2E_NULL(const int *)), -1);
  CHECK_INT(pthread_mutex_trylock(&lock), 0); /* released */
  pthread_mutex_unlock(&lock);
  size_t heap = heap_in_use();
  CHECK_TRUE(heap + 50000 - 30000 <= heap0 + 64); /* freed old, kept the new block */
  CHECK_TRUE(heap >= heap0 - 50000 + 30000 - 64);
  CHECK_INT(open_fds(), fds0 + 1);
  return e2e_done();
}
