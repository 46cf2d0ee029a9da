/* Non-local exits and the rollback log: what a protected call did before a
 * longjmp out of it is committed to the transaction the jump lands in.
 * - Landing outside any transaction: its block stays the program's (a
 *   later abort elsewhere does not free it); its deferred free takes effect
 *   at the next commit or abort.
 * - Landing inside an outer protected call that then aborts: the jumped-out
 *   call's block and lock go with it.
 * - siglongjmp from a signal handler out of a protected call: the same.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 3
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include "e2e.h"
#include "rollback_e2e.h"

static jmp_buf to_main, to_outer;
static sigjmp_buf from_handler;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *kept;

IMMUNE_PROTECT int alloc_free_jump(char *old, jmp_buf where) {
  kept = malloc(20000);
  strcpy(kept, "allocated before the jump");
  free(old);
  longjmp(where, 1);
}

IMMUNE_PROTECT int lock_alloc_jump(jmp_buf where) {
  pthread_mutex_lock(&lock);
  kept = malloc(20000);
  longjmp(where, 1);
}

IMMUNE_RETURN(-1) int outer(const int *input) {
  if (setjmp(to_outer) == 0) lock_alloc_jump(to_outer);
  return *input;
}

IMMUNE_RETURN(-1) int fault(const int *input) { return *input; }

static void on_usr1(int sig) {
  (void)sig;
  siglongjmp(from_handler, 1);
}

IMMUNE_PROTECT int alloc_then_signal(void) {
  kept = malloc(20000);
  strcpy(kept, "allocated before the signal");
  raise(SIGUSR1);
  return 0;
}

int main(void) {
  e2e_setup_stdio();
  const int *bad = E2E_NULL(const int *);
  int good = 2;
  pthread_mutex_lock(&lock); /* warm-up: nothing is allocated by the lock later */
  pthread_mutex_unlock(&lock);

  /* 1: longjmp to main. */
  char *old = malloc(30000);
  size_t heap0 = heap_in_use();
  if (setjmp(to_main) == 0) alloc_free_jump(old, to_main);
  CHECK_DEPTH0();
  CHECK_TRUE(heap_in_use() >= heap0 + 20000); /* block kept, free not done yet */
  CHECK_INT(fault(bad), -1);                   /* an abort elsewhere */
  CHECK_TRUE(strcmp(kept, "allocated before the jump") == 0);
  CHECK_TRUE(heap_in_use() + 5000 <= heap0);   /* the free happened; the block stays */
  free(kept);

  /* 2: longjmp into an outer protected call, which aborts. */
  size_t heap1 = heap_in_use();
  CHECK_INT(outer(bad), -1);
  CHECK_INT(heap_in_use(), heap1);
  CHECK_INT(pthread_mutex_trylock(&lock), 0);
  pthread_mutex_unlock(&lock);
  CHECK_INT(outer(&good), 2); /* committed: the block and the lock stay */
  CHECK_TRUE(heap_in_use() >= heap1 + 20000);
  CHECK_INT(pthread_mutex_trylock(&lock), EBUSY);
  pthread_mutex_unlock(&lock);
  free(kept);

  /* 3: siglongjmp from a signal handler. */
  signal(SIGUSR1, on_usr1);
  size_t heap2 = heap_in_use();
  if (sigsetjmp(from_handler, 1) == 0) alloc_then_signal();
  CHECK_DEPTH0();
  CHECK_INT(fault(bad), -1);
  CHECK_TRUE(strcmp(kept, "allocated before the signal") == 0);
  free(kept);
  CHECK_INT(heap_in_use(), heap2);
  return e2e_done();
}
