// Rollback as a program sees it: after an abort, what the call allocated is
// freed, what it freed is still there, the locks it held are free, the
// descriptors it opened are closed; commits make frees happen; nesting,
// threads, non-local exits and a full log behave as docs/rollback.md says.
//
// Heap checks count bytes in use with blocks of 256 KiB, too big for
// glibc's per-thread caches: a block freed or not shows for certain.
#include <catch2/catch.hpp>

#include "options.h"
#include "stderr_capture.h"
#include "tx_helpers.h"
#include "immune/immune.h"

#include <atomic>
#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <thread>
#include <vector>

namespace {

constexpr size_t kBig = 256 * 1024;

int read_int(const volatile int *p) { return *p; }

// The compiler must not pair up or drop our mallocs and frees.
template <typename T> T *escape(T *p) {
  __asm__ volatile("" : "+r"(p)::"memory");
  return p;
}

// Bytes of heap in use. Blocks are kBig each: a block more or less shows
// as a difference of kBig, while what glibc caches after small frees
// (Catch2's own) stays far below kBig / 4.
size_t heap_bytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
bool same(size_t a, size_t b) { return (a > b ? a - b : b - a) < kBig / 4; }
bool fewer(size_t a, size_t b) { return a + kBig / 2 < b; }

int open_fds() {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  while (dirent *e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1; // opendir's own
}

bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

// Whether another thread could take the lock right now.
template <typename TryThenRelease> bool lockable_by_others(TryThenRelease try_then_release) {
  bool ok = false;
  std::thread t([&] { ok = try_then_release(); });
  t.join();
  return ok;
}
bool free_for_others(pthread_mutex_t *m) {
  return lockable_by_others(
      [m] { return pthread_mutex_trylock(m) == 0 && !pthread_mutex_unlock(m); });
}
bool rw_free_for_writers(pthread_rwlock_t *l) {
  return lockable_by_others(
      [l] { return pthread_rwlock_trywrlock(l) == 0 && !pthread_rwlock_unlock(l); });
}

} // namespace

TEST_CASE("an abort frees what the transaction allocated", "[rollback]") {
  __immune_site site = make_site("alloc_then_fault");
  size_t before = heap_bytes();
  for (int round = 0; round < 3; ++round) {
    int r = in_transaction(&site, [] {
      for (int i = 0; i < 4; ++i) memset(escape(malloc(kBig)), 1, kBig);
      escape(calloc(2, kBig));
      void *p = nullptr;
      if (posix_memalign(&p, 4096, kBig) == 0) escape(p);
      escape(aligned_alloc(64, kBig));
      escape(realloc(escape(malloc(100)), kBig));
      return read_int(nullptr);
    });
    CHECK(r == -1);
    CHECK(same(heap_bytes(), before));
  }
  CHECK(__immune_thread.rollback_pending == 0);
}

TEST_CASE("a free inside an aborted transaction never happened", "[rollback]") {
  __immune_site site = make_site("free_then_fault");
  char *obj = static_cast<char *>(malloc(kBig));
  strcpy(obj, "still here");
  size_t with_obj = heap_bytes();
  int r = in_transaction(&site, [&] {
    free(escape(obj));
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(same(heap_bytes(), with_obj));
  CHECK(std::string(obj) == "still here");
  free(obj); // once, for real: no double free
  CHECK(fewer(heap_bytes(), with_obj));
}

TEST_CASE("a free inside a committed transaction happens at the commit", "[rollback]") {
  __immune_site site = make_site("free_then_commit");
  char *obj = static_cast<char *>(malloc(kBig));
  size_t with_obj = heap_bytes();
  size_t inside = 0;
  int r = in_transaction(&site, [&] {
    free(escape(obj));
    inside = heap_bytes(); // deferred: still in use
    return 1;
  });
  CHECK(r == 1);
  CHECK(same(inside, with_obj));
  CHECK(fewer(heap_bytes(), with_obj));
  CHECK(__immune_thread.rollback_pending == 0);
}

TEST_CASE("a transaction's own blocks are freed at once and need no commit", "[rollback]") {
  __immune_site site = make_site("own_blocks");
  size_t before = heap_bytes();
  size_t peak = 0, after_free = 0;
  uint64_t pending_inside = 1;
  int r = in_transaction(&site, [&] {
    void *p = escape(malloc(kBig));
    peak = heap_bytes();
    free(p);
    after_free = heap_bytes();
    pending_inside = __immune_thread.rollback_pending;
    return 0;
  });
  CHECK(r == 0);
  CHECK(fewer(before, peak));
  CHECK(same(after_free, before));
  CHECK(pending_inside == 0); // nothing left: the commit call is skipped
}

TEST_CASE("a call inside a transaction that holds entries commits without the runtime", "[rollback]") {
  // A server's main loop under protect-all: the outer transaction never
  // ends and holds entries; the calls inside it must not each cost a
  // __immune_tx_commit (the pass compares the word with its entry value).
  __immune_site outer = make_site("main_loop"), inner = make_site("handler");
  uint64_t at_entry = 0, quiet_exit = 1, busy_exit = 0;
  void *kept = nullptr, *inner_block = nullptr;
  int r = in_transaction(&outer, [&] {
    kept = escape(malloc(64)); // the outer transaction's entry
    at_entry = __immune_thread.rollback_pending;
    in_transaction(&inner, [&] {
      quiet_exit = __immune_thread.rollback_pending; // logged nothing
      return 0;
    });
    in_transaction(&inner, [&] {
      inner_block = escape(malloc(64));
      busy_exit = __immune_thread.rollback_pending; // logged a block
      return 0;
    });
    return 0;
  });
  CHECK(r == 0);
  CHECK(at_entry != 0);
  CHECK(quiet_exit == at_entry); // the commit call is skipped
  CHECK(busy_exit != at_entry);  // this one commits into the outer call
  CHECK(__immune_thread.rollback_pending == 0);
  free(kept);
  free(inner_block);
}

TEST_CASE("a call that undoes what it logged skips the commit; one that pops older entries and logs does not",
          "[rollback]") {
  __immune_site outer = make_site("loop"), inner = make_site("request");
  static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER, inner_lock = PTHREAD_MUTEX_INITIALIZER;
  uint64_t at_entry = 0, paired = 1, popped_and_logged = 0;
  void *kept = nullptr, *block = nullptr;
  int r = in_transaction(&outer, [&] {
    kept = escape(malloc(64));
    pthread_mutex_lock(&held); // the outer call's newest entry
    at_entry = __immune_thread.rollback_pending;
    in_transaction(&inner, [&] {
      pthread_mutex_lock(&inner_lock); // a lock and its unlock,
      free(escape(malloc(32)));        // a block and its free
      pthread_mutex_unlock(&inner_lock);
      paired = __immune_thread.rollback_pending;
      return 0;
    });
    in_transaction(&inner, [&] {
      // Pops the outer call's entry, then logs one of its own: the log has
      // as many entries as at entry, and yet this call must commit.
      pthread_mutex_unlock(&held);
      block = escape(malloc(48));
      popped_and_logged = __immune_thread.rollback_pending;
      return 0;
    });
    return 0;
  });
  CHECK(r == 0);
  CHECK(paired == at_entry);
  CHECK(popped_and_logged != at_entry);
  CHECK(pthread_mutex_trylock(&held) == 0);
  pthread_mutex_unlock(&held);
  CHECK(__immune_thread.rollback_pending == 0);
  free(kept);
  free(block);
}

TEST_CASE("realloc of an older block: an abort finds it unchanged", "[rollback]") {
  __immune_site site = make_site("realloc_then_fault");
  char *obj = static_cast<char *>(malloc(64));
  strcpy(obj, "original");
  char *moved = nullptr;
  int r = in_transaction(&site, [&] {
    moved = static_cast<char *>(escape(realloc(obj, kBig)));
    strcpy(moved, "changed");
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(moved != obj);
  CHECK(std::string(obj) == "original");
  CHECK(malloc_usable_size(obj) >= 64);
  // Committed, the realloc takes effect: the new block keeps the contents.
  r = in_transaction(&site, [&] {
    moved = static_cast<char *>(escape(realloc(obj, 4096)));
    return 0;
  });
  CHECK(r == 0);
  CHECK(std::string(moved) == "original");
  free(moved);
}

TEST_CASE("blocks allocated inside a transaction work as usual after it", "[rollback]") {
  __immune_site site = make_site("tagged_blocks");
  char *p = nullptr, *q = nullptr;
  void *a = nullptr;
  int r = in_transaction(&site, [&] {
    p = escape(static_cast<char *>(malloc(10)));
    q = escape(strdup("duplicate"));
    a = escape(aligned_alloc(256, 300));
    return 0;
  });
  REQUIRE(r == 0);
  CHECK(malloc_usable_size(p) >= 10);
  CHECK(malloc_usable_size(a) >= 300);
  CHECK(reinterpret_cast<uintptr_t>(a) % 256 == 0);
  CHECK(std::string(q) == "duplicate");
  p = static_cast<char *>(realloc(p, 100000));
  REQUIRE(p != nullptr);
  a = realloc(a, 1000);
  REQUIRE(a != nullptr);
  CHECK(realloc(q, 0) == nullptr); // frees, as glibc's does
  free(p);
  free(a);
}

TEST_CASE("locks an aborted transaction still holds are released", "[rollback]") {
  __immune_site site = make_site("lock_then_fault");
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  static pthread_mutex_t done = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_t rec;
  pthread_mutex_init(&rec, &attr);
  pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
  int r = in_transaction(&site, [&] {
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&done); // taken and given back: not released twice
    pthread_mutex_unlock(&done);
    pthread_mutex_lock(&rec);
    pthread_mutex_lock(&rec);
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_rdlock(&rw);
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(free_for_others(&m));
  CHECK(free_for_others(&done));
  CHECK(free_for_others(&rec)); // both recursive levels
  CHECK(rw_free_for_writers(&rw)); // both read locks
  CHECK(__immune_thread.rollback_pending == 0);
  pthread_mutex_destroy(&rec);
}

TEST_CASE("a lock held before the transaction stays held", "[rollback]") {
  __immune_site site = make_site("outer_lock");
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  int r = in_transaction(&site, [] { return read_int(nullptr); });
  CHECK(r == -1);
  CHECK_FALSE(free_for_others(&m));
  pthread_mutex_unlock(&m);
}

TEST_CASE("descriptors an aborted transaction opened are closed", "[rollback]") {
  __immune_site site = make_site("open_then_fault");
  int before = open_fds();
  int kept = -1;
  FILE *f = nullptr;
  int r = in_transaction(&site, [&] {
    escape(&kept);
    open("/proc/self/status", O_RDONLY);
    openat(AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    socket(AF_UNIX, SOCK_STREAM, 0);
    int p[2];
    pipe(p);
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    kept = dup(p[0]);
    f = fopen("/proc/self/status", "r");
    int closed = open("/proc/self/status", O_RDONLY); // closed again: stays closed
    close(closed);
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(f != nullptr);
  CHECK_FALSE(fd_open(kept));
  CHECK(open_fds() == before);
  CHECK(__immune_thread.rollback_pending == 0);
}

TEST_CASE("an abort never closes a descriptor number that is no longer its own", "[rollback]") {
  __immune_site site = make_site("reused_number");
  int raw = -1;
  int r = in_transaction(&site, [&] {
    int fd = open("/proc/self/status", O_RDONLY);
    close(fd);
    // The same number, opened behind the runtime's back (as another thread
    // would): not the transaction's.
    raw = static_cast<int>(syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY));
    return read_int(nullptr);
  });
  CHECK(r == -1);
  REQUIRE(raw >= 0);
  CHECK(fd_open(raw));
  close(raw);

  // Closed by another thread while the transaction runs: not closed twice.
  int fd = -1, reopened = -1;
  r = in_transaction(&site, [&] {
    fd = open("/proc/self/status", O_RDONLY);
    std::thread([&] {
      close(fd);
      reopened = static_cast<int>(syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY));
    }).join();
    return read_int(nullptr);
  });
  CHECK(r == -1);
  REQUIRE(reopened >= 0);
  CHECK(fd_open(reopened));
  close(reopened);
}

TEST_CASE("a committed transaction's descriptors, locks and blocks stay", "[rollback]") {
  __immune_site site = make_site("commit_keeps");
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  int fd = -1;
  void *p = nullptr;
  size_t before = heap_bytes();
  int r = in_transaction(&site, [&] {
    fd = open("/proc/self/status", O_RDONLY);
    pthread_mutex_lock(&m);
    p = escape(malloc(kBig));
    return 0;
  });
  CHECK(r == 0);
  CHECK(fd_open(fd));
  CHECK_FALSE(free_for_others(&m));
  CHECK(fewer(before, heap_bytes()));
  CHECK(__immune_thread.rollback_pending == 0);
  // A later abort elsewhere does not touch them.
  CHECK(in_transaction(&site, [] { return read_int(nullptr); }) == -1);
  CHECK(fd_open(fd));
  close(fd);
  pthread_mutex_unlock(&m);
  free(p);
  CHECK(same(heap_bytes(), before));
}

TEST_CASE("nested: an inner abort undoes only its own part", "[rollback]") {
  __immune_site outer = make_site("outer"), inner = make_site("inner");
  static pthread_mutex_t mo = PTHREAD_MUTEX_INITIALIZER, mi = PTHREAD_MUTEX_INITIALIZER;
  size_t before = heap_bytes();
  size_t after_inner = 0, with_outer = 0;
  int r = in_transaction(&outer, [&] {
    escape(malloc(kBig));
    pthread_mutex_lock(&mo);
    with_outer = heap_bytes();
    int v = in_transaction(&inner, [&] {
      escape(malloc(kBig));
      pthread_mutex_lock(&mi);
      return read_int(nullptr);
    });
    after_inner = heap_bytes();
    return v == -1 ? 5 : 0;
  });
  CHECK(r == 5);
  CHECK(same(after_inner, with_outer)); // inner's block went, outer's stayed
  CHECK(free_for_others(&mi));
  CHECK_FALSE(free_for_others(&mo));
  pthread_mutex_unlock(&mo);
  (void)before;
}

TEST_CASE("nested: an inner commit merges, the outer abort undoes both", "[rollback]") {
  __immune_site outer = make_site("outer2"), inner = make_site("inner2");
  static pthread_mutex_t mo = PTHREAD_MUTEX_INITIALIZER, mi = PTHREAD_MUTEX_INITIALIZER;
  char *old_obj = static_cast<char *>(malloc(kBig));
  strcpy(old_obj, "pre-existing");
  size_t before = heap_bytes();
  int before_fds = open_fds();
  int r = in_transaction(&outer, [&] {
    escape(malloc(kBig));
    pthread_mutex_lock(&mo);
    int v = in_transaction(&inner, [&] {
      escape(malloc(kBig));
      pthread_mutex_lock(&mi);
      open("/proc/self/status", O_RDONLY);
      free(escape(old_obj)); // deferred through both levels
      return 1;
    });
    return v + read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(same(heap_bytes(), before));
  CHECK(free_for_others(&mo));
  CHECK(free_for_others(&mi));
  CHECK(open_fds() == before_fds);
  CHECK(std::string(old_obj) == "pre-existing");
  free(old_obj);
  CHECK(__immune_thread.rollback_pending == 0);
}

TEST_CASE("nested: an inner transaction frees an outer one's block", "[rollback]") {
  __immune_site outer = make_site("outer3"), inner = make_site("inner3");
  size_t before = heap_bytes();
  char *p = nullptr;
  size_t after_inner = 0;
  // Inner aborts: its free of outer's block is cancelled; outer commits.
  int r = in_transaction(&outer, [&] {
    p = escape(static_cast<char *>(malloc(kBig)));
    strcpy(p, "outer's");
    int v = in_transaction(&inner, [&] {
      free(p);
      return read_int(nullptr);
    });
    after_inner = heap_bytes();
    return v;
  });
  CHECK(r == -1);
  CHECK(fewer(before, after_inner));
  CHECK(std::string(p) == "outer's");
  free(p);
  CHECK(same(heap_bytes(), before));
  // Inner commits its free, outer commits: freed exactly once.
  r = in_transaction(&outer, [&] {
    p = escape(static_cast<char *>(malloc(kBig)));
    return in_transaction(&inner, [&] {
      free(p);
      return 2;
    });
  });
  CHECK(r == 2);
  CHECK(same(heap_bytes(), before));
}

TEST_CASE("a block freed by another thread while its transaction runs is freed once",
          "[rollback]") {
  __immune_site site = make_site("handoff");
  size_t before = heap_bytes();
  for (bool fault : {true, false}) {
    int r = in_transaction(&site, [&] {
      void *p = escape(malloc(kBig));
      std::thread([p] { free(p); }).join();
      return fault ? read_int(nullptr) : 0;
    });
    CHECK(r == (fault ? -1 : 0));
    CHECK(same(heap_bytes(), before));
  }
}

TEST_CASE("what a transaction allocated before starting a thread survives its abort",
          "[rollback]") {
  __immune_site site = make_site("spawner");
  std::atomic<int> seen{0};
  char *arg = nullptr;
  std::thread *t = nullptr;
  int r = in_transaction(&site, [&] {
    arg = escape(static_cast<char *>(malloc(64)));
    strcpy(arg, "for the thread");
    t = new std::thread([&seen, a = arg] {
      usleep(20000); // after the abort
      seen = std::string(a) == "for the thread" ? 1 : 2;
      free(a);
    });
    return read_int(nullptr);
  });
  CHECK(r == -1);
  t->join();
  delete t;
  CHECK(seen == 1);
}

TEST_CASE("longjmp out of a transaction hands its log to the transaction it lands in",
          "[rollback]") {
  __immune_site outer = make_site("lj_outer"), inner = make_site("lj_inner");
  size_t before = heap_bytes();
  // Lands inside outer, which then aborts: inner's block goes with it.
  int r = in_transaction(&outer, [&] {
    static jmp_buf jb;
    if (setjmp(jb) == 0)
      in_transaction(&inner, []() -> int {
        escape(malloc(kBig));
        longjmp(jb, 1);
      });
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(same(heap_bytes(), before));
  // Lands outside any transaction: the block stays (committed), and a
  // later abort elsewhere does not free it.
  static jmp_buf top;
  static void *kept;
  if (setjmp(top) == 0)
    in_transaction(&inner, []() -> int {
      kept = escape(malloc(kBig));
      longjmp(top, 1);
    });
  CHECK(in_transaction(&outer, [] { return read_int(nullptr); }) == -1);
  CHECK(fewer(before, heap_bytes()));
  free(kept);
  CHECK(same(heap_bytes(), before));
  CHECK(__immune_thread.rollback_pending == 0);
}

// Pushes a transaction of site that allocates a block and is then left the
// way a non-local exit the runtime does not see (swapcontext, a foreign
// unwinder) leaves it: its record dropped, no commit.
static __attribute__((noinline)) void *left_unseen(__immune_site *site) {
  __immune_tx *rec = push_record(site);
  void *p = escape(malloc(kBig));
  __immune_thread.tx_top = rec->prev;
  return p;
}

TEST_CASE("a nested transaction left unseen is undone with the one it ran in", "[rollback]") {
  __immune_site outer = make_site("unseen_outer"), inner = make_site("unseen_inner");
  size_t before = heap_bytes();
  // inner's record is above outer's on the transaction stack (records of
  // calls made inside a transaction come after it): outer's abort takes
  // inner's block with it.
  int r = in_transaction(&outer, [&] {
    left_unseen(&inner);
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(same(heap_bytes(), before));
  CHECK(__immune_thread.rollback_pending == 0);
}

TEST_CASE("errno is as the aborted call left it, rollback or not", "[rollback]") {
  __immune_site site = make_site("errno_rb");
  int r = in_transaction(&site, [] {
    open("/proc/self/status", O_RDONLY);
    escape(malloc(100));
    errno = EDOM;
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(errno == EDOM);
}

TEST_CASE("transactions on several threads roll back independently", "[rollback]") {
  __immune_site site = make_site("threaded_rb");
  constexpr int kThreads = 6, kRounds = 300;
  std::atomic<int> bad{0};
  int fds_before = open_fds();
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
      char *obj = static_cast<char *>(malloc(32));
      for (int round = 0; round < kRounds; ++round) {
        snprintf(obj, 32, "thread %d", i);
        bool fault = (round + i) % 2 == 0;
        int r = in_transaction(&site, [&] {
          for (int k = 0; k < 8; ++k) memset(escape(malloc(64 + k)), i, 64);
          pthread_mutex_lock(&mine);
          open("/proc/self/status", O_RDONLY);
          free(obj);
          if (!fault) {
            obj = static_cast<char *>(malloc(32));
            pthread_mutex_unlock(&mine);
          }
          return fault ? read_int(nullptr) : 0;
        });
        if (fault) {
          char want[32];
          snprintf(want, sizeof want, "thread %d", i);
          if (r != -1 || strcmp(obj, want) != 0 || pthread_mutex_trylock(&mine) != 0) ++bad;
          else pthread_mutex_unlock(&mine);
        } else if (r != 0) {
          ++bad;
        }
      }
      free(obj);
    });
  for (auto &t : ts) t.join();
  CHECK(bad == 0);
  // The committed rounds left their descriptors open: close those.
  for (int fd = 3; fd < 1024; ++fd) {
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n > 0 && std::string(target, n).find("/status") != std::string::npos) close(fd);
  }
  CHECK(open_fds() == fds_before);
}

TEST_CASE("a full log degrades with a warning and an incomplete rollback", "[rollback]") {
  __immune_site site = make_site("log_hog");
  uint64_t rb0, inc0, rb1, inc1;
  immune_rollback_stats_get(&rb0, &inc0);
  long verbosity = immune_opts.verbosity; // the reports are what is tested
  immune_opts.verbosity = 2; // the "log full" line is said at 2, the incomplete abort at 1
  std::string err = capture_stderr([&] {
    int r = in_transaction(&site, [] {
      // More than rollback_log_max (65536) heap entries in one call.
      for (int i = 0; i < 70000; ++i) escape(malloc(8));
      return read_int(nullptr);
    });
    CHECK(r == -1);
  });
  immune_opts.verbosity = verbosity;
  immune_rollback_stats_get(&rb1, &inc1);
  CHECK(inc1 == inc0 + 1);
  CHECK(rb1 == rb0 + 1);
  auto lines = lines_of(err);
  int full = 0, incomplete = 0;
  for (auto &l : lines) {
    if (l.rfind("immune: rollback log full (65536 entries) in log_hog: ", 0) == 0) ++full;
    if (l.rfind("immune: rollback incomplete in log_hog: 4464 operation(s) were not logged",
                0) == 0)
      ++incomplete;
  }
  CHECK(full == 1);
  CHECK(incomplete == 1);
  CHECK(__immune_thread.rollback_pending == 0);
  // The log is usable again for the next transaction.
  size_t before = heap_bytes();
  CHECK(in_transaction(&site, [] {
          escape(malloc(kBig));
          return read_int(nullptr);
        }) == -1);
  CHECK(same(heap_bytes(), before));
}

TEST_CASE("libc's own allocations inside an aborted transaction are kept", "[rollback]") {
  __immune_site site = make_site("first_write");
  // The stream's buffer is allocated by its first write, inside the call:
  // libc's state from then on, not the call's to free.
  FILE *f = fopen("/dev/null", "w");
  REQUIRE(f != nullptr);
  int r = in_transaction(&site, [&] {
    fprintf(f, "the first write allocates the buffer %d\n", 1);
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(fprintf(f, "and it is still there %d\n", 2) > 0);
  CHECK(fflush(f) == 0);
  CHECK(fclose(f) == 0); // frees the buffer: once
}

TEST_CASE("descriptors from before the transaction survive its abort", "[rollback]") {
  __immune_site site = make_site("old_fds");
  int old = open("/proc/self/status", O_RDONLY);
  int target = open("/proc/self/status", O_RDONLY);
  REQUIRE(old >= 0);
  REQUIRE(target >= 0);
  FILE *stream = nullptr;
  int r = in_transaction(&site, [&] {
    dup2(old, target);            // replaces a descriptor from before
    stream = fdopen(old, "r");    // wraps one
    return read_int(nullptr);
  });
  CHECK(r == -1);
  CHECK(fd_open(old));
  CHECK(fd_open(target));
  CHECK(fclose(stream) == 0); // closes old
  close(target);
}

TEST_CASE("a thread that exits inside a transaction commits what it did", "[rollback]") {
  __immune_site site = make_site("exits_inside");
  static char *older;
  static void *made;
  older = static_cast<char *>(malloc(kBig));
  size_t with_older = heap_bytes();
  pthread_t t;
  pthread_create(
      &t, nullptr,
      [](void *s) -> void * {
        in_transaction(static_cast<__immune_site *>(s), []() -> int {
          made = escape(malloc(kBig));
          free(older);
          pthread_exit(nullptr);
        });
        return nullptr;
      },
      &site);
  pthread_join(t, nullptr);
  CHECK(same(heap_bytes(), with_older)); // older freed, made kept
  CHECK(malloc_usable_size(made) >= kBig);
  free(made);
  CHECK(fewer(heap_bytes(), with_older));
}
