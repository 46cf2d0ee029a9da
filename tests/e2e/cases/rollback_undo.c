/* Rollback of an aborted call: a protected function allocates in a loop
 * (small blocks, a calloc, a 1 MiB block, a strdup), frees an object it was
 * given, takes a mutex, opens a file, a socket, a pipe and a FILE stream,
 * then faults. After every abort: the heap in use is as before, the object
 * is still valid and unchanged, the mutex is free for another thread, no
 * descriptor is left open. Then the same function without the fault
 * commits: everything stays, and the free happens.
 *
 * Heap in use is mallinfo2() uordblks + hblkhd. glibc's per-thread cache
 * counts a freed small block as in use, so this case compares from the
 * second abort on (steady state); rollback_undo_exact.c turns the cache off
 * and compares from the first.
 * E2E-CFLAGS: -pthread
 * E2E-RECOVERED: 20
 * E2E-STDOUT: ok   heap after every abort: same
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"
#include "rollback_e2e.h"

#ifndef ROLLBACK_EXACT
#define ROLLBACK_EXACT 0
#endif
#define ROUNDS 20

/* Bigger than glibc's per-thread cache takes: its free shows at once. */
struct record {
  char name[48];
  int value;
  char payload[4000];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Where the blocks escape to, so the optimizer cannot drop them. */
void *volatile kept[24];

IMMUNE_RETURN(-1) int process(struct record *old, const int *input) {
  char *blocks[16];
  for (int i = 0; i < 16; ++i) {
    kept[i] = blocks[i] = malloc(40 + 24 * i);
    memset(blocks[i], 'x', 40);
  }
  int *table = calloc(300, sizeof *table);
  char *big = malloc(1 << 20);
  big[4096] = 1;
  kept[16] = table;
  kept[17] = big;
  kept[18] = strdup("a copy of something");
  free(old);
  pthread_mutex_lock(&lock);
  int fd = open("/proc/self/status", O_RDONLY);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  int p[2];
  if (pipe(p) != 0) return -2;
  FILE *f = fopen("/proc/self/stat", "r");
  char line[64];
  if (f && !fgets(line, sizeof line, f)) return -3;
  E2E_BARRIER();
  return *input + fd + sock + p[0] + table[7] + blocks[3][1] + big[4096] + (f != NULL);
}

static struct record *new_record(void) {
  struct record *r = malloc(sizeof *r);
  strcpy(r->name, "the object given to process()");
  r->value = 4242;
  return r;
}

int main(void) {
  e2e_setup_stdio();
  start_prober();

  struct record *old = new_record();
  const int *bad = E2E_NULL(const int *);
  size_t heap_before = heap_in_use();
  int fds_before = open_fds();
  int heap_same = 1;
  for (int round = 0; round < ROUNDS; ++round) {
    int r = process(old, bad);
    size_t heap = heap_in_use();
    int fds = open_fds();
    if (round == 0 && !ROLLBACK_EXACT) heap_before = heap; /* the cache is warm now */
    if (r != -1 || heap != heap_before || fds != fds_before || old->value != 4242 ||
        strcmp(old->name, "the object given to process()") != 0 || !free_for_others(&lock)) {
      printf("FAIL round %d: returned %d, heap %zu (before %zu), %d fds (before %d), object %d "
             "'%s'\n",
             round, r, heap, heap_before, fds, fds_before, old->value, old->name);
      heap_same = 0;
      ++e2e_failures;
    }
  }
  if (heap_same) printf("ok   heap after every abort: same (%zu bytes)\n", heap_before);
  CHECK_DEPTH0();

  /* The object is still the program's: freeing it frees it, once. */
  size_t with_old = heap_in_use();
  free(old);
  CHECK_TRUE(heap_in_use() < with_old);

  /* Committed: everything it did stays, its free happens. */
  old = new_record();
  int good = 5;
  with_old = heap_in_use();
  int r = process(old, &good);
  CHECK_TRUE(r > 5);
  CHECK_TRUE(heap_in_use() > with_old + (1 << 19)); /* its 1 MiB block stays */
  CHECK_TRUE(!free_for_others(&lock));              /* it still holds the lock */
  CHECK_INT(open_fds(), fds_before + 5);            /* file, socket, pipe, stream */
  pthread_mutex_unlock(&lock);
  return e2e_done();
}
