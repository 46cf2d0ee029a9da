/* The runaway-loop watchdog: a protected function with a time budget
 * (IMMUNE_TIMEOUT_MS, policy timeout_ms:N, or the timeout_ms option for
 * every protected function) that is still running when its budget is spent
 * aborts at its next safe point and returns its error value, while the rest
 * of the program keeps running.
 *
 * Safe points are placed by the pass: the end of each loop iteration and
 * the point after each call, in the budgeted function's own code, where it
 * polls __immune_thread.watchdog_flag (one TLS load). Never inside libc, so
 * never with a libc lock held. The flag is raised by one watchdog thread that
 * wakes every millisecond while some thread has an armed budget, and sleeps
 * on a semaphore otherwise; budgeted calls register their deadline in their
 * thread's record (a small stack, for nesting), unbudgeted calls pay
 * nothing. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "event_log.h"
#include "internal.h"
#include "options.h"
#include "thread.h"

#define MAX_THREADS 1024
#define MAX_NEST 16

struct wd_thread {
  _Atomic int in_use;
  uint64_t *flag;                            /* the thread's TLS flag */
  _Atomic uint64_t deadline[MAX_NEST];      /* ns, CLOCK_MONOTONIC; 0 = none */
  struct __immune_tx *tx[MAX_NEST];
  _Atomic int depth;
};

static IMMUNE_TLS struct wd_thread *me;
static struct wd_thread threads[MAX_THREADS];
static _Atomic int armed_total;
static _Atomic int watcher_started;
static _Atomic int watcher_sleeping; /* parked on `wake`: arming must post */
static sem_t wake;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The coarse clock (a few ms of resolution, no system call, a few ns):
 * budgets are milliseconds, checked every millisecond. */
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *watcher(void *arg) {
  (void)arg;
  int idle_ticks = 0;
  for (;;) {
    /* Park only after 100 idle ticks, so a program that arms budgets all
     * the time never pays for the wake-up (a futex system call). */
    if (atomic_load(&armed_total) == 0 && ++idle_ticks > 100) {
      atomic_store(&watcher_sleeping, 1);
      while (atomic_load(&armed_total) == 0) sem_wait(&wake);
      atomic_store(&watcher_sleeping, 0);
    }
    if (atomic_load(&armed_total) != 0) idle_ticks = 0;
    struct timespec tick = {0, 1000000}; /* 1 ms */
    nanosleep(&tick, NULL);
    uint64_t now = now_ns();
    for (int i = 0; i < MAX_THREADS; ++i) {
      struct wd_thread *t = &threads[i];
      if (!atomic_load(&t->in_use)) continue;
      int d = atomic_load(&t->depth);
      for (int k = 0; k < d && k < MAX_NEST; ++k) {
        uint64_t dl = atomic_load(&t->deadline[k]);
        if (dl && now >= dl) {
          __atomic_store_n(t->flag, 1, __ATOMIC_SEQ_CST);
          break;
        }
      }
    }
  }
  return NULL;
}

static void thread_gone(void *p) {
  struct wd_thread *t = p;
  atomic_fetch_sub(&armed_total, atomic_load(&t->depth));
  atomic_store(&t->depth, 0);
  atomic_store(&t->in_use, 0);
  me = NULL;
}

/* The coarse clock lags real time by up to its resolution; adding that to
 * every deadline means a budget never fires early, only up to a tick late. */
static uint64_t coarse_res_ns;

static void init_once(void) {
  struct timespec res;
  if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0)
    coarse_res_ns = (uint64_t)res.tv_sec * 1000000000u + (uint64_t)res.tv_nsec;
  sem_init(&wake, 0, 0);
}

static struct wd_thread *my_record(void) {
  if (me) return me;
  pthread_once(&once, init_once);
  for (int i = 0; i < MAX_THREADS; ++i) {
    int expected = 0;
    if (atomic_compare_exchange_strong(&threads[i].in_use, &expected, 1)) {
      me = &threads[i];
      me->flag = &__immune_thread.watchdog_flag;
      atomic_store(&me->depth, 0);
      immune_thread_attach(IMMUNE_PART_WATCHDOG, me, thread_gone);
      return me;
    }
  }
  return NULL;
}

static void start_watcher(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&watcher_started, &expected, 1)) return;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (immune_real_pthread_create(&t, &attr, watcher, NULL) != 0) atomic_store(&watcher_started, 0);
  pthread_attr_destroy(&attr);
}

/* The function's own budget: polls are emitted only for functions that
 * have one (a runtime default would reach no code that polls). */
static uint64_t budget_of(const struct __immune_tx *tx) { return tx->site->timeout_ms; }

IMMUNE_EXPORT void __immune_watchdog_arm(struct __immune_tx *tx) {
  uint64_t ms = budget_of(tx);
  struct wd_thread *t;
  if (!ms || !(t = my_record())) return;
  int d = atomic_load(&t->depth);
  if (d >= MAX_NEST) return; /* deeper budgets than this are not enforced */
  t->tx[d] = tx;
  atomic_store(&t->deadline[d], now_ns() + ms * 1000000u + coarse_res_ns);
  atomic_store(&t->depth, d + 1);
  atomic_fetch_add_explicit(&armed_total, 1, memory_order_relaxed);
  if (atomic_load_explicit(&watcher_sleeping, memory_order_relaxed)) sem_post(&wake);
  if (!atomic_load_explicit(&watcher_started, memory_order_relaxed)) start_watcher();
}

/* Drops tx's entry and any inner ones (they are gone with it). Also called
 * from the fault path (plain stores: async-signal-safe). */
void immune_watchdog_forget(const struct __immune_tx *tx) {
  struct wd_thread *t = me;
  if (!t) return;
  int d = atomic_load(&t->depth);
  for (int k = d - 1; k >= 0; --k)
    if (t->tx[k] == tx) {
      for (int j = k; j < d; ++j) atomic_store(&t->deadline[j], 0);
      atomic_store(&t->depth, k);
      atomic_fetch_sub(&armed_total, d - k);
      break;
    }
  if (atomic_load(&t->depth) == 0) __atomic_store_n(&__immune_thread.watchdog_flag, 0, __ATOMIC_SEQ_CST);
}

IMMUNE_EXPORT void __immune_watchdog_disarm(struct __immune_tx *tx) {
  immune_watchdog_forget(tx);
}

IMMUNE_EXPORT void __immune_watchdog_poll(void) {
  __atomic_store_n(&__immune_thread.watchdog_flag, 0, __ATOMIC_SEQ_CST);
  struct wd_thread *t = me;
  if (!t) return;
  uint64_t now = now_ns();
  int d = atomic_load(&t->depth);
  for (int k = 0; k < d; ++k) {
    uint64_t dl = atomic_load(&t->deadline[k]);
    struct __immune_tx *tx = t->tx[k];
    if (!dl || now < dl) continue;
    if (!immune_tx_in_chain(tx, __immune_thread.tx_top)) { /* left by longjmp: forget it and what is inside */
      immune_watchdog_forget(tx);
      return;
    }
    /* A function a live vaccine leaves dormant runs on, as without Immune. */
    if (immune_site_dormant(tx->site)) {
      atomic_store(&t->deadline[k], 0);
      continue;
    }
    /* The outermost expired budget: abort that transaction, and with it
     * everything it called. */
    ucontext_t uc;
    getcontext(&uc);
    immune_abort_now(tx, &uc, "TIMEOUT");
  }
}
