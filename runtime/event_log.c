/* Writes each fault event twice over: a one-line summary for people
 * (stderr, and syslog when asked) and a JSON record for tools (log_path),
 * appended with one write(2) so concurrent writers never interleave. Runs
 * inside the signal handler: a fixed buffer on the alternate stack, no
 * allocation, no stdio, no locks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "backtrace.h"
#include "event_log.h"
#include "raw_io.h"
#include "internal.h"
#include "options.h"
#include "symbols.h"

static int log_fd = -1;
static int syslog_fd = -1;

/* JSON records are built in buffers from this pool, not on the stack: the
 * handler may run on an alternate stack the program set up itself, which
 * can be as small as a few KiB (Catch2 uses 32 KiB from the heap). A buffer
 * is claimed with one compare-and-swap; when all are in use (more threads
 * faulting at the same instant than buffers), the record is skipped and
 * only the summary line is written. The pages cost nothing until used. */
#define RECORD_BUFFERS 8
#define RECORD_SIZE (48 * 1024)
static char record_pool[RECORD_BUFFERS][RECORD_SIZE];
static _Atomic int record_busy[RECORD_BUFFERS];
static _Atomic uint64_t records_dropped;

static int claim_record_buffer(void) {
  for (int i = 0; i < RECORD_BUFFERS; ++i) {
    int expected = 0;
    if (atomic_compare_exchange_strong(&record_busy[i], &expected, 1)) return i;
  }
  return -1;
}

static void bursts_reset(void);

void immune_event_log_init(void) {
  bursts_reset();
  if (immune_opts.log_path && strcmp(immune_opts.log_path, "stderr") != 0) {
    log_fd = immune_raw_open(immune_opts.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      char line[512];
      struct immune_buf b = {line, 0, sizeof line};
      immune_buf_str(&b, "immune: cannot open log_path '");
      immune_buf_str(&b, immune_opts.log_path);
      immune_buf_str(&b, "'; event records go nowhere\n");
      immune_write_all(2, b.data, b.len);
    }
  }
  if (immune_opts.syslog) {
    syslog_fd = immune_raw_socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "/dev/log");
    if (syslog_fd >= 0 && immune_raw_connect(syslog_fd, (struct sockaddr *)&a, sizeof a) != 0) {
      immune_raw_close(syslog_fd);
      syslog_fd = -1;
    }
  }
}

static const char *kind_name(enum immune_event_kind k) {
  return k == IMMUNE_EV_RECOVERED   ? "recovered"
         : k == IMMUNE_EV_ESCALATED ? "escalated"
         : k == IMMUNE_EV_STOPPED   ? "stopped"
                                    : "crashed";
}

/* JSON string contents: quotes, backslashes and control characters escaped,
 * at most `limit` input bytes, cut on a UTF-8 character boundary (a lone
 * lead byte would make the whole record unreadable). */
void immune_json_str(struct immune_buf *b, const char *s, size_t limit) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  while (s && s[n] && n < limit) ++n;
  if (s && s[n])
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) --n; /* s[n] continues a character */
  immune_buf_str(b, "\"");
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    char esc[7] = {0};
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
    } else if (c < 0x20) {
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
    } else {
      esc[0] = (char)c;
    }
    immune_buf_str(b, esc);
  }
  immune_buf_str(b, "\"");
}

static void json_hex(struct immune_buf *b, uint64_t v) {
  immune_buf_str(b, "\"");
  immune_buf_hex(b, v);
  immune_buf_str(b, "\"");
}

static void two_digits(struct immune_buf *b, long v) {
  char d[3] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10), 0};
  immune_buf_str(b, d);
}

/* ISO 8601 UTC from the real-time clock (days-to-civil, Howard Hinnant). */
void immune_json_time(struct immune_buf *b) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  long long z = ts.tv_sec / 86400 + 719468, secs = ts.tv_sec % 86400;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  long long y = yoe + era * 400 + (m <= 2);
  immune_buf_dec(b, y);
  immune_buf_str(b, "-");
  two_digits(b, m);
  immune_buf_str(b, "-");
  two_digits(b, d);
  immune_buf_str(b, "T");
  two_digits(b, secs / 3600);
  immune_buf_str(b, ":");
  two_digits(b, secs / 60 % 60);
  immune_buf_str(b, ":");
  two_digits(b, secs % 60);
  immune_buf_str(b, ".");
  char us[7];
  long v = ts.tv_nsec / 1000;
  for (int i = 5; i >= 0; --i, v /= 10) us[i] = (char)('0' + v % 10);
  us[6] = 0;
  immune_buf_str(b, us);
  immune_buf_str(b, "Z");
}

static const char *signal_text(const struct immune_event *ev) {
  return ev->sig ? immune_signal_name(ev->sig) : ev->cause ? ev->cause : "NONE";
}
static const char *code_text(const struct immune_event *ev) {
  return ev->sig ? immune_si_code_name(ev->sig, ev->info->si_code) : signal_text(ev);
}
static uint64_t fault_address(const struct immune_event *ev) {
  if (!ev->info) return ev->address;
  return ev->info->si_code > 0 ? (uint64_t)(uintptr_t)ev->info->si_addr : 0;
}

static void summary(struct immune_buf *b, const struct immune_event *ev) {
  enum immune_event_kind kind = ev->kind;
  const struct __immune_site *site = ev->site;
  immune_buf_str(b, "immune: ");
  immune_buf_str(b, kind_name(kind));
  immune_buf_str(b, kind == IMMUNE_EV_RECOVERED ? " " : ": ");
  if (ev->sig && ev->info->si_code <= 0) {
    /* Sent, not raised by an instruction: there is no fault address. */
    immune_buf_str(b, signal_text(ev));
    immune_buf_str(b, " (");
    immune_buf_str(b, code_text(ev));
    immune_buf_str(b, ") sent by pid ");
    immune_buf_dec(b, ev->info->si_pid);
  } else if (ev->sig) {
    immune_buf_str(b, signal_text(ev));
    immune_buf_str(b, " (");
    immune_buf_str(b, code_text(ev));
    immune_buf_str(b, ") at address ");
    immune_buf_hex(b, fault_address(ev));
  } else if (ev->cause && strcmp(ev->cause, "EFAULT") == 0) {
    immune_buf_str(b, "EFAULT at address ");
    immune_buf_hex(b, ev->address);
  } else if (ev->cause && strcmp(ev->cause, "INJECTED") == 0) {
    immune_buf_str(b, "injected abort on entry");
  } else if (ev->cause && strcmp(ev->cause, "TX_STACK_FULL") == 0) {
    immune_buf_str(b, "transaction stack full (recursion deeper than tx_stack_mb holds)");
  } else if (ev->cause && strcmp(ev->cause, "HEAP_CANARY") == 0) {
    immune_buf_str(b, "broken canary of a guarded heap block (at free or realloc of ");
    immune_buf_hex(b, ev->address);
    immune_buf_str(b, ")");
  } else if (ev->cause && strcmp(ev->cause, "TIMEOUT") == 0) {
    immune_buf_str(b, "timeout: ran past its ");
    immune_buf_udec(b, ev->site ? ev->site->timeout_ms : 0);
    immune_buf_str(b, " ms budget");
  } else {
    immune_buf_str(b, "broken canary of a relocated buffer");
  }
  immune_buf_str(b, " pc ");
  immune_buf_hex(b, (uint64_t)ev->uc->uc_mcontext.gregs[REG_RIP]);
  if (site) {
    immune_buf_str(b, " in ");
    immune_buf_str(b, site->function);
    if (site->file && site->file[0]) {
      immune_buf_str(b, " (");
      immune_buf_str(b, site->file);
      immune_buf_str(b, ")");
    }
  }
  switch (kind) {
  case IMMUNE_EV_RECOVERED:
    immune_buf_str(b, ", returning ");
    immune_buf_str(b, immune_site_error_text(site));
    break;
  case IMMUNE_EV_ESCALATED:
    if (ev->reason) {
      immune_buf_str(b, ": not healing: ");
      immune_buf_str(b, ev->reason);
    } else {
      immune_buf_str(b, ": more than ");
      immune_buf_dec(b, immune_opts.max_recoveries);
      immune_buf_str(b, " recoveries within ");
      immune_buf_dec(b, immune_opts.recovery_window_ms);
      immune_buf_str(b, " ms, not healing");
    }
    break;
  case IMMUNE_EV_STOPPED:
    if (ev->reason) {
      immune_buf_str(b, ": ");
      immune_buf_str(b, ev->reason);
    }
    break;
  case IMMUNE_EV_CRASHED:
    if (ev->reason) {
      immune_buf_str(b, ": ");
      immune_buf_str(b, ev->reason);
    } else {
      immune_buf_str(b, site ? " (monitor mode: not healed)" : " outside any transaction");
    }
    break;
  }
  if (ev->buffer) {
    immune_buf_str(b, ": overflow of `");
    immune_buf_str(b, ev->buffer->name);
    immune_buf_str(b, "` in `");
    immune_buf_str(b, ev->buffer->function);
    immune_buf_str(b, "`");
  }
  if (ev->heap) {
    struct immune_symbol sym;
    immune_symbolize(ev->heap->alloc_pc - 1, &sym);
    immune_buf_str(b, ev->heap->guard ? ": overflow of a guarded heap block of " : ": guarded heap block of ");
    immune_buf_udec(b, ev->heap->size);
    immune_buf_str(b, " bytes allocated at ");
    immune_buf_hex(b, ev->heap->alloc_pc);
    if (sym.name) {
      char name[256];
      size_t n = immune_symbol_name_len(sym.name, sizeof name - 1);
      memcpy(name, sym.name, n);
      name[n] = 0;
      immune_buf_str(b, " in ");
      immune_buf_str(b, name);
    }
  }
  immune_buf_str(b, "\n");
}

static void json_record(struct immune_buf *b, const struct immune_event *ev) {
  enum immune_event_kind kind = ev->kind;
  const ucontext_t *uc = ev->uc;
  const struct __immune_site *site = ev->site;
  static const char *const modes[] = {"protect", "monitor", "off"};
  immune_json_record_start(b, kind_name(kind));
  immune_buf_str(b, ",\"tid\":");
  immune_buf_dec(b, syscall(SYS_gettid));
  immune_buf_str(b, ",\"mode\":\"");
  immune_buf_str(b, modes[immune_opts.mode]);
  immune_buf_str(b, "\",\"signal\":\"");
  immune_buf_str(b, signal_text(ev));
  immune_buf_str(b, "\",\"signo\":");
  immune_buf_dec(b, ev->sig);
  immune_buf_str(b, ",\"si_code\":\"");
  immune_buf_str(b, code_text(ev));
  immune_buf_str(b, "\",\"code\":");
  immune_buf_dec(b, ev->info ? ev->info->si_code : 0);
  immune_buf_str(b, ",\"address\":");
  json_hex(b, fault_address(ev));
  immune_buf_str(b, ",\"pc\":");
  json_hex(b, (uint64_t)uc->uc_mcontext.gregs[REG_RIP]);
  immune_buf_str(b, ",\"function\":");
  if (site) {
    immune_json_str(b, site->function, 512);
    immune_buf_str(b, ",\"symbol\":");
    immune_json_str(b, site->symbol, 512);
    immune_buf_str(b, ",\"file\":");
    immune_json_str(b, site->file, 512);
    immune_buf_str(b, ",\"error_value\":");
    if (kind == IMMUNE_EV_RECOVERED)
      immune_json_str(b, immune_site_error_text(site), 64);
    else
      immune_buf_str(b, "null");
    immune_buf_str(b, ",\"site_aborts\":");
    immune_buf_udec(b, __atomic_load_n(&site->aborts, __ATOMIC_RELAXED));
  } else {
    immune_buf_str(b, "null,\"error_value\":null");
  }
  immune_buf_str(b, ",\"reason\":");
  if (ev->reason)
    immune_json_str(b, ev->reason, 256);
  else
    immune_buf_str(b, "null");
  immune_buf_str(b, ",\"buffer\":");
  if (ev->buffer) {
    immune_buf_str(b, "{\"name\":");
    immune_json_str(b, ev->buffer->name, 256);
    immune_buf_str(b, ",\"function\":");
    immune_json_str(b, ev->buffer->function, 512);
    immune_buf_str(b, ",\"file\":");
    immune_json_str(b, ev->buffer->file, 512);
    immune_buf_str(b, ",\"line\":");
    immune_buf_udec(b, ev->buffer->line);
    immune_buf_str(b, "}");
  } else {
    immune_buf_str(b, "null");
  }
  immune_buf_str(b, ",\"heap_block\":");
  if (ev->heap) {
    struct immune_symbol sym;
    /* The allocation's return address: look up the call itself. */
    immune_symbolize(ev->heap->alloc_pc - 1, &sym);
    immune_buf_str(b, "{\"size\":");
    immune_buf_udec(b, ev->heap->size);
    immune_buf_str(b, ",\"address\":");
    json_hex(b, ev->heap->block);
    immune_buf_str(b, ",\"past_end\":");
    immune_buf_str(b, ev->heap->guard ? "true" : "false");
    immune_buf_str(b, ",\"allocated_at\":");
    json_hex(b, ev->heap->alloc_pc);
    immune_buf_str(b, ",\"allocated_in\":");
    if (sym.name)
      immune_json_str(b, sym.name, immune_symbol_name_len(sym.name, 512));
    else
      immune_buf_str(b, "null");
    immune_buf_str(b, "}");
  } else {
    immune_buf_str(b, "null");
  }
  immune_buf_str(b, ",\"backtrace\":[");
  uint64_t pcs[IMMUNE_MAX_FRAMES];
  size_t max = (size_t)immune_opts.backtrace_depth;
  if (max > IMMUNE_MAX_FRAMES) max = IMMUNE_MAX_FRAMES;
  size_t n = immune_backtrace(uc, pcs, max);
  for (size_t i = 0; i < n; ++i) {
    /* Every frame needs at most ~1.2 KiB; stop before the buffer would cut
     * the record, so it stays valid JSON. */
    if (b->cap - b->len < 1400) break;
    struct immune_symbol sym;
    /* A return address points after the call; look up the call itself. */
    immune_symbolize(i == 0 ? pcs[i] : pcs[i] - 1, &sym);
    immune_buf_str(b, i ? ",{\"pc\":" : "{\"pc\":");
    json_hex(b, pcs[i]);
    immune_buf_str(b, ",\"module\":");
    immune_json_str(b, sym.module, 512);
    immune_buf_str(b, ",\"offset\":");
    json_hex(b, sym.offset + (i == 0 || !sym.module[0] ? 0 : 1));
    if (sym.name) {
      immune_buf_str(b, ",\"symbol\":");
      immune_json_str(b, sym.name, immune_symbol_name_len(sym.name, 512));
      immune_buf_str(b, ",\"symbol_offset\":");
      json_hex(b, sym.name_offset + (i == 0 ? 0 : 1));
    }
    immune_buf_str(b, "}");
  }
  immune_buf_str(b, "]}\n");
}

/* ---- Repeated identical records. ----------------------------------------
 * A flood of one event (an attack healed 10,000 times a second, always in
 * the same function at the same pc) must not flood stderr, syslog and the
 * log file (memcached's livelock wrote 266 MB in 10 s). Per (kind, site,
 * pc), at most log_burst records a second are written; the rest are
 * counted, and the next one written in a later second — or the exit
 * summary (immune_event_log_flush) — says how many were left out, in a
 * line and a `suppressed` record. A fault that kills the process is always
 * written. A few slots, each claimed with a try-lock: a thread that finds
 * its slot busy just writes its record. */
#define BURST_SLOTS 16
struct burst {
  _Atomic int busy;
  enum immune_event_kind kind;
  const struct __immune_site *site; /* compared only: it may be gone (dlclose) */
  uint64_t pc, second, count, dropped;
  char function[160], symbol[160];  /* the site's names, copied */
};
static struct burst bursts[BURST_SLOTS];

static void bursts_reset(void) { memset(bursts, 0, sizeof bursts); }

static uint64_t now_second(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec;
}

void immune_json_record_start(struct immune_buf *b, const char *event) {
  immune_buf_str(b, "{\"time\":\"");
  immune_json_time(b);
  immune_buf_str(b, "\",\"pid\":");
  immune_buf_dec(b, getpid());
  immune_buf_str(b, ",\"build_id\":\"");
  immune_buf_str(b, immune_build_id);
  immune_buf_str(b, "\",\"event\":\"");
  immune_buf_str(b, event);
  immune_buf_str(b, "\"");
}

static void copy_name(char *dst, size_t cap, const char *src) {
  size_t n = 0;
  for (; src && src[n] && n + 1 < cap; ++n) dst[n] = src[n];
  dst[n] = 0;
}

/* The line and the record saying `dropped` records like b's were left out
 * (b is a copy: what it names may be gone). */
static void log_suppressed(const struct burst *b, uint64_t dropped) {
  enum immune_event_kind kind = b->kind;
  uint64_t pc = b->pc;
  char line[768];
  struct immune_buf s = {line, 0, sizeof line};
  immune_buf_str(&s, "immune: ");
  immune_buf_udec(&s, dropped);
  immune_buf_str(&s, " more ");
  immune_buf_str(&s, kind_name(kind));
  immune_buf_str(&s, dropped == 1 ? " record" : " records");
  immune_buf_str(&s, " like the last one (pc ");
  immune_buf_hex(&s, pc);
  if (b->site) {
    immune_buf_str(&s, " in ");
    immune_buf_str(&s, b->function);
  }
  immune_buf_str(&s, ") were not written (IMMUNE_OPTIONS=log_burst: at most ");
  immune_buf_dec(&s, immune_opts.log_burst);
  immune_buf_str(&s, " a second)\n");
  if (s.len + 1 >= s.cap) {
    s.len = s.cap - 2;
    immune_buf_str(&s, "\n");
  }
  char rec[1024];
  struct immune_buf r = {rec, 0, sizeof rec};
  immune_json_record_start(&r, "suppressed");
  immune_buf_str(&r, ",\"kind\":\"");
  immune_buf_str(&r, kind_name(kind));
  immune_buf_str(&r, "\",\"count\":");
  immune_buf_udec(&r, dropped);
  immune_buf_str(&r, ",\"pc\":");
  json_hex(&r, pc);
  immune_buf_str(&r, ",\"function\":");
  if (b->site) {
    immune_json_str(&r, b->function, 512);
    immune_buf_str(&r, ",\"symbol\":");
    immune_json_str(&r, b->symbol, 512);
  } else {
    immune_buf_str(&r, "null");
  }
  immune_buf_str(&r, "}\n");
  immune_log_notice(0, 1, s.data, s.len, r.len + 1 < r.cap ? r.data : NULL, r.len);
}

/* Whether ev is one too many of its kind this second (then it is counted,
 * not written). Writes what an earlier second left out first. */
static int over_burst(const struct immune_event *ev) {
  if (immune_opts.log_burst <= 0 || ev->kind == IMMUNE_EV_CRASHED) return 0;
  uint64_t pc = ev->uc ? (uint64_t)ev->uc->uc_mcontext.gregs[REG_RIP] : ev->address;
  uint64_t key = (uint64_t)(uintptr_t)ev->site * 31 + pc * 7 + (uint64_t)ev->kind;
  struct burst *b = &bursts[(key ^ (key >> 17)) % BURST_SLOTS];
  int expected = 0;
  if (!atomic_compare_exchange_strong(&b->busy, &expected, 1)) return 0;
  uint64_t now = now_second();
  int same = b->site == ev->site && b->pc == pc && b->kind == ev->kind;
  uint64_t left_out = 0;
  struct burst old;
  int over = 0;
  if (same && b->second == now) {
    over = ++b->count > (uint64_t)immune_opts.log_burst;
    b->dropped += over;
  } else {
    left_out = b->dropped;
    if (left_out) old = *b;
    b->kind = ev->kind;
    b->site = ev->site;
    copy_name(b->function, sizeof b->function, ev->site ? ev->site->function : NULL);
    copy_name(b->symbol, sizeof b->symbol, ev->site ? ev->site->symbol : NULL);
    b->pc = pc;
    b->second = now;
    b->count = 1;
    b->dropped = 0;
  }
  atomic_store(&b->busy, 0);
  if (left_out) log_suppressed(&old, left_out);
  return over;
}

void immune_event_log_flush(void) {
  for (unsigned i = 0; i < BURST_SLOTS; ++i) {
    struct burst *b = &bursts[i];
    int expected = 0;
    if (!atomic_compare_exchange_strong(&b->busy, &expected, 1)) continue;
    uint64_t left_out = b->dropped;
    struct burst copy = *b;
    b->dropped = 0;
    atomic_store(&b->busy, 0);
    if (left_out) log_suppressed(&copy, left_out);
  }
}

void immune_log_event(const struct immune_event *ev) {
  if (over_burst(ev)) return;
  enum immune_event_kind kind = ev->kind;
  char line[768];
  struct immune_buf s = {line, 0, sizeof line};
  summary(&s, ev);
  /* A summary cut to the buffer (a very long C++ name) still ends its line. */
  if (s.len + 1 >= s.cap) {
    s.len = s.cap - 2;
    immune_buf_str(&s, "\n");
  }
  if (immune_opts.verbosity >= 1) immune_write_all(2, s.data, s.len);
  if (syslog_fd >= 0) {
    char msg[800];
    struct immune_buf m = {msg, 0, sizeof msg};
    /* <PRI>: facility user (8) + warning (4) for recoveries, error (3) else. */
    immune_buf_str(&m, kind == IMMUNE_EV_RECOVERED ? "<12>immune[" : "<11>immune[");
    immune_buf_dec(&m, getpid());
    immune_buf_str(&m, "]: ");
    immune_buf_str(&m, line + 8); /* without the "immune: " prefix */
    immune_raw_send(syslog_fd, m.data, m.len - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  if (log_fd >= 0) {
    int slot = claim_record_buffer();
    if (slot < 0) {
      atomic_fetch_add(&records_dropped, 1);
      return;
    }
    struct immune_buf r = {record_pool[slot], 0, RECORD_SIZE};
    json_record(&r, ev);
    immune_write_all(log_fd, r.data, r.len);
    atomic_store(&record_busy[slot], 0);
  }
}

/* A record that is not a fault (a vaccine change, runtime/vaccine.c), from
 * ordinary code: the summary line to stderr and syslog, the JSON record
 * (one line, built by the caller) to log_path, each with one write. */
void immune_log_notice(int error, int verbosity, const char *line, size_t len,
                       const char *record, size_t record_len) {
  if (immune_opts.verbosity >= verbosity) immune_write_all(2, line, len);
  if (syslog_fd >= 0 && len > 8 && immune_opts.verbosity >= verbosity) {
    char msg[1024];
    struct immune_buf m = {msg, 0, sizeof msg};
    immune_buf_str(&m, error ? "<11>immune[" : "<13>immune[");
    immune_buf_dec(&m, getpid());
    immune_buf_str(&m, "]: ");
    size_t n = len - 8 < m.cap - m.len ? len - 8 : m.cap - m.len;
    memcpy(m.data + m.len, line + 8, n); /* without the "immune: " prefix */
    m.len += n;
    if (m.len && m.data[m.len - 1] == '\n') --m.len;
    immune_raw_send(syslog_fd, m.data, m.len, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  if (log_fd >= 0 && record) immune_write_all(log_fd, record, record_len);
}
