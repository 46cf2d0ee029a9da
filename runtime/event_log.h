/* Event records: one per recovery, crash or escalation (see docs/reports.md
 * for the schema). Written from the fault path: fixed buffers, raw writes. */
#ifndef IMMUNE_RT_EVENT_LOG_H
#define IMMUNE_RT_EVENT_LOG_H

#include <signal.h>
#include <ucontext.h>

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
};

void immune_log_event(const struct immune_event *ev);

#endif
