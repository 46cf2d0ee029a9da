// IMMUNE_OPTIONS as a user writes it: key=value entries separated by ':',
// each type's good and bad values, what a bad entry prints, and the limits
// (text length, backtrace depth, setuid programs).
//
// immune_options_parse() sets the process-wide immune_opts that this very
// process's fault handler reads (the unit tests link the runtime), so every
// test runs in the OptionsFixture, which puts the defaults back at the end,
// also when a check fails.
#include <catch2/catch.hpp>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "stderr_capture.h"

extern "C" {
#include "options.h"
}

namespace {

struct OptionsFixture {
  ~OptionsFixture() { immune_options_parse("", 0); }
};

struct Parsed {
  int bad;
  std::string err;
  std::vector<std::string> lines;
};

Parsed parse(const std::string &text, int secure = 0) {
  Parsed p{};
  p.err = capture_stderr([&] { p.bad = immune_options_parse(text.c_str(), secure); });
  p.lines = lines_of(p.err);
  return p;
}

// Every option of one type, from the same table the runtime is built from,
// so an option added to options.inc is covered here too.
template <typename T> struct Field {
  const char *name;
  T *value;
  const char *def;
};

template <typename T> std::vector<Field<T>> options_of_type(const char *type) {
  struct Any {
    const char *name, *type;
    void *value;
    const char *def;
  } all[] = {
#define IMMUNE_OPTION(name, type, def, help) {#name, #type, &immune_opts.name, def},
#include "options.inc"
#undef IMMUNE_OPTION
  };
  std::vector<Field<T>> v;
  for (const Any &o : all)
    if (!std::strcmp(o.type, type)) v.push_back({o.name, static_cast<T *>(o.value), o.def});
  return v;
}

std::vector<Field<int>> bool_options() { return options_of_type<int>("BOOL"); }
std::vector<Field<long>> int_options() { return options_of_type<long>("INT"); }

const char *const prefix = "immune: IMMUNE_OPTIONS: ";

bool starts_with(const std::string &s, const std::string &p) {
  return s.compare(0, p.size(), p) == 0;
}
bool contains(const std::string &s, const std::string &p) {
  return s.find(p) != std::string::npos;
}

// `name=text` is refused: counted as bad, one line naming the option and
// what it expects, and the option keeps its default.
template <typename T> void check_refused(const Field<T> &o, const char *text, const char *expected) {
  immune_options_parse("", 0);
  T def = *o.value;
  INFO(o.name << "=" << text);
  Parsed p = parse(std::string(o.name) + "=" + text);
  CHECK(p.bad == 1);
  REQUIRE(p.lines.size() == 1);
  CHECK(starts_with(p.lines[0], prefix));
  CHECK(contains(p.lines[0], std::string("bad value for '") + o.name + "'"));
  CHECK(contains(p.lines[0], expected));
  CHECK(*o.value == def);
}

} // namespace

TEST_CASE_METHOD(OptionsFixture, "no IMMUNE_OPTIONS gives the documented defaults",
                 "[options]") {
  for (const char *text : {(const char *)nullptr, ""}) {
    int bad = -1;
    std::string err = capture_stderr([&] { bad = immune_options_parse(text, 0); });
    CHECK(bad == 0);
    CHECK(err.empty());
    CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
    CHECK(std::string(immune_opts.log_path) == "stderr");
    CHECK(immune_opts.verbosity == 1);
    CHECK(immune_opts.max_recoveries == 1000000);
    CHECK(immune_opts.recovery_window_ms == 10000);
    CHECK(immune_opts.handle_segv == 1);
    CHECK(immune_opts.handle_bus == 1);
    CHECK(immune_opts.handle_fpe == 1);
    CHECK(immune_opts.handle_ill == 1);
    CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_SSP);
    CHECK(immune_opts.syslog == 0);
    CHECK(immune_opts.backtrace_depth == 32);
    CHECK(immune_opts.help == 0);
  }
}

TEST_CASE_METHOD(OptionsFixture, "handle_abort: none, ssp, all, and the boolean spellings", "[options]") {
  REQUIRE(parse("handle_abort=all").bad == 0);
  CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_ALL);
  REQUIRE(parse("handle_abort=none").bad == 0);
  CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_NONE);
  REQUIRE(parse("handle_abort=1").bad == 0);
  CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_ALL);
  REQUIRE(parse("handle_abort=0").bad == 0);
  CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_NONE);
  auto r = parse("handle_abort=yes");
  CHECK(r.bad == 1);
  CHECK(r.err.find("bad value for 'handle_abort' (expected none, ssp or all)") != std::string::npos);
  CHECK(immune_opts.handle_abort == IMMUNE_ABORTS_SSP);
}

TEST_CASE_METHOD(OptionsFixture, "a refused value is echoed, with what stays in force", "[options]") {
  auto r = parse("mode=monitr");
  CHECK(r.bad == 1);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "immune: IMMUNE_OPTIONS: bad value for 'mode' (expected protect, monitor or "
                      "off): 'monitr' ignored; it stays as before (default protect)");
  CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
}

TEST_CASE_METHOD(OptionsFixture, "options separated by ',' are named, not swallowed silently",
                 "[options]") {
  auto r = parse("mode=monitor,log_path=/tmp/x.json");
  CHECK(r.bad == 1);
  REQUIRE(r.lines.size() == 2);
  CHECK(r.lines[0] == "immune: IMMUNE_OPTIONS: the value of 'mode' holds 'log_path=': options "
                      "are separated by ':', not ','");
  CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
  // A value that parses still gets the warning (the rest was swallowed).
  r = parse("log_path=/tmp/y.json,mode=monitor");
  CHECK(r.bad == 1);
  REQUIRE(r.lines.size() == 1);
  CHECK(contains(r.lines[0], "the value of 'log_path' holds 'mode='"));
  // A comma that is part of a list is no such thing.
  r = parse("inject=parse,lookup");
  CHECK(r.bad == 0);
  CHECK(r.lines.empty());
}

TEST_CASE_METHOD(OptionsFixture, "a clamped value is reported", "[options]") {
  auto r = parse("backtrace_depth=500");
  CHECK(r.bad == 0);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "immune: IMMUNE_OPTIONS: backtrace_depth is more than 64; using 64");
  CHECK(immune_opts.backtrace_depth == 64);
}

TEST_CASE_METHOD(OptionsFixture, "each parse starts again from the defaults", "[options]") {
  REQUIRE(parse("verbosity=2:mode=off:handle_fpe=0").bad == 0);
  CHECK(immune_opts.verbosity == 2);
  REQUIRE(parse("syslog=1").bad == 0);
  CHECK(immune_opts.verbosity == 1);
  CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
  CHECK(immune_opts.handle_fpe == 1);
  CHECK(immune_opts.syslog == 1);
}

TEST_CASE_METHOD(OptionsFixture, "BOOL options take 0/1, true/false, yes/no", "[options][bool]") {
  for (const Field<int> &o : bool_options()) {
    for (auto [text, want] : std::vector<std::pair<const char *, int>>{
             {"1", 1}, {"true", 1}, {"yes", 1}, {"0", 0}, {"false", 0}, {"no", 0}}) {
      INFO(o.name << "=" << text);
      Parsed p = parse(std::string(o.name) + "=" + text);
      CHECK(p.bad == 0);
      CHECK(p.err.empty());
      CHECK(*o.value == want);
    }
  }
}

TEST_CASE_METHOD(OptionsFixture, "a bad BOOL value is reported and the default kept",
                 "[options][bool]") {
  for (const Field<int> &o : bool_options())
    for (const char *text : {"2", "", "on", "1x", " 1", "-1"}) check_refused(o, text, "0 or 1");
}

TEST_CASE_METHOD(OptionsFixture, "INT options take non-negative decimals", "[options][int]") {
  for (const Field<long> &o : int_options()) {
    for (auto [text, want] : std::vector<std::pair<const char *, long>>{
             {"0", 0}, {"7", 7}, {"64", 64}, {"1000000", 1000000}}) {
      if (!std::strcmp(o.name, "backtrace_depth") && want > 64) continue; // capped
      INFO(o.name << "=" << text);
      Parsed p = parse(std::string(o.name) + "=" + text);
      CHECK(p.bad == 0);
      CHECK(p.err.empty());
      CHECK(*o.value == want);
    }
  }
  REQUIRE(parse("max_recoveries=9223372036854775807").bad == 0);
  CHECK(immune_opts.max_recoveries == LONG_MAX);
}

TEST_CASE_METHOD(OptionsFixture, "a bad INT value is reported and the default kept",
                 "[options][int]") {
  for (const Field<long> &o : int_options())
    for (const char *text :
         {"-1", "abc", "12x", "", "1.5", "0x10", "99999999999999999999", "-9223372036854775808"})
      check_refused(o, text, "non-negative integer");
}

TEST_CASE_METHOD(OptionsFixture, "STRING options take any non-empty text", "[options][string]") {
  for (const char *text : {"/tmp/immune.log", "x", "/tmp/a=b", "relative/events.jsonl"}) {
    INFO("log_path=" << text);
    Parsed p = parse(std::string("log_path=") + text);
    CHECK(p.bad == 0);
    CHECK(p.err.empty());
    CHECK(std::string(immune_opts.log_path) == text);
  }
  for (const Field<const char *> &o : options_of_type<const char *>("STRING"))
    check_refused(o, "", "non-empty string");
}

TEST_CASE_METHOD(OptionsFixture, "PATH options are empty by default and take a path",
                 "[options][path]") {
  REQUIRE(parse("").bad == 0);
  CHECK(std::string(immune_opts.vaccine).empty());
  Parsed p = parse("vaccine=/etc/immune/server.vaccine");
  CHECK(p.bad == 0);
  CHECK(std::string(immune_opts.vaccine) == "/etc/immune/server.vaccine");
  for (const Field<const char *> &o : options_of_type<const char *>("PATH"))
    check_refused(o, "", "file path");
}

TEST_CASE_METHOD(OptionsFixture, "a STRING value outlives the text it was parsed from",
                 "[options][string]") {
  std::string text = "log_path=/var/log/immune/events.jsonl:verbosity=2";
  REQUIRE(parse(text).bad == 0);
  std::fill(text.begin(), text.end(), 'X');
  text = std::string(300, 'Y');
  CHECK(std::string(immune_opts.log_path) == "/var/log/immune/events.jsonl");
}

TEST_CASE_METHOD(OptionsFixture, "MODE takes protect, monitor or off", "[options][mode]") {
  for (auto [text, want] : std::vector<std::pair<const char *, immune_mode>>{
           {"monitor", IMMUNE_MODE_MONITOR}, {"off", IMMUNE_MODE_OFF}, {"protect", IMMUNE_MODE_PROTECT}}) {
    INFO("mode=" << text);
    Parsed p = parse(std::string("mode=") + text);
    CHECK(p.bad == 0);
    CHECK(p.err.empty());
    CHECK(immune_opts.mode == want);
  }
  for (const Field<immune_mode> &o : options_of_type<immune_mode>("MODE"))
    for (const char *text : {"fast", "", "Monitor", "protect ", "0"})
      check_refused(o, text, "protect, monitor or off");
}

TEST_CASE_METHOD(OptionsFixture, "an unknown key is reported and ignored", "[options]") {
  for (const char *key : {"bogus", "Mode", "verbose", "log-path", ""}) {
    INFO("key '" << key << "'");
    Parsed p = parse(std::string(key) + "=1:verbosity=2");
    CHECK(p.bad == 1);
    REQUIRE(p.lines.size() == 1);
    CHECK(starts_with(p.lines[0], prefix));
    CHECK(contains(p.lines[0], std::string("unknown option '") + key + "'"));
    CHECK(contains(p.lines[0], "help=1"));
    CHECK(immune_opts.verbosity == 2);
  }
}

TEST_CASE_METHOD(OptionsFixture, "an entry without '=' is reported and ignored", "[options]") {
  for (const char *entry : {"verbosity", "help", "mode monitor", "x"}) {
    INFO("entry '" << entry << "'");
    Parsed p = parse(std::string("max_recoveries=3:") + entry);
    CHECK(p.bad == 1);
    REQUIRE(p.lines.size() == 1);
    CHECK(starts_with(p.lines[0], prefix));
    CHECK(contains(p.lines[0], std::string("'") + entry + "' is not key=value"));
    CHECK(immune_opts.max_recoveries == 3);
    CHECK(immune_opts.verbosity == 1);
    CHECK(immune_opts.help == 0);
  }
}

TEST_CASE_METHOD(OptionsFixture, "empty entries are skipped silently", "[options]") {
  for (const char *text : {"verbosity=2::max_recoveries=3", ":verbosity=2:max_recoveries=3:",
                           ":::verbosity=2:::max_recoveries=3:::"}) {
    INFO(text);
    Parsed p = parse(text);
    CHECK(p.bad == 0);
    CHECK(p.err.empty());
    CHECK(immune_opts.verbosity == 2);
    CHECK(immune_opts.max_recoveries == 3);
  }
  Parsed p = parse(":::");
  CHECK(p.bad == 0);
  CHECK(p.err.empty());
}

TEST_CASE_METHOD(OptionsFixture, "a later entry for the same key wins", "[options]") {
  REQUIRE(parse("verbosity=2:verbosity=0:mode=off:mode=monitor").bad == 0);
  CHECK(immune_opts.verbosity == 0);
  CHECK(immune_opts.mode == IMMUNE_MODE_MONITOR);
}

TEST_CASE_METHOD(OptionsFixture, "bad entries print one line each; good ones apply",
                 "[options]") {
  Parsed p = parse("bogus=1:mode=fast:verbosity=2:nokey:max_recoveries=-3:handle_bus=0:=x:"
                   "log_path=/tmp/events.jsonl");
  CHECK(p.bad == 5);
  CHECK(p.lines.size() == 5);
  CHECK(p.err.back() == '\n');
  for (const std::string &line : p.lines) CHECK(starts_with(line, prefix));
  CHECK(contains(p.lines[0], "'bogus'"));
  CHECK(contains(p.lines[1], "'mode'"));
  CHECK(contains(p.lines[2], "'nokey'"));
  CHECK(contains(p.lines[3], "'max_recoveries'"));
  CHECK(contains(p.lines[4], "unknown option ''"));
  CHECK(immune_opts.verbosity == 2);
  CHECK(immune_opts.handle_bus == 0);
  CHECK(std::string(immune_opts.log_path) == "/tmp/events.jsonl");
  CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
  CHECK(immune_opts.max_recoveries == 1000000);
}

// options.h: "Each bad entry ... is ignored; the others apply." An earlier
// good entry for the same key is one of the others.
TEST_CASE_METHOD(OptionsFixture, "a bad entry does not undo an earlier good one for its key",
                 "[options][contract]") {
  Parsed p = parse("mode=monitor:mode=fast:max_recoveries=5:max_recoveries=lots");
  CHECK(p.bad == 2);
  CHECK(p.lines.size() == 2);
  CHECK(immune_opts.mode == IMMUNE_MODE_MONITOR);
  CHECK(immune_opts.max_recoveries == 5);
}

// A user who mistypes a long key (a path pasted in the wrong place) must
// still get one whole line per bad entry, each ending in '\n'.
TEST_CASE_METHOD(OptionsFixture, "a very long bad entry still gets a line of its own",
                 "[options]") {
  std::string long_key(1000, 'k');
  Parsed p = parse(long_key + "=1:bogus=2:" + long_key + ":verbosity=2");
  CHECK(p.bad == 3);
  CHECK(p.lines.size() == 3);
  for (const std::string &line : p.lines) CHECK(starts_with(line, prefix));
  CHECK(p.err.back() == '\n');
  CHECK(immune_opts.verbosity == 2);
}

TEST_CASE_METHOD(OptionsFixture, "text of 4096 characters or more is refused whole",
                 "[options][limits]") {
  auto text_of = [](size_t n) {
    std::string t = "mode=monitor:log_path=";
    return t + std::string(n - t.size(), 'a');
  };
  Parsed fits = parse(text_of(4095));
  CHECK(fits.bad == 0);
  CHECK(fits.err.empty());
  CHECK(immune_opts.mode == IMMUNE_MODE_MONITOR);
  CHECK(std::strlen(immune_opts.log_path) == 4095 - std::strlen("mode=monitor:log_path="));

  for (size_t n : {4096, 4097, 100000}) {
    INFO(n << " characters");
    Parsed p = parse(text_of(n));
    CHECK(p.bad == 1);
    REQUIRE(p.lines.size() == 1);
    CHECK(starts_with(p.lines[0], prefix));
    CHECK(contains(p.lines[0], "too long"));
    CHECK(immune_opts.mode == IMMUNE_MODE_PROTECT);
    CHECK(std::string(immune_opts.log_path) == "stderr");
  }
}

TEST_CASE_METHOD(OptionsFixture, "setuid programs drop log_path and keep the rest",
                 "[options][secure]") {
  Parsed p = parse("log_path=/etc/immune.log:verbosity=2:mode=monitor", 1);
  CHECK(p.bad == 0); // dropped on purpose, not a mistake of the user
  REQUIRE(p.lines.size() == 1);
  CHECK(starts_with(p.lines[0], prefix));
  CHECK(contains(p.lines[0], "'log_path'"));
  CHECK(contains(p.lines[0], "setuid"));
  CHECK(std::string(immune_opts.log_path) == "stderr");
  CHECK(immune_opts.verbosity == 2);
  CHECK(immune_opts.mode == IMMUNE_MODE_MONITOR);

  Parsed normal = parse("log_path=/etc/immune.log", 0);
  CHECK(normal.err.empty());
  CHECK(std::string(immune_opts.log_path) == "/etc/immune.log");
}

TEST_CASE_METHOD(OptionsFixture, "backtrace_depth is capped at 64, and says so", "[options][limits]") {
  for (auto [text, want] : std::vector<std::pair<const char *, long>>{
           {"0", 0}, {"1", 1}, {"63", 63}, {"64", 64}, {"65", 64}, {"1000000", 64},
           {"9223372036854775807", 64}}) {
    INFO("backtrace_depth=" << text);
    Parsed p = parse(std::string("backtrace_depth=") + text);
    CHECK(p.bad == 0);
    CHECK(p.err.empty() == (std::to_string(want) == text));
    CHECK(immune_opts.backtrace_depth == want);
  }
}

TEST_CASE_METHOD(OptionsFixture, "help lists every option with its type and default",
                 "[options][help]") {
  std::vector<std::string> lines = lines_of(capture_stderr([] { immune_options_print_help(2); }));
  std::vector<std::string> want = {"immune: runtime options (IMMUNE_OPTIONS=key=value:key=value)"};
#define IMMUNE_OPTION(name, type, def, help) \
  want.push_back("  " #name " (" #type ", default " def "): " help);
#include "options.inc"
#undef IMMUNE_OPTION
  CHECK(lines == want);
}

TEST_CASE_METHOD(OptionsFixture, "the options in force can be printed on one line",
                 "[options][help]") {
  REQUIRE(parse("mode=monitor:verbosity=2:log_path=/tmp/e.jsonl:handle_ill=0").bad == 0);
  std::vector<std::string> lines = lines_of(capture_stderr([] { immune_options_print(2); }));
  REQUIRE(lines.size() == 1);
  const std::string &l = lines[0];
  CHECK(starts_with(l, "immune: options:"));
  for (const char *want : {" mode=monitor", " verbosity=2", " log_path=/tmp/e.jsonl",
                           " handle_ill=0", " handle_segv=1", " backtrace_depth=32"})
    CHECK(contains(l, want));
#define IMMUNE_OPTION(name, type, def, help) CHECK(contains(l, " " #name "="));
#include "options.inc"
#undef IMMUNE_OPTION
}
