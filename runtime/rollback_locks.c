/* Lock rollback: pthread mutexes and rwlocks a transaction acquired and
 * still holds when it aborts are released. Every successful lock inside a
 * transaction is logged; every unlock drops the thread's most recent entry
 * for that lock (wherever it was taken: the unlock itself is not undone),
 * so what is left at an abort is exactly what the aborted call still held
 * — once per acquisition, which is right for recursive mutexes and read
 * locks taken twice.
 *
 * Interposed by symbol and forwarded to libc's through dlsym(RTLD_NEXT),
 * resolved at start-up (or on first use, for a lock taken by an earlier
 * constructor). Outside a transaction a call costs the indirect call and
 * one TLS load. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "rollback.h"

typedef int (*mutex_fn)(pthread_mutex_t *);
typedef int (*mutex_timed_fn)(pthread_mutex_t *, const struct timespec *);
typedef int (*mutex_clock_fn)(pthread_mutex_t *, clockid_t, const struct timespec *);
typedef int (*rw_fn)(pthread_rwlock_t *);
typedef int (*rw_timed_fn)(pthread_rwlock_t *, const struct timespec *);
typedef int (*rw_clock_fn)(pthread_rwlock_t *, clockid_t, const struct timespec *);

static struct {
  mutex_fn mutex_lock, mutex_trylock, mutex_unlock;
  mutex_timed_fn mutex_timedlock;
  mutex_clock_fn mutex_clocklock;
  rw_fn rwlock_rdlock, rwlock_wrlock, rwlock_tryrdlock, rwlock_trywrlock, rwlock_unlock;
  rw_timed_fn rwlock_timedrdlock, rwlock_timedwrlock;
  rw_clock_fn rwlock_clockrdlock, rwlock_clockwrlock;
} real;

#define RESOLVE(name) \
  if (!real.name) real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, "pthread_" #name)

int immune_rb_locks_init(void) {
  RESOLVE(mutex_lock);
  RESOLVE(mutex_trylock);
  RESOLVE(mutex_unlock);
  RESOLVE(mutex_timedlock);
  RESOLVE(mutex_clocklock);
  RESOLVE(rwlock_rdlock);
  RESOLVE(rwlock_wrlock);
  RESOLVE(rwlock_tryrdlock);
  RESOLVE(rwlock_trywrlock);
  RESOLVE(rwlock_unlock);
  RESOLVE(rwlock_timedrdlock);
  RESOLVE(rwlock_timedwrlock);
  RESOLVE(rwlock_clockrdlock);
  RESOLVE(rwlock_clockwrlock);
  return immune_rb_ours((const void *)pthread_mutex_lock) &&
         immune_rb_ours((const void *)pthread_mutex_unlock) &&
         immune_rb_ours((const void *)pthread_rwlock_unlock);
}

/* Resolved on first use when called before start-up (by a constructor). */
#define REAL(name) \
  (__builtin_expect(real.name != NULL, 1) ? real.name : (immune_rb_locks_init(), real.name))

static void taken(void *lock, enum rb_kind kind) {
  struct rb_thread *t = immune_rb_enter(RB_LOCKS);
  if (!t) return;
  immune_rb_append(t, RB_LOCKS, (uintptr_t)lock, kind, 0, 0);
  immune_rb_leave(t);
}

static void released(void *lock, enum rb_kind kind) {
  if (!immune_rb_self) return;
  struct rb_thread *t = immune_rb_enter(RB_LOCKS);
  if (!t) return;
  int64_t i = immune_rb_find(t, RB_LOCKS, kind, (uintptr_t)lock, 0);
  if (i >= 0) immune_rb_drop(t, RB_LOCKS, (uint32_t)i);
  immune_rb_leave(t);
}

/* EOWNERDEAD: a robust mutex whose owner died is acquired all the same. */
#define HELD(rc) ((rc) == 0 || (rc) == EOWNERDEAD)
#define IN_TX() __builtin_expect(__immune_thread.tx_top != NULL, 0)

#define LOCK_INTERCEPTOR(name, kind, params, args) \
  RB_INTERCEPTOR int pthread_##name params {       \
    int rc = REAL(name) args;                      \
    if (IN_TX() && HELD(rc)) taken(lock, kind);    \
    return rc;                                     \
  }

LOCK_INTERCEPTOR(mutex_lock, RB_MUTEX, (pthread_mutex_t *lock), (lock))
LOCK_INTERCEPTOR(mutex_trylock, RB_MUTEX, (pthread_mutex_t *lock), (lock))
LOCK_INTERCEPTOR(mutex_timedlock, RB_MUTEX,
                 (pthread_mutex_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(mutex_clocklock, RB_MUTEX,
                 (pthread_mutex_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))
LOCK_INTERCEPTOR(rwlock_rdlock, RB_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_wrlock, RB_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_tryrdlock, RB_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_trywrlock, RB_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_timedrdlock, RB_RWLOCK,
                 (pthread_rwlock_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(rwlock_timedwrlock, RB_RWLOCK,
                 (pthread_rwlock_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(rwlock_clockrdlock, RB_RWLOCK,
                 (pthread_rwlock_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))
LOCK_INTERCEPTOR(rwlock_clockwrlock, RB_RWLOCK,
                 (pthread_rwlock_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))

RB_INTERCEPTOR int pthread_mutex_unlock(pthread_mutex_t *lock) {
  int rc = REAL(mutex_unlock)(lock);
  if (IN_TX() && rc == 0) released(lock, RB_MUTEX);
  return rc;
}

RB_INTERCEPTOR int pthread_rwlock_unlock(pthread_rwlock_t *lock) {
  int rc = REAL(rwlock_unlock)(lock);
  if (IN_TX() && rc == 0) released(lock, RB_RWLOCK);
  return rc;
}

void immune_rb_locks_undo(struct rb_entry *e) {
  if (e->kind == RB_MUTEX)
    REAL(mutex_unlock)((pthread_mutex_t *)e->obj);
  else if (e->kind == RB_RWLOCK)
    REAL(rwlock_unlock)((pthread_rwlock_t *)e->obj);
}
