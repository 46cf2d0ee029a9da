// The rollback log as a data structure (runtime/rollback_log.c), with
// operations tables of the test's own: segments per transaction, drops,
// finds, what an undo walks and in which order, commits into the enclosing
// transaction, compaction, giving up outer entries when full, and what
// cannot be logged. The log is laid out in memory of the test's; no
// interceptor is involved (this thread has no live transaction).
#include <catch2/catch.hpp>

extern "C" {
#include "rollback_log.h"
}

#include <cstdlib>
#include <string>
#include <vector>

namespace {

// What the operations were called with, in order: "undo:<log>:<obj>" etc.
std::vector<std::string> calls;
// Objects the `live` operation says are dead.
std::vector<uintptr_t> dead;

std::string what(const char *op, int log, const rlog_entry *e) {
  return std::string(op) + ":" + std::to_string(log) + ":" + std::to_string(e->obj);
}

template <int Log> rlog_undone undo(rlog_thread *, rlog_entry *e) {
  calls.push_back(what("undo", Log, e));
  return Log == RLOG_LOCKS ? RLOG_UNDID_RELEASE_LOCK : RLOG_UNDID_FREE_BLOCK;
}
template <int Log> void commit(rlog_thread *, rlog_entry *e) {
  calls.push_back(what("commit", Log, e));
}
template <int Log> void give_up(rlog_thread *, rlog_entry *e) {
  calls.push_back(what("give_up", Log, e));
}
int live(const rlog_entry *e) {
  for (uintptr_t d : dead)
    if (d == e->obj) return 0;
  return 1;
}
void moved(rlog_entry *e, uint32_t idx) {
  calls.push_back("moved:" + std::to_string(e->obj) + "->" + std::to_string(idx));
}
void merged(rlog_thread *, uint32_t from, uint32_t owner_start) {
  calls.push_back("merged:" + std::to_string(from) + ":" + std::to_string(owner_start));
}

const rlog_ops heap_ops = {undo<RLOG_HEAP>, commit<RLOG_HEAP>, give_up<RLOG_HEAP>, nullptr, nullptr, merged};
const rlog_ops lock_ops = {undo<RLOG_LOCKS>, nullptr, nullptr, nullptr, nullptr, nullptr};
const rlog_ops fd_ops = {undo<RLOG_FDS>, commit<RLOG_FDS>, give_up<RLOG_FDS>, live, moved, nullptr};
const rlog_ops *const all_ops[RLOG_NLOGS] = {&heap_ops, &lock_ops, &fd_ops};

struct Log {
  void *mem;
  rlog_thread *t;
  explicit Log(uint32_t cap, uint32_t segs = 64) {
    mem = calloc(1, immune_rlog_bytes(cap, segs));
    t = immune_rlog_init(mem, cap, segs, all_ops);
    calls.clear();
    dead.clear();
  }
  ~Log() { free(mem); }
  int64_t add(const __immune_tx *tx, rlog_id id, uintptr_t obj) {
    return immune_rlog_append(t, tx, id, obj, id == RLOG_HEAP ? RLOG_ALLOC : id == RLOG_LOCKS ? RLOG_MUTEX : RLOG_FD, 1, 3);
  }
};

} // namespace

TEST_CASE("rollback log: each transaction's entries form its own segment, newest on top", "[rollback_log]") {
  Log L(16);
  __immune_tx outer{}, inner{};
  REQUIRE(L.add(&outer, RLOG_HEAP, 1) == 0);
  REQUIRE(L.add(&outer, RLOG_LOCKS, 2) == 0);
  REQUIRE(L.add(&inner, RLOG_HEAP, 3) == 1);
  REQUIRE(L.add(&inner, RLOG_HEAP, 4) == 2);
  REQUIRE(L.t->nsegs == 2);
  CHECK(L.t->segs[0].tx == &outer);
  CHECK(L.t->segs[1].tx == &inner);
  CHECK(L.t->segs[1].start[RLOG_HEAP] == 1);
  CHECK(L.t->segs[1].start[RLOG_LOCKS] == 1);
  CHECK(immune_rlog_in_current(L.t, &inner, RLOG_HEAP, 2));
  CHECK_FALSE(immune_rlog_in_current(L.t, &inner, RLOG_HEAP, 0));
  CHECK_FALSE(immune_rlog_in_current(L.t, &outer, RLOG_HEAP, 2));
}

TEST_CASE("rollback log: dropping the newest entries shrinks the log and its empty segment", "[rollback_log]") {
  Log L(16);
  __immune_tx outer{}, inner{};
  L.add(&outer, RLOG_HEAP, 1);
  L.add(&inner, RLOG_HEAP, 2);
  L.add(&inner, RLOG_HEAP, 3);
  immune_rlog_drop(L.t, RLOG_HEAP, 1); // a hole: stays until compaction
  CHECK(L.t->log[RLOG_HEAP].n == 3);
  CHECK(L.t->log[RLOG_HEAP].tombs == 1);
  immune_rlog_drop(L.t, RLOG_HEAP, 2); // the top: the hole below goes with it
  CHECK(L.t->log[RLOG_HEAP].n == 1);
  CHECK(L.t->log[RLOG_HEAP].tombs == 0);
  CHECK(L.t->nsegs == 1);
  CHECK(L.t->segs[0].tx == &outer);
  immune_rlog_drop(L.t, RLOG_HEAP, 7); // out of range: nothing
  CHECK(L.t->log[RLOG_HEAP].n == 1);
}

TEST_CASE("rollback log: find returns the newest match within the window", "[rollback_log]") {
  Log L(16);
  __immune_tx tx{};
  L.add(&tx, RLOG_LOCKS, 5);
  L.add(&tx, RLOG_LOCKS, 6);
  L.add(&tx, RLOG_LOCKS, 5);
  for (int i = 0; i < 8; ++i) L.add(&tx, RLOG_LOCKS, 100 + i);
  CHECK(immune_rlog_find(L.t, RLOG_LOCKS, RLOG_MUTEX, 5, 0) == 2);
  CHECK(immune_rlog_find(L.t, RLOG_LOCKS, RLOG_MUTEX, 5, 8) == -1);
  CHECK(immune_rlog_find(L.t, RLOG_LOCKS, RLOG_MUTEX, 5, 9) == 2);
  CHECK(immune_rlog_find(L.t, RLOG_LOCKS, RLOG_RWLOCK, 5, 0) == -1);
}

TEST_CASE("rollback log: an undo walks newest first, locks, then descriptors, then the heap", "[rollback_log]") {
  Log L(16);
  __immune_tx outer{}, inner{};
  L.add(&outer, RLOG_HEAP, 1);
  L.add(&inner, RLOG_HEAP, 2);
  L.add(&inner, RLOG_LOCKS, 3);
  L.add(&inner, RLOG_FDS, 4);
  L.add(&inner, RLOG_HEAP, 5);
  L.add(&inner, RLOG_LOCKS, 6);
  immune_rlog_drop(L.t, RLOG_HEAP, 1); // a hole below the top: skipped
  L.add(&inner, RLOG_HEAP, 7);
  uint32_t undone[RLOG_UNDID_KINDS] = {0};
  immune_rlog_undo_from(L.t, 1, undone);
  CHECK(calls == std::vector<std::string>{"undo:1:6", "undo:1:3", "undo:2:4", "undo:0:7", "undo:0:5"});
  CHECK(undone[RLOG_UNDID_RELEASE_LOCK] == 2);
  CHECK(undone[RLOG_UNDID_FREE_BLOCK] == 3);
  CHECK(L.t->nsegs == 1);
  CHECK(L.t->log[RLOG_HEAP].n == 1);
  CHECK(L.t->log[RLOG_LOCKS].n == 0);
  CHECK(L.t->log[RLOG_HEAP].tombs == 0);
}

TEST_CASE("rollback log: a commit hands the inner entries to the enclosing transaction", "[rollback_log]") {
  Log L(16);
  __immune_tx outer{}, inner{};
  L.add(&outer, RLOG_HEAP, 1);
  L.add(&inner, RLOG_HEAP, 2);
  L.add(&inner, RLOG_LOCKS, 3);
  immune_rlog_commit_into(L.t, 1, &outer);
  REQUIRE(L.t->nsegs == 1);
  CHECK(L.t->segs[0].tx == &outer);
  CHECK(L.t->segs[0].start[RLOG_HEAP] == 0);
  CHECK(calls == std::vector<std::string>{"merged:1:0"}); // only the heap has `merged`
  calls.clear();
  // No segment of the target below: the merged segment becomes the target's.
  __immune_tx other{};
  L.add(&inner, RLOG_FDS, 9);
  immune_rlog_merge(L.t, 1, &other);
  REQUIRE(L.t->nsegs == 2);
  CHECK(L.t->segs[1].tx == &other);
  CHECK(L.t->segs[1].start[RLOG_FDS] == 0);
  CHECK(calls.empty());
}

TEST_CASE("rollback log: everything takes effect once, dropped entries not at all", "[rollback_log]") {
  Log L(16);
  __immune_tx tx{};
  L.add(&tx, RLOG_HEAP, 1);
  L.add(&tx, RLOG_HEAP, 2);
  L.add(&tx, RLOG_LOCKS, 3);
  L.add(&tx, RLOG_FDS, 4);
  L.add(&tx, RLOG_HEAP, 5);
  immune_rlog_drop(L.t, RLOG_HEAP, 1);
  immune_rlog_take_effect_all(L.t);
  CHECK(calls == std::vector<std::string>{"commit:0:1", "commit:0:5", "commit:2:4"});
  CHECK(L.t->nsegs == 0);
  for (int id = 0; id < RLOG_NLOGS; ++id) CHECK(L.t->log[id].n == 0);
}

TEST_CASE("rollback log: a full log compacts away dead entries, then outer transactions give theirs up", "[rollback_log]") {
  Log L(4);
  __immune_tx outer{}, inner{};
  L.add(&outer, RLOG_FDS, 10);
  L.add(&outer, RLOG_FDS, 11);
  L.add(&inner, RLOG_FDS, 12);
  L.add(&inner, RLOG_FDS, 13);
  // Full; descriptor 11 was closed since (not live): compaction makes room.
  dead = {11};
  CHECK(L.add(&inner, RLOG_FDS, 14) == 3);
  CHECK(calls == std::vector<std::string>{"moved:12->1", "moved:13->2"});
  CHECK(L.t->segs[1].start[RLOG_FDS] == 1);
  calls.clear();
  // Full and all live: the outer transaction's entry takes effect now.
  CHECK(L.add(&inner, RLOG_FDS, 15) == 3);
  CHECK(calls == std::vector<std::string>{"give_up:2:10", "moved:12->0", "moved:13->1", "moved:14->2"});
  CHECK((L.t->segs[0].flags & RLOG_SEG_OVERFLOW) != 0);
  CHECK(L.t->segs[0].lost == 1);
  CHECK((L.t->segs[1].flags & RLOG_SEG_OVERFLOW) == 0);
  // Nothing left to give up: the operation is lost, the transaction marked.
  calls.clear();
  CHECK(L.add(&inner, RLOG_FDS, 16) == -1);
  CHECK(calls.empty());
  CHECK((L.t->segs[1].flags & RLOG_SEG_OVERFLOW) != 0);
  CHECK(L.t->segs[1].lost == 1);
}

TEST_CASE("rollback log: without room for a segment, the enclosing one is marked", "[rollback_log]") {
  Log L(16, 1);
  __immune_tx outer{}, inner{};
  REQUIRE(L.add(&outer, RLOG_HEAP, 1) == 0);
  CHECK(L.add(&inner, RLOG_HEAP, 2) == -1);
  CHECK(L.t->nsegs == 1);
  CHECK((L.t->segs[0].flags & RLOG_SEG_OVERFLOW) != 0);
  CHECK(L.t->segs[0].lost == 1);
}
