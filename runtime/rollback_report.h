/* What the rollback says on stderr (rollback_report.c): the log full, a
 * rollback incomplete, what a rollback undid. Apart from the log and the
 * policy so both read as what they do; every line is one write(2) from a
 * fixed buffer, errno kept. */
#ifndef IMMUNE_RT_ROLLBACK_REPORT_H
#define IMMUNE_RT_ROLLBACK_REPORT_H

#include <stdint.h>

#include "rollback_log.h"

/* Once per segment, at verbosity 2: tx's further operations are not logged
 * (its log of cap entries is full). */
void immune_rollback_warn_full(struct rlog_segment *s, const struct __immune_tx *tx, uint32_t cap);
/* Once per segment, at verbosity 2: s's transaction gave up its entries so
 * the calls inside it can be undone. */
void immune_rollback_warn_given_up(struct rlog_segment *s, uint32_t cap);
/* At verbosity 1: "rollback incomplete in F: [N]what" (N when counted). */
void immune_rollback_report_incomplete(const struct __immune_tx *tx, int counted, uint64_t n,
                                       const char *what);
/* "rolled back F: restored N logged store(s)". */
void immune_rollback_report_memory(const struct __immune_tx *tx, uint64_t undone);
/* At verbosity 2: what the undo of tx's entries did (undone[RLOG_UNDID_KINDS]). */
void immune_rollback_report_undone(const struct __immune_tx *tx, const uint32_t *undone);
/* At exit: n aborted transactions were rolled back incompletely. */
void immune_rollback_report_incomplete_total(uint64_t n);

#endif
