/* The abort engine: which transaction a fault (or a runtime decision)
 * aborts, whether it may, and the abort itself. The signal handler
 * (fault_handler.c) and the runtime's own detectors — a broken guard-slot
 * canary (guard_pool.c), an expired budget (watchdog.c), a full transaction
 * stack and fault injection (tx_stack.c) — all come here, so the rules are
 * written once:
 *
 *   - only records of this thread's transaction stack are acted on, and
 *     each is checked before it is read (tx_stack.c: immune_tx_valid);
 *   - a record whose checkpoint is below the faulting stack pointer was left
 *     by a non-local exit we did not see, never live;
 *   - a transaction whose frame lost its return address (an overflow from
 *     a callee ran over it) is not resumed: its caller's transaction is;
 *   - a fault that exhausted the stack aborts the innermost transaction that
 *     leaves stack_headroom_kb of stack for its abort path;
 *   - a transaction a live vaccine leaves dormant is never resumed: the
 *     fault belongs to the innermost enclosing one that is armed
 *     (vaccine.c), as if the dormant ones were not there;
 *   - a site over its max_recoveries budget escalates instead of healing;
 *   - what cannot be healed dies as without Immune (immune_die_with_signal).
 *
 * Everything here runs in a signal handler or in code that has just found
 * the program's state broken: async-signal-safe, no allocation, no locks. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "abort.h"
#include "event_log.h"
#include "guard_pool.h"
#include "internal.h"
#include "options.h"

static _Atomic uint64_t total_recoveries;

/* Checkpoints on one stack lie within this many bytes of each other: 64 MiB
 * bounds "same stack", so a fault on an alternate or coroutine stack does not
 * discard live transactions of the thread's main stack. */
#define SAME_STACK_SPAN (64ull << 20)

/* A fault this close below the stack pointer (or just above it: a push) is
 * the stack running out, not a bad pointer of the program. */
#define STACK_FAULT_BELOW (64ull << 10)
#define STACK_FAULT_ABOVE 4096u

int immune_is_stack_exhaustion(int sig, uintptr_t addr, uint64_t sp) {
  if (sig != SIGSEGV && sig != SIGBUS) return 0;
  return addr <= sp + STACK_FAULT_ABOVE && addr + STACK_FAULT_BELOW >= sp;
}

/* The return address in the record is the one in the frame now. The record
 * is trusted (it is not in the frame); fp points into this thread's stack,
 * so the read cannot fault. */
int immune_frame_intact(const struct __immune_tx *tx) {
  return *(const uint64_t *)(uintptr_t)(tx->fp + 8) == tx->ret;
}

static const char all_dormant[] =
    "no live transaction is armed by the vaccine (IMMUNE_OPTIONS=vaccine): the functions "
    "on the stack are dormant";

static const char corrupt_stack[] =
    "the transaction stack is corrupt (a wild write into the runtime's memory)";

struct __immune_tx *immune_choose_transaction(uint64_t fault_sp, uintptr_t stack_fault,
                                              uintptr_t guard_fault, const char **why) {
  struct __immune_tx *tx = __immune_thread.tx_top;
  *why = NULL;
  if (tx && !immune_tx_valid(tx)) {
    *why = corrupt_stack;
    return NULL;
  }
  /* A checkpoint taken by a frame strictly below the faulting stack pointer
   * on the same stack cannot be live (live frames are above the code that
   * faults): it was left by a non-local exit nobody saw. */
  while (tx && tx->sp < fault_sp && fault_sp - tx->sp < SAME_STACK_SPAN) {
    tx = tx->prev;
    if (tx && !immune_tx_valid(tx)) {
      *why = corrupt_stack;
      return NULL;
    }
  }
  /* A guard page of a relocated buffer: the overflow is the fault of the
   * transaction that owns the buffer, even when it happened in a callee
   * (libc's memcpy) that has a transaction of its own: that callee only
   * did what the owner told it. */
  if (tx && guard_fault) {
    struct __immune_tx *owner = immune_guard_owner(guard_fault);
    if (owner && immune_tx_in_chain(owner, tx)) tx = owner;
  }
  /* Climb to the innermost transaction that can be resumed safely: one
   * with stack_headroom_kb of stack below it when the fault exhausted the
   * stack (its abort path needs stack), and whose function's return
   * address is the one it had at entry (resuming a frame an overflow
   * rewrote would end in a jump to the attacker's bytes; its caller's frame
   * is discarded with it). */
  uint64_t need = (uint64_t)immune_opts.stack_headroom_kb << 10;
  while (tx) {
    if (immune_site_dormant(tx->site)) {
      if (!*why) *why = all_dormant;
    } else if (stack_fault && tx->sp - stack_fault < need)
      *why = "stack exhausted: no live transaction leaves stack_headroom_kb of stack "
             "for its abort path";
    else if (!immune_frame_intact(tx))
      *why = "the frame of a protected function was overwritten (its return address "
             "changed): resuming it would jump to attacker-written bytes";
    else {
      *why = NULL;
      return tx;
    }
    tx = tx->prev;
    if (tx && !immune_tx_valid(tx)) {
      *why = corrupt_stack;
      return NULL;
    }
  }
  return NULL;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Counts the abort in the site's window; returns 1 when the site has used up
 * its max_recoveries in the window and must not heal any more. Relaxed
 * atomics: concurrent faults at one site may blur the count by a few, never
 * corrupt it. */
int immune_over_budget(struct __immune_site *s) {
  if (immune_opts.max_recoveries <= 0) return 0;
  uint64_t now = now_ms(), start = __atomic_load_n(&s->window_start_ms, __ATOMIC_RELAXED);
  if (start == 0 || now - start > (uint64_t)immune_opts.recovery_window_ms) {
    __atomic_store_n(&s->window_start_ms, now ? now : 1, __ATOMIC_RELAXED);
    __atomic_store_n(&s->window_count, 0, __ATOMIC_RELAXED);
  }
  uint64_t n = __atomic_add_fetch(&s->window_count, 1, __ATOMIC_RELAXED);
  return n > (uint64_t)immune_opts.max_recoveries;
}

/* ---- Replayed input (recovery livelock). ---------------------------------
 * A rollback puts the program back where it was before the call, input
 * included: a state machine that hands the same bytes to the same function
 * again faults again, forever (memcached: 95,000 recoveries a second, one
 * worker lost). What tells that from a stream of bad inputs, each healed:
 *
 *   - the same function faults at the same pc, with no commit of it in
 *     between: inside one call of its enclosing transaction, whose record
 *     the runtime tags with the function's site (the pass zeroes the tag of
 *     every new record, and a commit of the tagged function clears it), or,
 *     with no enclosing transaction, with no outermost commit in between
 *     (thread.outer_commits);
 *   - and the thread never blocked in between (its voluntary context
 *     switches, getrusage(RUSAGE_THREAD), did not change): new input has
 *     to be waited for, a replay never waits.
 *
 * More than replay_aborts such aborts in a row and the abort goes to the
 * enclosing transaction instead; without one (replay_outermost=1 only) the
 * process dies. A few functions are watched per thread, so a caller the
 * abort climbed to that is replayed in turn climbs on. Outermost
 * transactions are left out by default: measured, the demo server
 * answering bombard's stream of bad requests neither blocks nor commits
 * between them (it accepts the next pending connection), and looked like a
 * replay. */
#define REPLAY_WATCHES 4
struct replay_watch {
  const struct __immune_site *site;
  uint64_t pc, commits, used;
  long switches;
  unsigned count;
};
static IMMUNE_TLS struct replay_watch watches[REPLAY_WATCHES];
static IMMUNE_TLS uint64_t replay_clock;

static long voluntary_switches(void) {
  struct rusage ru;
  if (syscall(SYS_getrusage, RUSAGE_THREAD, &ru) != 0) return -1;
  return ru.ru_nvcsw;
}

int immune_replayed(struct __immune_tx *tx, uint64_t pc) {
  if (immune_opts.replay_aborts <= 0) return 0;
  struct __immune_tx *outer = tx->prev;
  if (!outer && !immune_opts.replay_outermost) return 0;
  long sw = voluntary_switches();
  uint64_t site = (uint64_t)(uintptr_t)tx->site;
  struct replay_watch *w = NULL, *lru = &watches[0];
  for (unsigned i = 0; i < REPLAY_WATCHES; ++i) {
    if (watches[i].site == tx->site) w = &watches[i];
    if (watches[i].used < lru->used) lru = &watches[i];
  }
  /* The caller's record names the function being watched inside this call
   * of it; a commit of that function clears it (the pass), and a new call
   * of the caller starts with 0. Outermost: the commit count. */
  int same = w && sw >= 0 && w->switches == sw && w->pc == pc &&
             (outer ? outer->tag == site : w->commits == __immune_thread.outer_commits);
  if (!w) w = lru;
  w->used = ++replay_clock;
  if (same) return ++w->count > (unsigned)immune_opts.replay_aborts;
  w->site = tx->site;
  w->pc = pc;
  w->switches = sw;
  w->commits = __immune_thread.outer_commits;
  w->count = 1;
  if (outer) outer->tag = site;
  return 0;
}

struct __immune_tx *immune_enclosing_resumable(struct __immune_tx *tx) {
  for (tx = tx ? tx->prev : NULL; tx; tx = tx->prev) {
    if (!immune_tx_valid(tx)) return NULL;
    if (!immune_site_dormant(tx->site) && immune_frame_intact(tx)) return tx;
  }
  return NULL;
}

struct __immune_tx *immune_innermost_armed(void) {
  struct __immune_tx *tx = __immune_thread.tx_top;
  if (!tx || !immune_tx_valid(tx)) return NULL;
  return immune_site_dormant(tx->site) ? immune_enclosing_resumable(tx) : tx;
}

/* Everything an abort does but the jump: pop the record and every record
 * inside it (a fault in the abort path belongs to the next outer
 * transaction, never to this one again), give back the guard slots the
 * aborted call held, count, report. The record stays intact (the next one) for
 * the abort path's __immune_tx_rollback. */
/* A recovery of site: counted (process and site) and reported. */
static void count_recovery(struct __immune_site *site, struct immune_event *ev) {
  atomic_fetch_add_explicit(&total_recoveries, 1, memory_order_relaxed);
  immune_count_abort(site);
  ev->kind = IMMUNE_EV_RECOVERED;
  immune_log_event(ev);
}

void immune_abort_transaction(struct __immune_tx *tx, struct immune_event *ev) {
  immune_tx_pop_to(tx);
  immune_watchdog_forget(tx);
  if (tx->site->flags & IMMUNE_SITE_SLOTS) __immune_thread.slot_top = tx->slot_mark;
  count_recovery(tx->site, ev);
}

__attribute__((noreturn)) void immune_die_with_signal(int sig) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  immune_real_sigaction(sig, &dfl, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
  _exit(128 + sig); /* not reached: the signal is fatal by default */
}

/* A canary of a relocated buffer was found broken when its slot was
 * released (guard_pool.c): the buffer overflowed into slack the guard page
 * could not cover. That is a fault of the innermost live transaction, which
 * aborts from here — ordinary code, not a handler, so it resumes the
 * checkpoint directly. Outside any transaction the process dies with
 * SIGABRT, as __stack_chk_fail would have made it. */
static __attribute__((noreturn)) void abort_for_broken(struct immune_event *ev);

void immune_abort_for_canary(const struct __immune_buffer *buffer) {
  ucontext_t uc;
  getcontext(&uc);
  struct immune_event ev = {IMMUNE_EV_CRASHED, 0, NULL, &uc, NULL, buffer, "CANARY", NULL, 0, NULL};
  abort_for_broken(&ev);
}

/* A guarded heap block's canaries, found broken by free or realloc
 * (rollback_heap.c): the same rules, from the allocator's entry point. */
void immune_abort_for_heap_canary(const struct immune_heap_hit *hit, uintptr_t address) {
  ucontext_t uc;
  getcontext(&uc);
  struct immune_event ev = {IMMUNE_EV_CRASHED, 0, NULL, &uc, NULL, NULL, "HEAP_CANARY", NULL, address,
                            hit->size ? hit : NULL};
  abort_for_broken(&ev);
}

static void abort_for_broken(struct immune_event *evp) {
  struct immune_event ev = *evp;
  const char *why;
  struct __immune_tx *tx =
      immune_choose_transaction((uint64_t)(uintptr_t)__builtin_frame_address(0), 0, 0, &why);
  ev.reason = why;
  if (tx && immune_opts.mode == IMMUNE_MODE_PROTECT) {
    ev.site = tx->site;
    if (!immune_over_budget(tx->site)) {
      immune_abort_transaction(tx, &ev);
      __immune_resume(tx);
    }
    ev.kind = IMMUNE_EV_ESCALATED;
  } else if (tx && immune_opts.mode == IMMUNE_MODE_MONITOR) {
    ev.site = tx->site;
  }
  if (immune_opts.mode != IMMUNE_MODE_OFF) immune_log_event(&ev);
  immune_die_with_signal(SIGABRT);
}

IMMUNE_EXPORT uint64_t immune_recoveries(void) {
  return atomic_load_explicit(&total_recoveries, memory_order_relaxed);
}

/* Fault injection (IMMUNE_OPTIONS=inject=...): tx_stack.c found the entering
 * site marked and filled the next record without pushing it. The call
 * aborts before its body runs: count and report; the pass's code then takes
 * the abort path, whose __immune_tx_rollback finds that record. */
void immune_inject_abort(struct __immune_tx *rec) {
  ucontext_t uc;
  getcontext(&uc);
  rec->fp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
  rec->sp = rec->fp;
  struct immune_event ev = {IMMUNE_EV_RECOVERED, 0, NULL, &uc, rec->site, NULL, "INJECTED", NULL, 0, NULL};
  count_recovery(rec->site, &ev);
}

/* A runtime decision to abort tx (the watchdog's budget ran out, the
 * transaction stack is full), from ordinary code at a safe point: the
 * transactions inside tx are discarded with it, and its checkpoint is
 * resumed directly. */
void immune_abort_now(struct __immune_tx *tx, struct ucontext_t *uc, const char *cause) {
  struct immune_event ev = {IMMUNE_EV_RECOVERED, 0, NULL, (ucontext_t *)uc, NULL, NULL, cause, NULL, 0, NULL};
  if (!tx) {
    /* Every live transaction is dormant (a vaccine is in force): the
     * program goes on as without Immune would have let it, into the stack
     * overflow that kills it. */
    ev.kind = IMMUNE_EV_CRASHED;
    ev.reason = all_dormant;
    if (immune_opts.mode != IMMUNE_MODE_OFF) immune_log_event(&ev);
    immune_die_with_signal(SIGSEGV);
  }
  ev.site = tx->site;
  int intact = immune_frame_intact(tx);
  if (immune_opts.mode != IMMUNE_MODE_PROTECT || !intact || immune_over_budget(tx->site)) {
    ev.kind = IMMUNE_EV_ESCALATED;
    ev.reason = immune_opts.mode != IMMUNE_MODE_PROTECT ? "not healed (mode is not protect)"
                : !intact ? "the frame of the protected function was overwritten (its "
                            "return address changed)"
                          : "too many aborts at this site";
    if (immune_opts.mode != IMMUNE_MODE_OFF) immune_log_event(&ev);
    immune_die_with_signal(SIGABRT);
  }
  immune_abort_transaction(tx, &ev);
  __immune_resume(tx);
}
