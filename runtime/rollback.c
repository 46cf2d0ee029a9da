/* Rollback of an aborted transaction's effects beyond its own frame: heap
 * blocks it allocated, blocks it freed, locks it took, descriptors it
 * opened. (Being written; see issue "Rollback".) */
#include "internal.h"

IMMUNE_TLS uint64_t __immune_rollback_pending IMMUNE_EXPORT;

/* preserve_most: see RuntimeInterface.cpp (the pass calls it so). */
IMMUNE_EXPORT __attribute__((preserve_most)) void __immune_tx_commit(struct __immune_tx *tx) {
  (void)tx;
}
IMMUNE_EXPORT void __immune_tx_rollback(struct __immune_tx *tx) { (void)tx; }
