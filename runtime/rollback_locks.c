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

static const struct rlog_ops locks_ops;

int immune_locks_rollback_init(void) {
  immune_rlog_register(RLOG_LOCKS, &locks_ops);
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
  return immune_runtime_owns((const void *)pthread_mutex_lock) &&
         immune_runtime_owns((const void *)pthread_mutex_unlock) &&
         immune_runtime_owns((const void *)pthread_rwlock_unlock);
}

/* Resolved on first use when called before start-up (by a constructor). */
#define REAL(name) \
  (__builtin_expect(real.name != NULL, 1) ? real.name : (immune_locks_rollback_init(), real.name))

static void taken(void *lock, enum rlog_kind kind) {
  struct rlog_thread *t = immune_rlog_enter(RLOG_LOCKS);
  if (!t) return;
  immune_rlog_append(t, __immune_thread.tx_top, RLOG_LOCKS, (uintptr_t)lock, kind, 0, 0);
  immune_rlog_leave(t);
}

static void released(void *lock, enum rlog_kind kind) {
  if (!immune_rlog_self) return;
  struct rlog_thread *t = immune_rlog_enter(RLOG_LOCKS);
  if (!t) return;
  int64_t i = immune_rlog_find(t, RLOG_LOCKS, kind, (uintptr_t)lock, 0);
  if (i >= 0) immune_rlog_drop(t, RLOG_LOCKS, (uint32_t)i);
  immune_rlog_leave(t);
}

/* EOWNERDEAD: a robust mutex whose owner died is acquired all the same. */
#define HELD(rc) ((rc) == 0 || (rc) == EOWNERDEAD)
#define IN_TX() __builtin_expect(__immune_thread.tx_top != NULL, 0)

#define LOCK_INTERCEPTOR(name, kind, params, args) \
  ROLLBACK_INTERCEPTOR int pthread_##name params {       \
    int rc = REAL(name) args;                      \
    if (IN_TX() && HELD(rc)) taken(lock, kind);    \
    return rc;                                     \
  }

LOCK_INTERCEPTOR(mutex_lock, RLOG_MUTEX, (pthread_mutex_t *lock), (lock))
LOCK_INTERCEPTOR(mutex_trylock, RLOG_MUTEX, (pthread_mutex_t *lock), (lock))
LOCK_INTERCEPTOR(mutex_timedlock, RLOG_MUTEX,
                 (pthread_mutex_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(mutex_clocklock, RLOG_MUTEX,
                 (pthread_mutex_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))
LOCK_INTERCEPTOR(rwlock_rdlock, RLOG_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_wrlock, RLOG_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_tryrdlock, RLOG_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_trywrlock, RLOG_RWLOCK, (pthread_rwlock_t *lock), (lock))
LOCK_INTERCEPTOR(rwlock_timedrdlock, RLOG_RWLOCK,
                 (pthread_rwlock_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(rwlock_timedwrlock, RLOG_RWLOCK,
                 (pthread_rwlock_t *lock, const struct timespec *at), (lock, at))
LOCK_INTERCEPTOR(rwlock_clockrdlock, RLOG_RWLOCK,
                 (pthread_rwlock_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))
LOCK_INTERCEPTOR(rwlock_clockwrlock, RLOG_RWLOCK,
                 (pthread_rwlock_t *lock, clockid_t c, const struct timespec *at), (lock, c, at))

ROLLBACK_INTERCEPTOR int pthread_mutex_unlock(pthread_mutex_t *lock) {
  int rc = REAL(mutex_unlock)(lock);
  if (IN_TX() && rc == 0) released(lock, RLOG_MUTEX);
  return rc;
}

ROLLBACK_INTERCEPTOR int pthread_rwlock_unlock(pthread_rwlock_t *lock) {
  int rc = REAL(rwlock_unlock)(lock);
  if (IN_TX() && rc == 0) released(lock, RLOG_RWLOCK);
  return rc;
}

/* ---- log actions ------------------------------------------------------------- */

/* A lock entry only ever matters to an abort: at a commit, or when given
 * up, the lock is simply held by the program. */
static enum rlog_undone locks_undo(struct rlog_thread *t, struct rlog_entry *e) {
  (void)t;
  if (e->kind == RLOG_MUTEX)
    REAL(mutex_unlock)((pthread_mutex_t *)e->obj);
  else if (e->kind == RLOG_RWLOCK)
    REAL(rwlock_unlock)((pthread_rwlock_t *)e->obj);
  else
    return RLOG_UNDID_NOTHING;
  return RLOG_UNDID_RELEASE_LOCK;
}

static const struct rlog_ops locks_ops = {.undo = locks_undo};
