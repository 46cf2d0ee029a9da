/* The per-thread stack of live transactions. Instrumented code pushes its
 * record (in its own frame) on entry and pops it on every exit; the fault
 * handler pops the innermost live one when it aborts it. A plain linked list
 * through the records: push and pop are two loads and a store, no call. */
#include "internal.h"
#include "immune/immune.h"

IMMUNE_TLS struct __immune_tx *__immune_tx_top IMMUNE_EXPORT;

IMMUNE_EXPORT unsigned immune_tx_depth(void) {
  unsigned n = 0;
  for (struct __immune_tx *tx = __immune_tx_top; tx; tx = tx->prev) ++n;
  return n;
}
