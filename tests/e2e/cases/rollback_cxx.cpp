/* Rollback in C++: new and delete, std::string, std::vector, unique_ptr,
 * std::ifstream and a std::lock_guard in a member function that faults —
 * after each abort the heap is as before, the object it deleted is intact,
 * the std::mutex is free and no descriptor is open (no destructor ran: the
 * rollback did their work). An exception thrown out of a protected
 * function commits what it did (the caller catches it and keeps the
 * results); one caught inside a call that then faults leaves nothing.
 * E2E-CFLAGS: -pthread
 * E2E-ENV: GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
 * E2E-RECOVERED: 11
 */
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "e2e.h"
#include "rollback_e2e.h"

struct Record {
  std::string name;
  std::vector<int> values;
};

static std::mutex table_mutex;
static std::vector<std::unique_ptr<Record>> results;

class Importer {
public:
  IMMUNE_RETURN(-1) int import(Record *old, const int *input) {
    std::lock_guard<std::mutex> guard(table_mutex);
    std::vector<std::string> lines;
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    auto rec = std::make_unique<Record>();
    rec->name = std::string(200, 'n');
    for (int i = 0; i < 1000; ++i) rec->values.push_back(i);
    delete old;
    E2E_BARRIER();
    return static_cast<int>(lines.size()) + *input;
  }
};

/* Throws after its work: the exception commits it. */
IMMUNE_PROTECT int add_then_throw(Record *old) {
  auto rec = std::make_unique<Record>();
  rec->name = "added before the throw";
  results.push_back(std::move(rec));
  delete old;
  throw std::runtime_error("thrown out of a protected function");
}

/* Catches its own exception, then faults: nothing of it stays. */
IMMUNE_RETURN(-1) int catch_then_fault(const int *input) {
  std::string *s = new std::string(500, 's');
  try {
    throw std::runtime_error(std::string(300, 'e'));
  } catch (const std::exception &e) {
    s->append(e.what());
  }
  return static_cast<int>(s->size()) + *input;
}

static bool mutex_free_for_others() {
  bool ok = false;
  std::thread t([&] {
    if (table_mutex.try_lock()) {
      ok = true;
      table_mutex.unlock();
    }
  });
  t.join();
  return ok;
}

int main() {
  e2e_setup_stdio();
  const int *bad = E2E_NULL(const int *);
  Record *old = new Record{std::string(100, 'o'), {1, 2, 3}};
  Importer importer;
  CHECK_TRUE(mutex_free_for_others()); // the first thread's bookkeeping
  size_t heap0 = heap_in_use();
  int fds0 = open_fds();
  for (int round = 0; round < 10; ++round) {
    CHECK_INT(importer.import(old, bad), -1);
    CHECK_INT(heap_in_use(), heap0);
    CHECK_INT(open_fds(), fds0);
    CHECK_TRUE(old->name == std::string(100, 'o') && old->values.size() == 3);
    CHECK_TRUE(mutex_free_for_others());
  }

  CHECK_INT(catch_then_fault(bad), -1);
  CHECK_INT(heap_in_use(), heap0);

  delete old;
  old = new Record{std::string(5000, 'x'), {}};
  size_t with_old = heap_in_use();
  bool caught = false;
  try {
    add_then_throw(old);
  } catch (const std::runtime_error &e) {
    caught = std::string(e.what()) == "thrown out of a protected function";
  }
  CHECK_TRUE(caught);
  CHECK_INT(results.size(), 1);
  CHECK_TRUE(results[0]->name == "added before the throw");
  CHECK_TRUE(heap_in_use() + 4000 < with_old); // the delete happened
  results.clear();
  CHECK_DEPTH0();
  return e2e_done();
}
