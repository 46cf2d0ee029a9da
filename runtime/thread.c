/* A thread's runtime state is released when the thread exits, by one
 * thread-specific-data destructor, in one order (thread.h): the rollback
 * log takes effect before the undo log goes, the guard slots and the
 * transaction stack after everything that may still run code using them,
 * the alternate signal stack last. One key per part, released in glibc's
 * key-creation order (which depended on which part the process used
 * first), gave no such guarantee.
 *
 * The parts are per-thread pointers (initial-exec TLS); the key's value only
 * says "this thread has something to release". A release that attaches
 * again (protected code run by a later part) sets the key again, and glibc
 * runs the destructor another round. This file depends on no other part of
 * the runtime: each part passes its own release function. */
#include <pthread.h>

#include "internal.h"
#include "thread.h"

static pthread_key_t key;
static int key_ok;

struct part {
  void *state;
  void (*release)(void *);
};
static IMMUNE_TLS struct part parts[IMMUNE_THREAD_PARTS];

static void teardown(void *unused) {
  (void)unused;
  for (int p = 0; p < IMMUNE_THREAD_PARTS; ++p) {
    struct part *x = &parts[p];
    if (!x->state) continue;
    void *state = x->state;
    x->state = NULL;
    x->release(state);
  }
}

void immune_thread_init(void) {
  if (!key_ok) key_ok = pthread_key_create(&key, teardown) == 0;
}

void immune_thread_attach(enum immune_thread_part part, void *state, void (*release)(void *)) {
  parts[part].state = state;
  parts[part].release = release;
  if (key_ok && state) pthread_setspecific(key, (void *)1);
}

void immune_thread_detach(enum immune_thread_part part) { parts[part].state = NULL; }
