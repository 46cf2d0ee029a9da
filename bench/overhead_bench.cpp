// What a transaction costs, each figure measured in the same process as the
// same code without Immune (kernels.c compiled twice, see kernels.h):
//
//   call/{plain,protected}           one call of work(): the added ns per
//                                    protected call
//   nest2/..., nest4/...             2 / 4 nested calls, every level protected
//   loop/{protected,budget}          64 loop iterations in a protected
//                                    function, without and with a watchdog
//                                    budget: the watchdog's idle cost
//   buffer/{plain,protected}         a call with a 64-byte stack buffer: in
//                                    the protected build the buffer is in a
//                                    guard-page slot (DYBOC); minus the call
//                                    figures, the cost per relocated buffer
//   fault_to_return/stderr:devnull   work(NULL) faults every call: fault,
//                                    signal delivery, abort, return of -1; the
//                                    runtime's recovery report (a write(2) per
//                                    fault) goes to /dev/null
//   fault_to_return/stderr:file      the same with the report going to a file
//   fault_floor/raw_signal           the kernel's share: the same fault
//                                    delivered to a handler that only skips
//                                    the load, then sigreturn
//   report_write/{devnull,file}      one write(2) of the report line alone
//   heap/{plain,protected,guarded}   a call that mallocs 16..1023 bytes,
//                                    stores to the last one and frees: plain;
//                                    protected (the block is logged for heap
//                                    rollback); IMMUNE_GUARD_HEAP (it comes
//                                    from the guarded heap): guarded minus
//                                    plain is what a guarded malloc+free
//                                    costs, target <= 1 us
//
// The runtime reads IMMUNE_OPTIONS once, before main, so a different runtime
// configuration (verbosity=0, log_path=FILE) is a different run of this
// binary; bench/run.sh makes those runs and turns their JSON into the
// summary table. The harness itself is plain C++ (not instrumented); it links
// the static runtime whole-archive, as immune-cc links executables.
#include <benchmark/benchmark.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <dlfcn.h>
#include <fcntl.h>
#include <ucontext.h>
#include <unistd.h>

#include "immune/immune.h"
#include "kernels.h"

// The kernel-only floor needs a faulting load whose length the handler knows,
// so it is written here rather than left to the compiler: `movl (%rdi), %eax`
// faults with rdi = NULL and the handler resumes at the `ret` after it.
extern "C" int bench_raw_fault_load(const int *p);
extern "C" const char bench_raw_fault_resume[];
asm(R"(
    .pushsection .text
    .globl  bench_raw_fault_load
    .globl  bench_raw_fault_resume
    .type   bench_raw_fault_load, @function
    .p2align 4
bench_raw_fault_load:
    movl    (%rdi), %eax
bench_raw_fault_resume:
    ret
    .size   bench_raw_fault_load, .-bench_raw_fault_load
    .popsection
)");

namespace {

using Kernel = int (*)(const int *, int);

const int kInput[2] = {7, 9};

// The rewound report file never grows past this many reports.
constexpr uint64_t kRewindEvery = 4096;

// The value of `key` in IMMUNE_OPTIONS ("key=value:key=value"), or "".
std::string immuneOption(const char *key) {
  const char *opts = getenv("IMMUNE_OPTIONS");
  std::string all = opts ? opts : "", want = std::string(key) + "=";
  for (size_t at = 0; at <= all.size();) {
    size_t end = all.find(':', at);
    if (end == std::string::npos) end = all.size();
    if (all.compare(at, want.size(), want) == 0)
      return all.substr(at + want.size(), end - at - want.size());
    at = end + 1;
  }
  return "";
}

// The runtime's JSON event log (IMMUNE_OPTIONS log_path=FILE), which the
// fault benchmark empties every kRewindEvery faults; "" when there is none.
std::string gEventLog;

// The kernel is a template argument so the loop makes a direct call, as a
// caller of a protected function would.
template <Kernel Fn> void BM_Call(benchmark::State &st) {
  int n = 0;
  for (auto _ : st) {
    int r = Fn(kInput, n++);
    benchmark::DoNotOptimize(r);
  }
}

enum class Sink { DevNull, File };

// /dev/null, or an unlinked temporary file (regular file in $TMPDIR or /tmp)
// that the benchmark rewinds every kRewindEvery reports.
int openSink(Sink s) {
  if (s == Sink::DevNull) return open("/dev/null", O_WRONLY | O_CLOEXEC);
  const char *dir = getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/immune-bench-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd >= 0) unlink(path.c_str());
  return fd;
}

// Points fd 2 (where the runtime writes its recovery reports) at `fd` for
// the life of the object.
class StderrTo {
public:
  explicit StderrTo(int fd) : saved_(dup(2)) {
    fflush(stderr);
    dup2(fd, 2);
  }
  ~StderrTo() {
    fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
  }
  StderrTo(const StderrTo &) = delete;
  StderrTo &operator=(const StderrTo &) = delete;

private:
  int saved_;
};

void BM_FaultToReturn(benchmark::State &st, Sink sink) {
  int fd = openSink(sink);
  if (fd < 0) {
    st.SkipWithError("cannot open the report sink");
    return;
  }
  const uint64_t before = immune_function_aborts("work_protected");
  bool wrong = false;
  {
    StderrTo redirect(fd);
    const int *p = nullptr;
    uint64_t i = 0;
    for (auto _ : st) {
      benchmark::DoNotOptimize(p);
      int r = work_protected(p, 0);
      wrong |= r != -1;
      if (++i % kRewindEvery == 0) {
        if (sink == Sink::File) lseek(fd, 0, SEEK_SET);
        // The runtime appends (O_APPEND): emptying the file is enough.
        if (!gEventLog.empty() && truncate(gEventLog.c_str(), 0) != 0) wrong = true;
      }
    }
  }
  close(fd);
  const uint64_t healed = immune_function_aborts("work_protected") - before;
  if (wrong || healed != static_cast<uint64_t>(st.iterations()))
    st.SkipWithError("a faulting call did not abort and return -1");
  else if (immune_tx_depth() != 0)
    st.SkipWithError("transaction records left on the stack");
}

// The runtime interposes sigaction() so that a handler the program installs
// later is chained behind Immune's instead of replacing it. The floor must
// measure the kernel alone, so it swaps handlers with libc's own sigaction
// (the next definition after the executable's).
using SigactionFn = int (*)(int, const struct sigaction *, struct sigaction *);
SigactionFn gLibcSigaction;

void rawSkipHandler(int, siginfo_t *, void *ucv) {
  greg_t *r = static_cast<ucontext_t *>(ucv)->uc_mcontext.gregs;
  if (r[REG_RIP] == reinterpret_cast<greg_t>(&bench_raw_fault_load)) {
    r[REG_RIP] = reinterpret_cast<greg_t>(bench_raw_fault_resume);
    r[REG_RAX] = -1;
    return;
  }
  // Not our load: die of it on return, as without any handler.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  gLibcSigaction(SIGSEGV, &dfl, nullptr);
}

void BM_FaultFloor(benchmark::State &st) {
  if (!gLibcSigaction)
    gLibcSigaction = reinterpret_cast<SigactionFn>(dlsym(RTLD_NEXT, "sigaction"));
  if (!gLibcSigaction) {
    st.SkipWithError("libc's sigaction not found");
    return;
  }
  struct sigaction sa, immune;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = rawSkipHandler;
  // The same flags as Immune's handler, so the same alternate-stack switch.
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  struct sigaction now;
  if (gLibcSigaction(SIGSEGV, &sa, &immune) != 0 ||
      gLibcSigaction(SIGSEGV, nullptr, &now) != 0 || now.sa_sigaction != rawSkipHandler) {
    st.SkipWithError("could not install the raw handler in front of Immune's");
    return;
  }
  const int *p = nullptr;
  bool wrong = false;
  for (auto _ : st) {
    benchmark::DoNotOptimize(p);
    int r = bench_raw_fault_load(p);
    wrong |= r != -1;
  }
  gLibcSigaction(SIGSEGV, &immune, nullptr);
  if (wrong) st.SkipWithError("the raw handler did not skip the load");
}

std::string gReportLine; // what the runtime writes per recovery (main)

void BM_ReportWrite(benchmark::State &st, Sink sink) {
  if (gReportLine.empty()) {
    st.SkipWithError("no report line to write (verbosity=0)");
    return;
  }
  int fd = openSink(sink);
  if (fd < 0) {
    st.SkipWithError("cannot open the report sink");
    return;
  }
  uint64_t i = 0;
  for (auto _ : st) {
    ssize_t w = write(fd, gReportLine.data(), gReportLine.size());
    benchmark::DoNotOptimize(w);
    if (sink == Sink::File && ++i % kRewindEvery == 0) lseek(fd, 0, SEEK_SET);
  }
  close(fd);
}

// Refuse to measure anything if the protected build is not what it claims:
// work_protected must be registered with the runtime, compute what
// work_plain computes, and turn a NULL load into -1 with one report line
// (unless verbosity=0), which is kept for BM_ReportWrite.
bool checkSetup() {
  immune_stat stats[16];
  size_t n = immune_stats(stats, 16);
  bool registered = false;
  for (size_t i = 0; i < n && i < 16; ++i)
    registered |= strcmp(stats[i].function, "work_protected") == 0;
  if (!registered) {
    fprintf(stderr, "immune_bench: work_protected is not registered with the "
                    "runtime; was kernels.c built by immune-cc?\n");
    return false;
  }
  if (work_protected(kInput, 5) != work_plain(kInput, 5) ||
      nest4_protected(kInput, 5) != nest4_plain(kInput, 5)) {
    fprintf(stderr, "immune_bench: protected and plain kernels disagree\n");
    return false;
  }
  int pipefd[2];
  if (pipe(pipefd) != 0) return false;
  int r;
  {
    StderrTo redirect(pipefd[1]);
    r = work_protected(nullptr, 0);
  }
  close(pipefd[1]);
  char buf[1024];
  ssize_t len = read(pipefd[0], buf, sizeof buf);
  close(pipefd[0]);
  // verbosity=0 silences the report; anything else must produce it.
  const bool quiet = immuneOption("verbosity") == "0";
  if (r != -1 || (len <= 0 && !quiet) || immune_tx_depth() != 0) {
    fprintf(stderr, "immune_bench: work_protected(NULL) returned %d, wanted -1 "
                    "and one recovery report\n", r);
    return false;
  }
  if (len > 0) gReportLine.assign(buf, static_cast<size_t>(len));
  return true;
}

} // namespace

int main(int argc, char **argv) {
  // A site that aborts more than max_recoveries times (default 1000000) in
  // recovery_window_ms stops healing, and the next fault kills the process:
  // the fault benchmarks get there in seconds. The runtime has read its
  // options before main, so raise the budget (not disable it: the check stays
  // on the measured path) and start again with it in the environment.
  if (immuneOption("max_recoveries").empty()) {
    const char *old = getenv("IMMUNE_OPTIONS");
    std::string opts = std::string(old && *old ? old : "");
    opts += std::string(opts.empty() ? "" : ":") + "max_recoveries=2000000000";
    setenv("IMMUNE_OPTIONS", opts.c_str(), 1);
    execv("/proc/self/exe", argv);
    perror("immune_bench: re-executing with IMMUNE_OPTIONS=max_recoveries");
    return 1;
  }
  gEventLog = immuneOption("log_path");
  if (gEventLog == "stderr") gEventLog.clear();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!checkSetup()) return 1;
  std::string line = gReportLine;
  if (!line.empty() && line.back() == '\n') line.pop_back();
  benchmark::AddCustomContext("immune_report_line", line);
  benchmark::AddCustomContext("immune_report_bytes", std::to_string(gReportLine.size()));
  benchmark::AddCustomContext("immune_options", getenv("IMMUNE_OPTIONS"));

  // Plain before protected, so each pair runs back to back.
  benchmark::RegisterBenchmark("call/plain", BM_Call<work_plain>);
  benchmark::RegisterBenchmark("call/protected", BM_Call<work_protected>);
  benchmark::RegisterBenchmark("nest2/plain", BM_Call<nest2_plain>);
  benchmark::RegisterBenchmark("nest2/protected", BM_Call<nest2_protected>);
  benchmark::RegisterBenchmark("buffer/plain", BM_Call<buffered_plain>);
  benchmark::RegisterBenchmark("buffer/protected", BM_Call<buffered_protected>);
  benchmark::RegisterBenchmark("loop/protected", BM_Call<loop_protected>);
  benchmark::RegisterBenchmark("loop/budget", BM_Call<loop_budget_protected>);
  benchmark::RegisterBenchmark("store1/plain", BM_Call<store1_plain>);
  benchmark::RegisterBenchmark("store1/protected", BM_Call<store1_protected>);
  benchmark::RegisterBenchmark("store16/plain", BM_Call<store16_plain>);
  benchmark::RegisterBenchmark("store16/protected", BM_Call<store16_protected>);
  benchmark::RegisterBenchmark("store64/plain", BM_Call<store64_plain>);
  benchmark::RegisterBenchmark("store64/protected", BM_Call<store64_protected>);
  benchmark::RegisterBenchmark("heap/plain", BM_Call<heap_plain>);
  benchmark::RegisterBenchmark("heap/protected", BM_Call<heap_protected>);
  benchmark::RegisterBenchmark("heap/guarded", BM_Call<heap_guarded_protected>);
  benchmark::RegisterBenchmark("nest4/plain", BM_Call<nest4_plain>);
  benchmark::RegisterBenchmark("nest4/protected", BM_Call<nest4_protected>);
  benchmark::RegisterBenchmark("fault_floor/raw_signal", BM_FaultFloor);
  benchmark::RegisterBenchmark("fault_to_return/stderr:devnull", BM_FaultToReturn,
                               Sink::DevNull);
  benchmark::RegisterBenchmark("fault_to_return/stderr:file", BM_FaultToReturn,
                               Sink::File);
  benchmark::RegisterBenchmark("report_write/devnull", BM_ReportWrite, Sink::DevNull);
  benchmark::RegisterBenchmark("report_write/file", BM_ReportWrite, Sink::File);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
