/* See rollback_report.h. The rollback's messages on stderr. */
#include <errno.h>

#include "options.h"
#include "rollback_report.h"

static const char *function_of(const struct __immune_tx *tx) {
  return tx && tx->site && tx->site->function ? tx->site->function : "?";
}

static void write_line(struct immune_buf *b) {
  int saved = errno;
  immune_write_all(2, b->data, b->len);
  errno = saved;
}

/* Once per segment, one line: "rollback log full (N entries)" and parts
 * (NULL-terminated). At verbosity 2: a transaction that fills the log
 * (a protect-all main loop) usually commits, and one that aborts says so
 * at verbosity 1 ("rollback incomplete"); a command-line tool's stderr
 * stays its own (jq under protect-all printed it on every run). */
static void warn_once(struct rlog_segment *s, uint32_t cap, const char *const *parts) {
  if (!s || (s->flags & RLOG_SEG_WARNED)) return;
  s->flags |= RLOG_SEG_WARNED;
  if (immune_opts.verbosity < 2) return;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rollback log full (");
  immune_buf_udec(&b, cap);
  immune_buf_str(&b, " entries)");
  for (; *parts; ++parts) immune_buf_str(&b, *parts);
  if (b.len + 1 >= b.cap) b.len = b.cap - 2;
  immune_buf_str(&b, "\n");
  write_line(&b);
}

void immune_rollback_warn_full(struct rlog_segment *s, const struct __immune_tx *tx, uint32_t cap) {
  const char *parts[] = {" in ", function_of(tx),
                         ": its further allocations, frees, locks and descriptors are not "
                         "logged and an abort cannot undo them (IMMUNE_OPTIONS=rollback_log_max)",
                         NULL};
  warn_once(s, cap, parts);
}

void immune_rollback_warn_given_up(struct rlog_segment *s, uint32_t cap) {
  const char *parts[] = {" inside ", function_of(s->tx),
                         ": its logged allocations, frees, locks and descriptors take effect "
                         "now, so the calls inside it can be undone; an abort of ",
                         function_of(s->tx), " cannot undo them (IMMUNE_OPTIONS=rollback_log_max)",
                         NULL};
  warn_once(s, cap, parts);
}

void immune_rollback_report_incomplete(const struct __immune_tx *tx, int counted, uint64_t n,
                                       const char *what) {
  if (immune_opts.verbosity < 1) return;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rollback incomplete in ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": ");
  if (counted) immune_buf_udec(&b, n);
  immune_buf_str(&b, what);
  immune_buf_str(&b, "\n");
  write_line(&b);
}

void immune_rollback_report_memory(const struct __immune_tx *tx, uint64_t undone) {
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rolled back ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": restored ");
  immune_buf_udec(&b, undone);
  immune_buf_str(&b, " logged store(s)\n");
  write_line(&b);
}

void immune_rollback_report_undone(const struct __immune_tx *tx, const uint32_t *undone) {
  if (immune_opts.verbosity < 2) return;
  char line[512];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: rolled back ");
  immune_buf_str(&b, function_of(tx));
  immune_buf_str(&b, ": freed ");
  immune_buf_udec(&b, undone[RLOG_UNDID_FREE_BLOCK]);
  immune_buf_str(&b, " block(s), cancelled ");
  immune_buf_udec(&b, undone[RLOG_UNDID_CANCEL_FREE]);
  immune_buf_str(&b, " free(s), released ");
  immune_buf_udec(&b, undone[RLOG_UNDID_RELEASE_LOCK]);
  immune_buf_str(&b, " lock(s), closed ");
  immune_buf_udec(&b, undone[RLOG_UNDID_CLOSE]);
  immune_buf_str(&b, " descriptor(s)\n");
  write_line(&b);
}

void immune_rollback_report_incomplete_total(uint64_t n) {
  if (!n) return;
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: ");
  immune_buf_udec(&b, n);
  immune_buf_str(&b, " aborted transaction(s) rolled back incompletely (rollback log full)\n");
  write_line(&b);
}
