/* What the rollback cases measure (rollback_*.c, rollback_cxx.cpp): the heap
 * in use, the open descriptors, and whether another thread could take a
 * mutex right now. Works as C and as C++. */
#ifndef IMMUNE_ROLLBACK_E2E_H
#define IMMUNE_ROLLBACK_E2E_H

#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>

/* Bytes in use: the heap's and whole mappings'. With glibc's per-thread
 * cache on, a freed small block still counts (see rollback_undo.c). */
static inline size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static inline int open_fds(void) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1; /* opendir's own */
}

/* One thread, started once by start_prober() before anything is measured
 * (a thread's first allocation makes its malloc arena), tries a mutex on
 * request. */
static sem_t prober_ask, prober_told;
static pthread_mutex_t *volatile prober_target;
static int prober_result;

static inline void *prober_main(void *arg) {
  (void)arg;
  for (;;) {
    sem_wait(&prober_ask);
    prober_result = pthread_mutex_trylock(prober_target) == 0;
    if (prober_result) pthread_mutex_unlock(prober_target);
    sem_post(&prober_told);
  }
  return NULL;
}

static inline int free_for_others(pthread_mutex_t *m) {
  prober_target = m;
  sem_post(&prober_ask);
  sem_wait(&prober_told);
  return prober_result;
}

static inline void start_prober(void) {
  static pthread_mutex_t warm_up = PTHREAD_MUTEX_INITIALIZER;
  pthread_t t;
  sem_init(&prober_ask, 0, 0);
  sem_init(&prober_told, 0, 0);
  pthread_create(&t, NULL, prober_main, NULL);
  free_for_others(&warm_up);
}

#endif
