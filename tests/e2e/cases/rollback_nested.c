/* Rollback with nested transactions: an inner abort undoes only what the
 * inner call did (the outer call's block, lock and descriptor stay, and the
 * outer call commits them); an inner commit hands its part to the outer
 * call, whose abort then undoes both; three levels; an inner call freeing
 * the outer call's block and aborting leaves it valid.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 5
 * E2E-STDOUT: MARK block intact
 */
#include <fcntl.h>
#include <unistd.h>

#include "e2e.h"
#include "rollback_e2e.h"

static pthread_mutex_t outer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_lock = PTHREAD_MUTEX_INITIALIZER;

void *volatile kept[8];
static char *shared; /* pre-existing, freed by the inner calls */
static size_t heap_seen_after_inner;
static int fds_seen_after_inner, inner_lock_free_after_inner, outer_lock_free_after_inner;

/* The inner call: a block, a lock, a descriptor, a deferred free. */
IMMUNE_RETURN(-1) int inner(const int *input) {
  kept[1] = malloc(3000);
  pthread_mutex_lock(&inner_lock);
  int fd = open("/proc/self/status", O_RDONLY);
  free(shared);
  E2E_BARRIER();
  return *input + fd;
}

/* Inner aborts; outer goes on, sees only its own part left, commits. */
IMMUNE_RETURN(-1) int outer_survives(const int *input, int *fd_out) {
  kept[0] = malloc(5000);
  pthread_mutex_lock(&outer_lock);
  *fd_out = open("/proc/self/status", O_RDONLY);
  size_t heap = heap_in_use();
  int fds = open_fds();
  int r = inner(input);
  heap_seen_after_inner = heap_in_use() - heap;
  fds_seen_after_inner = open_fds() - fds;
  inner_lock_free_after_inner = free_for_others(&inner_lock);
  outer_lock_free_after_inner = free_for_others(&outer_lock);
  return r;
}

/* Inner commits; then outer faults: both parts go. */
IMMUNE_RETURN(-1) int outer_faults(const int *good, const int *bad) {
  kept[0] = malloc(5000);
  pthread_mutex_lock(&outer_lock);
  int fd = open("/proc/self/status", O_RDONLY);
  int r = inner(good);
  E2E_BARRIER();
  return r + fd + *bad;
}

/* Three levels: level3 and level2 commit, level1 faults. */
IMMUNE_RETURN(-1) int level3(void) {
  kept[3] = malloc(700);
  return open("/proc/self/status", O_RDONLY);
}
IMMUNE_RETURN(-1) int level2(void) {
  kept[2] = calloc(10, 100);
  pthread_mutex_lock(&inner_lock);
  return level3();
}
IMMUNE_RETURN(-1) int level1(const int *bad) {
  kept[1] = malloc(2000);
  pthread_mutex_lock(&outer_lock);
  int r = level2();
  E2E_BARRIER();
  return r + *bad;
}

/* The inner call frees a block of the outer one, then aborts: the block
 * is still there for the outer call, whose own abort then frees it. */
IMMUNE_RETURN(-1) int frees_and_faults(char *p, const int *bad) {
  free(p);
  return *bad;
}
IMMUNE_RETURN(-1) int owns_a_block(const int *bad) {
  char *p = malloc(6000);
  kept[4] = strcpy(p, "outer's block");
  int r = frees_and_faults(p, bad);
  /* Told on stdout: a flag in memory would be undone with the abort. */
  e2e_mark(strcmp(p, "outer's block") == 0 ? "block intact" : "block broken");
  E2E_BARRIER();
  return r + *bad;
}

int main(void) {
  e2e_setup_stdio();
  start_prober();
  const int *bad = E2E_NULL(const int *);
  int good = 1;

  /* 1: inner aborts inside a committing outer call. */
  shared = strcpy(malloc(4000), "shared object");
  size_t heap0 = heap_in_use();
  int fds0 = open_fds();
  int fd = -1;
  CHECK_INT(outer_survives(bad, &fd), -1);
  CHECK_INT(heap_seen_after_inner, 0); /* inner's block gone, outer's not */
  CHECK_INT(fds_seen_after_inner, 0);
  CHECK_TRUE(inner_lock_free_after_inner);
  CHECK_TRUE(!outer_lock_free_after_inner);
  CHECK_TRUE(strcmp(shared, "shared object") == 0);
  /* outer committed: its block, lock and descriptor stay. */
  CHECK_TRUE(heap_in_use() >= heap0 + 5000);
  CHECK_TRUE(!free_for_others(&outer_lock));
  CHECK_INT(open_fds(), fds0 + 1);
  close(fd);
  free(kept[0]);
  pthread_mutex_unlock(&outer_lock);
  CHECK_INT(heap_in_use(), heap0);

  /* 2: inner commits, outer aborts: all of it is undone. */
  CHECK_INT(outer_faults(&good, bad), -1);
  CHECK_INT(heap_in_use(), heap0);
  CHECK_INT(open_fds(), fds0);
  CHECK_TRUE(free_for_others(&outer_lock));
  CHECK_TRUE(free_for_others(&inner_lock));
  CHECK_TRUE(strcmp(shared, "shared object") == 0); /* the free went too */

  /* 3: three levels. */
  CHECK_INT(level1(bad), -1);
  CHECK_INT(heap_in_use(), heap0);
  CHECK_INT(open_fds(), fds0);
  CHECK_TRUE(free_for_others(&outer_lock));
  CHECK_TRUE(free_for_others(&inner_lock));

  /* 4: inner frees outer's block and aborts, then outer aborts too. */
  CHECK_INT(owns_a_block(bad), -1);
  CHECK_INT(heap_in_use(), heap0);

  /* Committed all the way: the pre-existing object is freed, once. */
  int inner_fd = outer_survives(&good, &fd) - 1;
  CHECK_TRUE(inner_fd > fd);
  close(fd);
  close(inner_fd);
  free(kept[0]);
  free(kept[1]);
  CHECK_TRUE(heap_in_use() + 4000 <= heap0);
  CHECK_INT(open_fds(), fds0);
  pthread_mutex_unlock(&outer_lock);
  pthread_mutex_unlock(&inner_lock);
  CHECK_DEPTH0();
  return e2e_done();
}
