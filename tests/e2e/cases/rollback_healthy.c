/* A healthy program is unchanged by rollback: 100,000 protected calls that
 * allocate and free (malloc, calloc, realloc, strdup, posix_memalign, a
 * nested protected call returning a block its caller frees), lock and
 * unlock, open and close (descriptors, pipes, FILE streams): the heap and
 * the descriptor count do not grow, nothing is said on stderr. A free of
 * an older object inside a call happens when the call returns; a block a
 * call returns stays the caller's.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 0
 * E2E-STDERR-COUNT: 0 ^
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include "e2e.h"
#include "rollback_e2e.h"

#define CALLS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;

IMMUNE_PROTECT char *make_name(int i) {
  char *s = malloc(32);
  snprintf(s, 32, "name-%d", i);
  return s;
}

IMMUNE_PROTECT long work(int i) {
  long sum = 0;
  char *a = malloc(100 + i % 200);
  a[0] = (char)i;
  int *b = calloc(50, sizeof *b);
  char *c = realloc(NULL, 16);
  for (int n = 32; n <= 4096; n *= 2) c = realloc(c, n);
  char *d = strdup("a string");
  void *e = NULL;
  if (posix_memalign(&e, 64, 200) != 0) return -100;
  char *name = make_name(i);
  sum += a[0] + b[3] + (long)strlen(d) + (long)strlen(name);
  free(name);
  free(e);
  free(d);
  free(c);
  free(b);
  free(a);

  pthread_mutex_lock(&lock);
  pthread_rwlock_rdlock(&rwlock);
  pthread_rwlock_unlock(&rwlock);
  pthread_mutex_unlock(&lock);

  if (i % 10 == 0) {
    int fd = open("/proc/self/status", O_RDONLY);
    int p[2];
    if (fd < 0 || pipe(p) != 0) return -200;
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return -300;
    sum += fgetc(f) > 0;
    fclose(f);
    close(p[0]);
    close(p[1]);
    close(fd);
  }
  return sum;
}

/* Frees an object from before the call: freed when the call returns. */
static size_t heap_inside;
IMMUNE_PROTECT int release(char *old) {
  free(old);
  heap_inside = heap_in_use();
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  /* Warm up (stdio, the first fopen), then measure. */
  long expect0 = work(0);
  size_t heap0 = heap_in_use();
  int fds0 = open_fds();
  long bad = 0;
  for (int i = 0; i < CALLS; ++i) {
    char want[32];
    snprintf(want, sizeof want, "name-%d", i);
    long want_sum = (long)(char)i + 8 + (long)strlen(want) + (i % 10 == 0);
    if (work(i) != want_sum) ++bad;
  }
  (void)expect0;
  CHECK_INT(bad, 0);
  long grown = (long)heap_in_use() - (long)heap0;
  CHECK_TRUE(grown <= 0);
  printf("heap grew by %ld bytes over %d calls\n", grown, CALLS);
  CHECK_INT(open_fds(), fds0);
  CHECK_INT(immune_recoveries(), 0);

  char *old = malloc(50000);
  size_t with_old = heap_in_use();
  CHECK_INT(release(old), 0);
  CHECK_TRUE(heap_inside >= with_old);     /* still there inside the call */
  CHECK_TRUE(heap_in_use() + 50000 <= with_old); /* freed when it returned */

  char *kept = make_name(7);
  CHECK_TRUE(strcmp(kept, "name-7") == 0);
  CHECK_TRUE(malloc_usable_size(kept) >= 32);
  kept = realloc(kept, 100000);
  CHECK_TRUE(strcmp(kept, "name-7") == 0);
  free(kept);
  CHECK_DEPTH0();
  return e2e_done();
}
