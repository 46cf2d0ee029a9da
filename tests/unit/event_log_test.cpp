// The event records tools read (one JSON object per line in log_path) and
// the one-line summaries people read on stderr, for each kind of event.
// Events are reported here from a real context (getcontext in a live frame),
// so the backtrace and symbols are those of this test binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <ucontext.h>
#include <unistd.h>
#include <vector>

#include "stderr_capture.h"
#include "tx_helpers.h"

extern "C" {
#include "event_log.h"
#include "options.h"
}

//------------------------------------------------------------------------------
// A strict JSON reader (RFC 8259): what any tool reading the log would accept.
//------------------------------------------------------------------------------
namespace {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  std::string text; // a string's decoded value, or a number as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members; // in order

  bool has(const std::string &key) const {
    for (auto &m : members)
      if (m.first == key) return true;
    return false;
  }
  const Json &operator[](const std::string &key) const {
    static const Json missing;
    for (auto &m : members)
      if (m.first == key) return m.second;
    return missing;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (auto &m : members) k.push_back(m.first);
    return k;
  }
  long long integer() const { return std::strtoll(text.c_str(), nullptr, 10); }
};

class JsonReader {
public:
  explicit JsonReader(const std::string &s) : s_(s) {}
  // The whole text must be one value (surrounding white space allowed).
  bool read(Json &out, std::string &error) {
    bool ok = value(out, 0);
    ws();
    if (ok && i_ != s_.size()) ok = fail("trailing characters");
    error = error_;
    return ok;
  }

private:
  const std::string &s_;
  size_t i_ = 0;
  std::string error_;

  bool fail(const std::string &what) {
    if (error_.empty()) error_ = what + " at offset " + std::to_string(i_);
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(const char *w) {
    size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) return fail(std::string("expected ") + w);
    i_ += n;
    return true;
  }
  bool value(Json &v, int depth) {
    if (depth > 64) return fail("too deep");
    ws();
    if (i_ >= s_.size()) return fail("unexpected end");
    char c = s_[i_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') return v.kind = Json::String, string(v.text);
    if (c == 't') return v.kind = Json::Bool, v.boolean = true, lit("true");
    if (c == 'f') return v.kind = Json::Bool, v.boolean = false, lit("false");
    if (c == 'n') return v.kind = Json::Null, lit("null");
    return number(v);
  }
  bool object(Json &v, int depth) {
    v.kind = Json::Object;
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
    for (;;) {
      ws();
      std::string key;
      if (i_ >= s_.size() || s_[i_] != '"' || !string(key)) return fail("expected a key");
      if (v.has(key)) return fail("duplicate key " + key);
      ws();
      if (i_ >= s_.size() || s_[i_++] != ':') return fail("expected ':'");
      Json member;
      if (!value(member, depth + 1)) return false;
      v.members.emplace_back(key, member);
      ws();
      if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
      return fail("expected ',' or '}'");
    }
  }
  bool array(Json &v, int depth) {
    v.kind = Json::Array;
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
    for (;;) {
      Json item;
      if (!value(item, depth + 1)) return false;
      v.items.push_back(item);
      ws();
      if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
      return fail("expected ',' or ']'");
    }
  }
  bool number(Json &v) {
    static const std::regex re("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    std::smatch m;
    std::string rest = s_.substr(i_, 64);
    if (!std::regex_search(rest, m, re)) return fail("bad value");
    v.kind = Json::Number;
    v.text = m.str(0);
    i_ += v.text.size();
    return true;
  }
  // Bytes of one UTF-8 sequence starting at s_[i_]; 0 if malformed.
  size_t utf8_length() const {
    unsigned char c = (unsigned char)s_[i_];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i_ + n > s_.size()) return 0;
    for (size_t k = 1; k < n; ++k)
      if (((unsigned char)s_[i_ + k] >> 6) != 2) return 0;
    return n;
  }
  bool string(std::string &out) {
    ++i_; // opening quote
    while (i_ < s_.size()) {
      unsigned char c = (unsigned char)s_[i_];
      if (c == '"') return ++i_, true;
      if (c < 0x20) return fail("raw control character in a string");
      if (c == '\\') {
        if (++i_ >= s_.size()) break;
        char e = s_[i_++];
        switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return fail("short \\u escape");
          unsigned cp = (unsigned)std::stoul(s_.substr(i_, 4), nullptr, 16);
          i_ += 4;
          if (cp < 0x80) {
            out += (char)cp;
          } else if (cp < 0x800) {
            out += (char)(0xc0 | cp >> 6);
            out += (char)(0x80 | (cp & 0x3f));
          } else {
            out += (char)(0xe0 | cp >> 12);
            out += (char)(0x80 | (cp >> 6 & 0x3f));
            out += (char)(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: return fail("bad escape");
        }
        continue;
      }
      size_t n = utf8_length();
      if (n == 0) return fail("invalid UTF-8 in a string");
      out.append(s_, i_, n);
      i_ += n;
    }
    return fail("unterminated string");
  }
};

//------------------------------------------------------------------------------
// Reporting events and reading what they left.
//------------------------------------------------------------------------------

// Where the records of one test go. The runtime keeps its log descriptor for
// the life of the process; the destructor points it at a path that cannot be
// opened (which leaves the runtime with no log), closes the old descriptor
// and puts the default options back.
class LogFixture {
public:
  LogFixture() {
    char tmpl[] = "/tmp/immune-event-log-XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    if (fd >= 0) close(fd);
  }
  ~LogFixture() {
    capture_stderr([] {
      immune_options_parse("log_path=/proc/immune-no-such-dir/log", 0);
      immune_event_log_init();
    });
    close_descriptors_of(path_);
    unlink(path_.c_str());
    immune_options_parse("", 0);
  }

  // Parses `options` plus log_path and opens the log, as start-up does.
  void start(const std::string &options) {
    std::string text = "log_path=" + path_ + (options.empty() ? "" : ":" + options);
    REQUIRE(immune_options_parse(text.c_str(), 0) == 0);
    immune_event_log_init();
  }

  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Every line of the log, each of which must be one valid JSON object.
  std::vector<Json> records() const {
    std::string text = contents();
    if (!text.empty()) CHECK(text.back() == '\n');
    std::vector<Json> out;
    for (const std::string &line : lines_of(text)) {
      Json j;
      std::string error;
      bool ok = JsonReader(line).read(j, error);
      INFO(error << " in the record " << line.substr(0, 160) << (line.size() > 160 ? "..." : ""));
      CHECK(ok);
      CHECK(j.kind == Json::Object);
      out.push_back(j);
    }
    return out;
  }

private:
  std::string path_;

  static void close_descriptors_of(const std::string &path) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    std::vector<int> fds;
    while (dirent *e = readdir(d)) {
      char target[4096];
      std::string link = std::string("/proc/self/fd/") + e->d_name;
      ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
      if (n > 0 && std::string(target, (size_t)n) == path) fds.push_back(std::atoi(e->d_name));
    }
    closedir(d);
    for (int fd : fds) close(fd);
  }
};

struct Reported {
  uint64_t pc;
  std::string err; // what went to stderr
};

extern "C" __attribute__((noinline)) void event_log_test_report(
    immune_event_kind kind, int sig, int code, void *addr, const __immune_site *site,
    uint64_t *pc) {
  ucontext_t uc;
  getcontext(&uc);
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  info.si_signo = sig;
  info.si_code = code;
  info.si_addr = addr;
  *pc = (uint64_t)uc.uc_mcontext.gregs[REG_RIP];
  immune_event ev{}; // fields this test does not set stay zero (no buffer)
  ev.kind = kind;
  ev.sig = sig;
  ev.info = &info;
  ev.uc = &uc;
  ev.site = site;
  immune_log_event(&ev);
  __asm__ volatile("" ::: "memory"); // keep this frame live until here
}

Reported report(immune_event_kind kind, int sig, int code, void *addr,
                const __immune_site *site) {
  Reported r{};
  r.err = capture_stderr([&] { event_log_test_report(kind, sig, code, addr, site, &r.pc); });
  return r;
}

// Reports from `levels` frames further down the stack.
extern "C" __attribute__((noinline)) uint64_t event_log_test_deep(int levels,
                                                                  const __immune_site *site) {
  uint64_t pc = 0;
  if (levels == 0)
    event_log_test_report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, site, &pc);
  else
    pc = event_log_test_deep(levels - 1, site);
  __asm__ volatile("" : "+r"(pc)); // no tail call: every level keeps a frame
  return pc;
}

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, (size_t)n) : "";
}

bool matches(const std::string &s, const char *re) {
  return std::regex_match(s, std::regex(re));
}

} // namespace

//------------------------------------------------------------------------------
TEST_CASE("a recovery is one JSON record with every field", "[event_log]") {
  LogFixture log;
  log.start("verbosity=0");
  __immune_site site = make_site("parse_header");
  site.aborts = 3;
  int dummy;
  Reported r = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, &dummy, &site);
  std::time_t now = std::time(nullptr);

  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  const Json &e = recs[0];
  CHECK(e.keys() == std::vector<std::string>{"time", "pid", "build_id", "event", "tid", "mode", "signal",
                                             "signo", "si_code", "code", "address", "pc",
                                             "function", "symbol", "file", "error_value",
                                             "site_aborts", "reason", "buffer", "heap_block", "backtrace"});
  REQUIRE(e["time"].kind == Json::String);
  CHECK(matches(e["time"].text, "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"));
  struct tm tm = {};
  REQUIRE(strptime(e["time"].text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  CHECK(std::labs((long)(timegm(&tm) - now)) <= 2);
  CHECK(e["pid"].integer() == getpid());
  CHECK(e["tid"].integer() == syscall(SYS_gettid));
  CHECK(e["event"].text == "recovered");
  CHECK(e["mode"].text == "protect");
  CHECK(e["signal"].text == "SIGSEGV");
  CHECK(e["signo"].integer() == SIGSEGV);
  CHECK(e["si_code"].text == "SEGV_MAPERR");
  CHECK(e["code"].integer() == SEGV_MAPERR);
  CHECK(e["address"].text == hex((uint64_t)(uintptr_t)&dummy));
  CHECK(e["pc"].text == hex(r.pc));
  CHECK(e["function"].text == "parse_header");
  CHECK(e["symbol"].text == "parse_header");
  CHECK(e["file"].text == "unit.cpp");
  CHECK(e["error_value"].text == "-1");
  CHECK(e["site_aborts"].integer() == 3);
  CHECK(e["buffer"].kind == Json::Null);
  CHECK(e["heap_block"].kind == Json::Null);

  const Json &bt = e["backtrace"];
  REQUIRE(bt.kind == Json::Array);
  REQUIRE(bt.items.size() >= 2);
  const Json &top = bt.items[0];
  CHECK(top["pc"].text == hex(r.pc));
  CHECK(top["module"].text == self_exe());
  CHECK(top["symbol"].text == "event_log_test_report");
  CHECK(matches(top["offset"].text, "0x[0-9a-f]+"));
  CHECK(matches(top["symbol_offset"].text, "0x[0-9a-f]+"));
  for (const Json &f : bt.items) {
    CHECK(matches(f["pc"].text, "0x[0-9a-f]+"));
    CHECK(f.has("module"));
    CHECK(f.has("offset"));
  }
  // The caller is found too (a C++ name: the symbol table's mangled form).
  bool caller = false;
  for (const Json &f : bt.items) caller |= f["symbol"].text.find("report") != std::string::npos &&
                                           f["symbol"].text != "event_log_test_report";
  CHECK(caller);
  CHECK(r.err.empty()); // verbosity=0
}

TEST_CASE("the summary line says what happened, where, and what was returned",
          "[event_log]") {
  LogFixture log;
  log.start("verbosity=1");
  __immune_site site = make_site("parse_header");
  Reported r = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, (void *)0x10, &site);
  std::vector<std::string> lines = lines_of(r.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "immune: recovered SIGSEGV (SEGV_MAPERR) at address 0x10 pc " + hex(r.pc) +
                        " in parse_header (unit.cpp), returning -1");
  CHECK(r.err.back() == '\n');
  CHECK(log.records().size() == 1);
}

TEST_CASE("a crash outside any transaction has no function", "[event_log]") {
  LogFixture log;
  log.start("verbosity=1");
  Reported r = report(IMMUNE_EV_CRASHED, SIGSEGV, SEGV_MAPERR, (void *)0x8, nullptr);
  CHECK(r.err == "immune: crashed: SIGSEGV (SEGV_MAPERR) at address 0x8 pc " + hex(r.pc) +
                     " outside any transaction\n");
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  const Json &e = recs[0];
  CHECK(e["event"].text == "crashed");
  CHECK(e["function"].kind == Json::Null);
  CHECK(e["error_value"].kind == Json::Null);
  CHECK_FALSE(e.has("symbol"));
  CHECK_FALSE(e.has("site_aborts"));
  REQUIRE(e["backtrace"].items.size() >= 1);
  CHECK(e["backtrace"].items[0]["pc"].text == hex(r.pc));
}

TEST_CASE("a crash in monitor mode names the transaction it did not abort", "[event_log]") {
  LogFixture log;
  log.start("mode=monitor");
  __immune_site site = make_site("read_config");
  Reported r = report(IMMUNE_EV_CRASHED, SIGSEGV, SEGV_ACCERR, (void *)0x1000, &site);
  CHECK(r.err == "immune: crashed: SIGSEGV (SEGV_ACCERR) at address 0x1000 pc " + hex(r.pc) +
                     " in read_config (unit.cpp) (monitor mode: not healed)\n");
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["event"].text == "crashed");
  CHECK(recs[0]["mode"].text == "monitor");
  CHECK(recs[0]["function"].text == "read_config");
  CHECK(recs[0]["error_value"].kind == Json::Null);
}

TEST_CASE("an escalation says which budget ran out", "[event_log]") {
  LogFixture log;
  log.start("max_recoveries=5:recovery_window_ms=250");
  __immune_site site = make_site("flaky");
  site.aborts = 5;
  Reported r = report(IMMUNE_EV_ESCALATED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  CHECK(r.err == "immune: escalated: SIGSEGV (SEGV_MAPERR) at address 0x0 pc " + hex(r.pc) +
                     " in flaky (unit.cpp): more than 5 recoveries within 250 ms, not healing\n");
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["event"].text == "escalated");
  CHECK(recs[0]["function"].text == "flaky");
  CHECK(recs[0]["error_value"].kind == Json::Null);
  CHECK(recs[0]["site_aborts"].integer() == 5);
}

TEST_CASE("each fault signal and si_code is named", "[event_log]") {
  LogFixture log;
  log.start("verbosity=0:backtrace_depth=2");
  __immune_site site = make_site("f");
  struct Case {
    int sig, code;
    const char *signal, *si_code;
  } cases[] = {{SIGSEGV, SEGV_ACCERR, "SIGSEGV", "SEGV_ACCERR"},
               {SIGBUS, BUS_ADRERR, "SIGBUS", "BUS_ADRERR"},
               {SIGBUS, BUS_ADRALN, "SIGBUS", "BUS_ADRALN"},
               {SIGFPE, FPE_INTDIV, "SIGFPE", "FPE_INTDIV"},
               {SIGFPE, FPE_INTOVF, "SIGFPE", "FPE_INTOVF"},
               {SIGILL, ILL_ILLOPN, "SIGILL", "ILL_ILLOPN"},
               {SIGILL, ILL_ILLOPC, "SIGILL", "ILL_ILLOPC"},
               {SIGABRT, SI_TKILL, "SIGABRT", "SI_TKILL"},
               {SIGSEGV, SI_USER, "SIGSEGV", "SI_USER"}};
  for (const Case &c : cases) report(IMMUNE_EV_RECOVERED, c.sig, c.code, nullptr, &site);
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == sizeof cases / sizeof cases[0]);
  for (size_t i = 0; i < recs.size(); ++i) {
    INFO(cases[i].signal << " " << cases[i].si_code);
    CHECK(recs[i]["signal"].text == cases[i].signal);
    CHECK(recs[i]["signo"].integer() == cases[i].sig);
    CHECK(recs[i]["si_code"].text == cases[i].si_code);
    CHECK(recs[i]["code"].integer() == cases[i].code);
  }
}

TEST_CASE("names with quotes, backslashes and control characters stay valid JSON",
          "[event_log]") {
  LogFixture log;
  log.start("verbosity=0:backtrace_depth=1");
  const char *name = "operator\"\"_x(char const*) \\ tab\there\nnew line \x01\x1f end";
  const char *file = "/src/dir with \"quotes\"/a\\b.c";
  __immune_site site = {IMMUNE_ABI_VERSION, 0, name, "_Zli2_xPKc", file, "(char)-1",
                        0, 0, 0, nullptr, 0, IMMUNE_RET_INT, 32, 0, nullptr};
  report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["function"].text == name);
  CHECK(recs[0]["symbol"].text == "_Zli2_xPKc");
  CHECK(recs[0]["file"].text == file);
  CHECK(recs[0]["error_value"].text == "(char)-1");
}

TEST_CASE("long names are cut and the record stays valid JSON", "[event_log]") {
  LogFixture log;
  log.start("verbosity=0");
  std::string name(5000, 'n'), file(5000, 'f');
  __immune_site site = {IMMUNE_ABI_VERSION, 0, name.c_str(), name.c_str(), file.c_str(), "-1",
                        0, 0, 0, nullptr, 0, IMMUNE_RET_INT, 32, 0, nullptr};
  report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["function"].text == name.substr(0, 512));
  CHECK(recs[0]["file"].text == file.substr(0, 512));
  CHECK(recs[0]["backtrace"].items.size() >= 1);
}

// A tool reading the log decodes it as UTF-8 (JSON text is UTF-8): a name
// cut in the middle of a multi-byte character makes the whole line
// unreadable for it.
TEST_CASE("a long non-ASCII name is cut on a character boundary", "[event_log][utf8]") {
  LogFixture log;
  log.start("verbosity=0:backtrace_depth=1");
  std::string name = std::string(511, 'a') + "\xc3\xa9t\xc3\xa9";    // "...été"
  std::string file = "/src/" + std::string(505, 'd') + "/\xe2\x82\xac.c"; // euro sign at 511
  __immune_site site = {IMMUNE_ABI_VERSION, 0, name.c_str(), name.c_str(), file.c_str(), "-1",
                        0, 0, 0, nullptr, 0, IMMUNE_RET_INT, 32, 0, nullptr};
  report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["function"].text.compare(0, 511, name, 0, 511) == 0);
}

// C++ demangled names are often longer than a terminal line (templates);
// the summary must still be one line, so the next one does not run into it.
TEST_CASE("the summary of a long function name is still one line", "[event_log]") {
  LogFixture log;
  log.start("verbosity=1:backtrace_depth=1");
  std::string name = "std::map<std::string, std::vector<std::pair<int, double>>>::at(" +
                     std::string(900, 'x') + ")";
  __immune_site site = {IMMUNE_ABI_VERSION, 0, name.c_str(), "_ZNSt3map2atE", "m.cpp", "-1",
                        0, 0, 0, nullptr, 0, IMMUNE_RET_INT, 32, 0, nullptr};
  Reported r = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  Reported again = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  std::vector<std::string> lines = lines_of(r.err + again.err);
  CHECK(lines.size() == 2);
  REQUIRE_FALSE(r.err.empty());
  CHECK(r.err.back() == '\n');
  for (const std::string &l : lines) CHECK(l.rfind("immune: recovered SIGSEGV", 0) == 0);
}

TEST_CASE("verbosity=0 writes nothing on stderr but still records", "[event_log]") {
  LogFixture log;
  log.start("verbosity=0");
  __immune_site site = make_site("quiet");
  Reported a = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  Reported b = report(IMMUNE_EV_CRASHED, SIGFPE, FPE_INTDIV, nullptr, nullptr);
  CHECK(a.err.empty());
  CHECK(b.err.empty());
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["event"].text == "recovered");
  CHECK(recs[1]["event"].text == "crashed");
}

TEST_CASE("backtrace_depth bounds the frames recorded", "[event_log]") {
  __immune_site site = make_site("deep");
  for (auto [depth, want] : std::vector<std::pair<const char *, size_t>>{
           {"0", 0}, {"1", 1}, {"5", 5}, {"32", 32}, {"64", 64}, {"1000", 64}}) {
    INFO("backtrace_depth=" << depth);
    LogFixture log;
    log.start(std::string("verbosity=0:backtrace_depth=") + depth);
    uint64_t pc = event_log_test_deep(80, &site); // more frames than any depth
    std::vector<Json> recs = log.records();
    REQUIRE(recs.size() == 1);
    const Json &bt = recs[0]["backtrace"];
    REQUIRE(bt.kind == Json::Array);
    CHECK(bt.items.size() == want);
    if (want > 0) CHECK(bt.items[0]["pc"].text == hex(pc));
    if (want > 1) CHECK(bt.items[1]["symbol"].text == "event_log_test_deep");
  }
}

TEST_CASE("records from threads reporting at once never interleave", "[event_log][threads]") {
  LogFixture log;
  log.start("verbosity=0:backtrace_depth=4:log_burst=0");
  __immune_site site = make_site("threaded");
  const int threads = 4, each = 100;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      uint64_t pc;
      for (int i = 0; i < each; ++i)
        event_log_test_report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site, &pc);
    });
  for (std::thread &t : pool) t.join();
  std::vector<Json> recs = log.records();
  CHECK(recs.size() == threads * each);
  std::vector<long long> tids;
  for (const Json &e : recs) {
    CHECK(e["function"].text == "threaded");
    CHECK(e["backtrace"].items.size() == 4);
    tids.push_back(e["tid"].integer());
  }
  std::sort(tids.begin(), tids.end());
  CHECK(std::unique(tids.begin(), tids.end()) - tids.begin() == threads);
}

TEST_CASE("repeated identical records are limited to log_burst a second, with a count",
          "[event_log][burst]") {
  LogFixture log;
  log.start("log_burst=5");
  __immune_site site = make_site("flood");
  std::string err;
  for (int i = 0; i < 40; ++i)
    err += report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site).err;
  // A fault that kills is always written.
  for (int i = 0; i < 7; ++i) err += report(IMMUNE_EV_CRASHED, SIGSEGV, SEGV_MAPERR, nullptr, &site).err;
  err += capture_stderr([] { immune_event_log_flush(); });
  std::istringstream in(err);
  std::string line;
  long written = 0, said = 0, crashed = 0;
  while (std::getline(in, line)) {
    if (line.rfind("immune: recovered SIGSEGV", 0) == 0) ++written;
    if (line.rfind("immune: crashed", 0) == 0) ++crashed;
    std::smatch m;
    if (std::regex_match(line, m, std::regex("immune: ([0-9]+) more recovered records? like the last "
                                             "one \\(pc 0x[0-9a-f]+ in flood\\) were not written "
                                             "\\(IMMUNE_OPTIONS=log_burst: at most 5 a second\\)")))
      said += std::stol(m[1]);
  }
  INFO(err);
  CHECK(written >= 5);
  CHECK(written <= 10); // the loop may run into the next second
  CHECK(written + said == 40);
  CHECK(crashed == 7);
  long recorded = 0, counted = 0;
  for (const Json &e : log.records()) {
    if (e["event"].text == "recovered") ++recorded;
    if (e["event"].text == "suppressed") {
      CHECK(e["kind"].text == "recovered");
      CHECK(e["function"].text == "flood");
      counted += e["count"].integer();
    }
  }
  CHECK(recorded == written);
  CHECK(recorded + counted == 40);
}

TEST_CASE("log_burst=0 writes every record", "[event_log][burst]") {
  LogFixture log;
  log.start("verbosity=0:log_burst=0");
  __immune_site site = make_site("every");
  for (int i = 0; i < 300; ++i) report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  CHECK(log.records().size() == 300);
}

TEST_CASE("a log_path that cannot be opened is reported at start-up", "[event_log]") {
  LogFixture log;
  std::string err = capture_stderr([] {
    immune_options_parse("log_path=/proc/immune-no-such-dir/events.jsonl", 0);
    immune_event_log_init();
  });
  CHECK(err == "immune: cannot open log_path '/proc/immune-no-such-dir/events.jsonl'; event "
               "records go nowhere\n");
  // Events still reach stderr.
  __immune_site site = make_site("nowhere");
  Reported r = report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  CHECK(lines_of(r.err).size() == 1);
}

TEST_CASE("records are appended to an existing log", "[event_log]") {
  LogFixture log;
  log.start("verbosity=0:backtrace_depth=1");
  __immune_site site = make_site("first");
  report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  log.start("verbosity=0:backtrace_depth=1"); // as a second process would open it
  site.function = "second";
  report(IMMUNE_EV_RECOVERED, SIGSEGV, SEGV_MAPERR, nullptr, &site);
  std::vector<Json> recs = log.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0]["function"].text == "first");
  CHECK(recs[1]["function"].text == "second");
}
