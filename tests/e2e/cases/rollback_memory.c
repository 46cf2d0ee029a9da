/* The memory undo log (issue: an aborted transaction leaves no trace). A
 * protected function writes globals and the heap, directly and through
 * unprotected helpers of this module (static and external, two levels deep,
 * one of them writing a scratch buffer on its own stack), uses memset,
 * memcpy, memmove and struct copies, inserts into and unlinks from a linked
 * list, mallocs in a loop, frees a node, takes a mutex, then faults. After
 * every abort every byte of that state is as it was, the heap in use is the
 * same, the freed node is intact and the mutex is free for another thread.
 * Nested transactions: an inner one that committed is undone with the outer
 * abort; an inner abort undoes only its own part. A call without the fault
 * commits everything.
 * E2E-CFLAGS: -pthread -g
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 60
 * E2E-STDOUT: ok   every byte after every abort: same
 */
#include "e2e.h"
#include "rollback_e2e.h"

#define ROUNDS 20

struct config {
  char name[40];
  int level;
  double ratio;
  long limits[6];
};

struct node {
  int value;
  char tag[12];
  struct node *next;
  char *extra;
};

/* The state an aborted call must leave as it found it. */
static struct {
  int counter;
  short small[5];
  char flag;
  double stats[64];
  struct config cfg;
  unsigned char table[256];
  struct node *head;
  long *cells;
} state;
static char text[128] = "the quick brown fox jumps over the lazy dog";
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Unprotected helpers in this module: their transactional clones log. */
static void fill_cells(long *c, int n, long base) {
  for (int i = 0; i < n; ++i) c[i] = base + i * 3;
}

__attribute__((noinline)) void bump_stats(double *s, int n) {
  for (int i = 0; i < n; ++i) s[i] = s[i] * 2.0 + 1.0;
  fill_cells(state.cells + 100, 50, -7); /* two levels down */
}

/* Writes a buffer on its own stack through a pointer: logged (the callee
 * cannot tell), and dead by the time the abort undoes it. */
__attribute__((noinline)) static void scribble(char *buf, int n) {
  for (int i = 0; i < n; ++i) buf[i] = (char)('A' + i % 26);
}
__attribute__((noinline)) static int with_scratch(void) {
  char scratch[512];
  scribble(scratch, sizeof scratch);
  return scratch[17];
}

static struct node *insert_after(struct node *at, int value) {
  struct node *n = malloc(sizeof *n);
  n->value = value;
  strcpy(n->tag, "inserted");
  n->extra = NULL;
  n->next = at->next;
  at->next = n;
  return n;
}

static struct node *freed_node; /* the node process() unlinks and frees */

IMMUNE_PROTECT int process(const int *input) {
  state.counter += 100;
  state.small[2] = -1;
  state.flag = 'Z';
  bump_stats(state.stats, 64);
  struct config c = state.cfg;
  c.level = 99;
  c.ratio = 0.25;
  strcpy(c.name, "changed by process()");
  state.cfg = c; /* a struct copy: memcpy */
  memset(state.table, 0xee, sizeof state.table);
  memmove(text + 4, text, 20);
  memcpy(text + 60, "overwritten", 11);
  for (int i = 0; i < 200; ++i) state.cells[i] ^= 0x5a5a;
  fill_cells(state.cells, 100, 1000);
  /* The list: a new head, a node in the middle, a block per node. */
  struct node *n = malloc(sizeof *n);
  n->value = -5;
  strcpy(n->tag, "new head");
  n->extra = NULL;
  n->next = state.head;
  state.head = n;
  insert_after(state.head->next, 77);
  for (struct node *p = state.head; p; p = p->next) p->extra = malloc(32);
  /* Unlink the last node and free it (deferred to the commit). */
  struct node *prev = state.head;
  while (prev->next->next) prev = prev->next;
  freed_node = prev->next;
  prev->next = NULL;
  free(freed_node);
  pthread_mutex_lock(&lock);
  int s = with_scratch();
  E2E_BARRIER();
  return *input + s + state.counter;
}

/* Nesting: inner() commits or aborts inside outer(). */
IMMUNE_PROTECT int inner(const int *input) {
  state.small[0] = 1234;
  state.cells[500] = 500500;
  return *input;
}
IMMUNE_PROTECT int outer(const int *inner_input, const int *outer_input) {
  state.small[1] = 4321;
  int r = inner(inner_input);
  state.cells[501] = r;
  return *outer_input + r;
}

static struct node *make_list(int n) {
  struct node *head = NULL;
  for (int i = n; i > 0; --i) {
    struct node *x = malloc(sizeof *x);
    x->value = i;
    snprintf(x->tag, sizeof x->tag, "node %d", i);
    x->extra = NULL;
    x->next = head;
    head = x;
  }
  return head;
}

/* Everything process() touches, as bytes. */
struct snapshot {
  unsigned char state[sizeof state];
  char text[sizeof text];
  long cells[1024];
  struct node nodes[8];
  int nnodes;
};
static void take(struct snapshot *s) {
  memcpy(s->state, &state, sizeof state);
  memcpy(s->text, text, sizeof text);
  memcpy(s->cells, state.cells, sizeof s->cells);
  s->nnodes = 0;
  for (struct node *p = state.head; p && s->nnodes < 8; p = p->next) s->nodes[s->nnodes++] = *p;
}
static int same(const struct snapshot *a, const struct snapshot *b) {
  return memcmp(a, b, sizeof *a) == 0;
}

int main(void) {
  e2e_setup_stdio();
  start_prober();
  state.counter = 7;
  for (int i = 0; i < 64; ++i) state.stats[i] = i * 0.5;
  strcpy(state.cfg.name, "initial");
  state.cfg.level = 3;
  state.cfg.ratio = 1.5;
  for (int i = 0; i < 256; ++i) state.table[i] = (unsigned char)i;
  state.cells = malloc(1024 * sizeof *state.cells);
  for (int i = 0; i < 1024; ++i) state.cells[i] = i * 11;
  state.head = make_list(4);
  struct node *last = state.head->next->next->next;

  static struct snapshot before, after;
  take(&before);
  size_t heap_before = heap_in_use();
  const int *bad = E2E_NULL(const int *);
  int all_same = 1;
  for (int round = 0; round < ROUNDS; ++round) {
    int r = process(bad);
    take(&after);
    size_t heap = heap_in_use();
    if (r != -1 || !same(&before, &after) || heap != heap_before || !free_for_others(&lock) ||
        last->value != 4 || strcmp(last->tag, "node 4") != 0) {
      size_t i = 0;
      while (i < sizeof before && ((unsigned char *)&before)[i] == ((unsigned char *)&after)[i]) ++i;
      printf("FAIL round %d: returned %d, first differing byte %zu of %zu, heap %zu (before "
             "%zu), last node %d '%s'\n",
             round, r, i, sizeof before, heap, heap_before, last->value, last->tag);
      all_same = 0;
      ++e2e_failures;
      break;
    }
  }
  if (all_same) printf("ok   every byte after every abort: same (%zu bytes)\n", sizeof before);
  CHECK_DEPTH0();

  /* Nested, 1: inner commits, outer aborts: both undone. */
  int one = 1;
  for (int round = 0; round < 20; ++round) {
    CHECK_INT(outer(&one, bad), -1);
    take(&after);
    CHECK_TRUE(same(&before, &after));
  }
  /* Nested, 2: inner aborts (its part undone), outer commits (its part stays). */
  for (int round = 0; round < 20; ++round) CHECK_INT(outer(bad, &one), 0);
  CHECK_INT(state.small[0], 0);
  CHECK_INT(state.small[1], 4321);
  CHECK_INT(state.cells[500], 500 * 11);
  CHECK_INT(state.cells[501], -1);
  state.small[1] = 0;
  state.cells[501] = 501 * 11;
  take(&after);
  CHECK_TRUE(same(&before, &after));

  /* Committed: everything stays, the free happens. */
  int good = 5;
  int r = process(&good);
  CHECK_INT(r, 5 + 'R' + 107);
  CHECK_INT(state.counter, 107);
  CHECK_INT(state.cfg.level, 99);
  CHECK_TRUE(strcmp(state.cfg.name, "changed by process()") == 0);
  CHECK_INT(state.table[3], 0xee);
  CHECK_INT(state.head->value, -5);
  CHECK_INT(state.cells[0], 1000);
  CHECK_INT(state.cells[100], -7 ^ 0x5a5a);
  CHECK_TRUE(!free_for_others(&lock));
  pthread_mutex_unlock(&lock);
  return e2e_done();
}
