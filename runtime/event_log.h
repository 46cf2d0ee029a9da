/* Event records: one per recovery, crash or escalation (see docs/reports.md
 * for the schema). Written from the fault path: fixed buffers, raw writes. */
#ifndef IMMUNE_RT_EVENT_LOG_H
#define IMMUNE_RT_EVENT_LOG_H

#include <signal.h>
#include <ucontext.h>

#include "guard_heap.h"
#include "immune/abi.h"

/* STOPPED: nothing aborted and nothing died, but an overflow was stopped:
 * a system call asked the kernel to write past a relocated buffer, which
 * its guard page refused (EFAULT, or a short transfer); the program saw
 * the call fail. */
enum immune_event_kind { IMMUNE_EV_RECOVERED, IMMUNE_EV_CRASHED, IMMUNE_EV_ESCALATED,
                         IMMUNE_EV_STOPPED };

/* At start-up, after the options: open log_path, connect to syslog. */
void immune_event_log_init(void);

struct immune_event {
  enum immune_event_kind kind;
  int sig;                      /* 0: detected by the runtime (a canary) */
  const siginfo_t *info;        /* NULL when sig == 0 */
  const ucontext_t *uc;         /* where it happened, for pc and backtrace */
  const struct __immune_site *site;     /* the transaction, or NULL */
  const struct __immune_buffer *buffer; /* the relocated buffer hit, or NULL */
  const char *cause;            /* when sig == 0: "CANARY", "INJECTED" */
  const char *reason;           /* why it was not healed, or NULL */
  uintptr_t address;            /* when sig == 0: the address involved, or 0 */
  const struct immune_heap_hit *heap; /* the guarded heap block hit, or NULL */
};

void immune_log_event(const struct immune_event *ev);
/* Writes what log_burst left out and has not said yet (at exit). */
void immune_event_log_flush(void);

/* A record that is not a fault (a vaccine change): `line` ("immune: ...\n")
 * to stderr and syslog (error: at level err, else notice) when the
 * verbosity option is at least `verbosity`, `record` (one JSON line, or
 * NULL) to log_path always. It takes no lock and allocates nothing. */
void immune_log_notice(int error, int verbosity, const char *line, size_t len,
                       const char *record, size_t record_len);

/* JSON building blocks shared with other records: a string (escaped, cut
 * at limit bytes) and the current time (ISO 8601, UTC, milliseconds). */
struct immune_buf;
void immune_json_str(struct immune_buf *b, const char *s, size_t limit);
void immune_json_time(struct immune_buf *b);
/* A record's first fields, shared by every kind of record: {"time",
 * "pid", "build_id", "event": event — the caller goes on with ",..." */
void immune_json_record_start(struct immune_buf *b, const char *event);

/* build_id.c: the main program's GNU build id in hex ("" when it has none),
 * in every JSON record so records from many hosts group by binary. Filled
 * once at start-up. */
extern char immune_build_id[];
void immune_build_id_init(void);

#endif
