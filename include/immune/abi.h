/* The contract between the Immune pass (compile time) and libimmune_rt (run
 * time). Both sides include this header and nothing else of each other: the
 * pass builds IR whose layout must match these structs, the runtime reads them
 * at fault time. Change anything here and bump IMMUNE_ABI_VERSION; the
 * registration entry point carries the version in its name, so a module built
 * by a mismatched plugin fails at link time instead of misbehaving at run time.
 *
 * This header is C (the runtime is C) and C++ (the pass is C++). */
#ifndef IMMUNE_ABI_H
#define IMMUNE_ABI_H

#include <stdint.h>

#define IMMUNE_ABI_VERSION 2

/* ---- Symbol names the pass emits references to. -------------------------
 * Kept as string literals here so the pass never spells them itself. */
/* Saves the callee-saved registers, stack pointer and return address into
 * tx->ctx and returns 0; the runtime "returns" from it a second time with 1
 * when the transaction aborts. Declared returns_twice. */
#define IMMUNE_SYM_CHECKPOINT "__immune_checkpoint"
/* Per-thread pointer to the innermost live transaction (initial-exec TLS). */
#define IMMUNE_SYM_TX_TOP "__immune_tx_top"
/* Called once per module from a constructor with that module's site table.
 * The version in the name is the link-time ABI check. */
#define IMMUNE_SYM_REGISTER "__immune_register_sites_v2"
/* Called from the module's destructor with the same table: a module that is
 * dlclose()d takes its sites out of the registry before it is unmapped. */
#define IMMUNE_SYM_UNREGISTER "__immune_unregister_sites_v2"
/* Prefix of everything the pass creates; the pass never instruments a
 * function whose name starts with it. */
#define IMMUNE_PREFIX "__immune_"
/* Module constructor priority for site registration: after libc (0-100 are
 * reserved for the implementation) but before ordinary constructors, so a
 * constructor that runs protected code already finds its site registered. */
#define IMMUNE_CTOR_PRIORITY 101

/* ---- Static description of one protected function (one per function). ---
 * Emitted by the pass as a writable global; the runtime links registered
 * sites through `next` and counts aborts in place, so registration never
 * allocates. */
struct __immune_site {
  uint32_t abi_version;      /* IMMUNE_ABI_VERSION of the pass that made it */
  uint32_t flags;            /* IMMUNE_SITE_* */
  const char *function;      /* demangled name, for reports */
  const char *symbol;        /* linkage name */
  const char *file;          /* source file, "" when unknown */
  const char *error_value;   /* the error value as text: "-1", "NULL", ... */
  uint64_t aborts;           /* updated atomically by the runtime */
  uint64_t window_start_ms;  /* runtime-owned: escalation window start */
  uint64_t window_count;     /* runtime-owned: aborts in that window */
  struct __immune_site *next; /* runtime-owned registry link */
  uint64_t timeout_ms;       /* watchdog budget per call, 0 = none */
};

#define IMMUNE_SITE_VOID 0x1u   /* returns nothing */
#define IMMUNE_SITE_SRET 0x2u   /* returns an aggregate through sret: zeroed */
#define IMMUNE_SITE_SLOTS 0x4u  /* tx.slot_mark is valid: restore it on abort */
#define IMMUNE_SITE_UNDO 0x8u   /* tx.undo_mark is valid: the function's stores
                                   (and its callees' in the module) are logged */
/* Runtime-owned: abort every call on entry (IMMUNE_OPTIONS=inject=...).
 * Tested by the checkpoint (checkpoint_x86_64.S) once injection is armed. */
#define IMMUNE_SITE_INJECT 0x80000000u

/* ---- One live transaction (one per protected call, in its frame). -------
 * ctx layout is architecture specific; see runtime/checkpoint_*.S. */
#define IMMUNE_CTX_WORDS 15
struct __immune_tx {
  /* x86-64: rbx rbp r12 r13 r14 r15 rsp rip, then rdi rsi rdx rcx r8 r9 r10.
   * The second group is there because the pass calls the checkpoint with
   * preserve_most: the compiler may keep live values in those registers
   * across it, so a second return must restore them as well. */
  uint64_t ctx[IMMUNE_CTX_WORDS];
  struct __immune_tx *prev;        /* next outer live transaction */
  struct __immune_site *site;      /* static description of the function */
  void *aux;                       /* sret pointer, reloaded on abort */
  uint64_t slot_mark;              /* guard-slot stack at entry (DYBOC) */
  void *undo_mark;                 /* memory undo log position at entry */
};

/* Field indices the pass uses when it builds `struct __immune_tx` in IR. */
#define IMMUNE_TX_FIELD_CTX 0
#define IMMUNE_TX_FIELD_PREV 1
#define IMMUNE_TX_FIELD_SITE 2
#define IMMUNE_TX_FIELD_AUX 3
#define IMMUNE_TX_FIELD_SLOT_MARK 4
#define IMMUNE_TX_FIELD_UNDO_MARK 5

/* Field indices of `struct __immune_site` in IR. */
#define IMMUNE_SITE_FIELD_ABI 0
#define IMMUNE_SITE_FIELD_FLAGS 1
#define IMMUNE_SITE_FIELD_FUNCTION 2
#define IMMUNE_SITE_FIELD_SYMBOL 3
#define IMMUNE_SITE_FIELD_FILE 4
#define IMMUNE_SITE_FIELD_ERROR 5
#define IMMUNE_SITE_FIELD_ABORTS 6
#define IMMUNE_SITE_FIELD_WINDOW_START 7
#define IMMUNE_SITE_FIELD_WINDOW_COUNT 8
#define IMMUNE_SITE_FIELD_NEXT 9
#define IMMUNE_SITE_FIELD_TIMEOUT 10

/* ---- DYBOC: stack buffers moved to guard-paged slots. ------------------
 * One static descriptor per relocated allocation, for reports ("overflow of
 * `buf` in `parse_header`"). */
struct __immune_buffer {
  const char *name;     /* source variable name, or "alloca" */
  const char *function; /* demangled name of the function it belongs to */
  const char *file;
  uint32_t line;
  uint32_t flags;       /* IMMUNE_BUFFER_* */
};
#define IMMUNE_BUFFER_DYNAMIC 0x1u /* VLA or alloca(): size known at run time */

/* Per-thread guard-slot stack pointer: the slot count of every size class,
 * packed (see runtime/guard_pool.c). Read inline as the mark a function
 * releases back to; initial-exec TLS like __immune_tx_top. */
#define IMMUNE_SYM_SLOT_TOP "__immune_slot_top"
/* void *__immune_slot_alloc(uint64_t size, uint64_t align,
 *                           const struct __immune_buffer *desc):
 * a guard-paged slot with the buffer's end flush against the guard page,
 * or NULL when the pool cannot serve it (the buffer then stays on the
 * stack). */
#define IMMUNE_SYM_SLOT_ALLOC "__immune_slot_alloc"
/* void __immune_slot_release(uint64_t mark): checks the canaries of every
 * slot above mark and pops them; a broken canary aborts the innermost live
 * transaction (or, outside one, kills the process with a report). */
#define IMMUNE_SYM_SLOT_RELEASE "__immune_slot_release"

/* ---- Rollback: undoing an aborted transaction's effects. ---------------
 * Per-thread word: the address of the record of the transaction that owns
 * the newest entries of the rollback log (heap blocks, deferred frees, held
 * locks, open descriptors of live transactions), zero when the log is
 * empty. The pass reads it at every commit and calls __immune_tx_commit(tx)
 * only when it is tx's own address: a transaction that owns none of these
 * things pays one load and a compare, also when a transaction around it
 * holds entries (a server's main loop). */
#define IMMUNE_SYM_ROLLBACK_PENDING "__immune_rollback_pending"
/* void __immune_tx_commit(struct __immune_tx *tx): tx commits; its entries
 * go to the next outer live transaction, or take effect (deferred frees). */
#define IMMUNE_SYM_TX_COMMIT "__immune_tx_commit"
/* void __immune_tx_rollback(struct __immune_tx *tx): called by the abort
 * path, in ordinary context after the runtime resumed it: undo tx's
 * entries (free its blocks, forget its frees, unlock, close). */
#define IMMUNE_SYM_TX_ROLLBACK "__immune_tx_rollback"

/* ---- Memory undo log: stores an aborted transaction made, undone. ------
 * The pass logs every store (and memset/memcpy/memmove) a protected
 * function makes to memory outside its own frame, and so do the
 * transactional clones of the functions it calls in the same module. An
 * entry is 16 bytes, appended at __immune_undo_cur while it is below
 * __immune_undo_end (both per thread, initial-exec TLS):
 *
 *   word 0: the address | (size << 56), size 1, 2, 4 or 8
 *   word 1: the old contents, zero-extended
 *
 * A range (memset, memcpy, memmove, or a store wider than 8 bytes) is
 * logged by __immune_undo_range: its old bytes, padded to 16, then a
 * trailer entry whose word 0 is the address | (0xff << 56) and word 1 the
 * length, so the log can be walked backwards. A transaction records the
 * position at entry in tx.undo_mark; an abort undoes the entries above it
 * in reverse; the outermost commit truncates the log back to its mark. */
#define IMMUNE_SYM_UNDO_CUR "__immune_undo_cur"
#define IMMUNE_SYM_UNDO_END "__immune_undo_end"
#define IMMUNE_UNDO_RANGE_TAG 0xffu
/* void __immune_undo_word(void *addr, uint64_t size, uint64_t old): the
 * slow path of a logged store (no log yet on this thread, or it is full).
 * The instrumented code has already read `old`, so a bad address faults in
 * the program, never in the runtime. */
#define IMMUNE_SYM_UNDO_WORD "__immune_undo_word"
/* void __immune_undo_range(void *addr, uint64_t len): logs the old bytes
 * of [addr, addr + len) before a wider write. */
#define IMMUNE_SYM_UNDO_RANGE "__immune_undo_range"

/* ---- Annotation strings recognised by the pass (see immune.h). ---------- */
#define IMMUNE_ANNOTATION_PROTECT "immune"
#define IMMUNE_ANNOTATION_RETURN "immune.return"
#define IMMUNE_ANNOTATION_SKIP "immune.skip"
#define IMMUNE_ANNOTATION_TIMEOUT "immune.timeout_ms"

/* ---- Runaway-loop watchdog. -------------------------------------------
 * A function with a time budget arms the watchdog after its checkpoint and
 * disarms it before committing; its loop back-edges and calls poll a
 * per-thread flag, which the runtime's watchdog thread raises when the
 * budget runs out. A poll that sees the flag calls __immune_watchdog_poll(),
 * which aborts the transaction whose budget expired — at a safe point of
 * instrumented code, never inside libc. */
#define IMMUNE_SYM_WATCHDOG_FLAG "__immune_watchdog_flag"
#define IMMUNE_SYM_WATCHDOG_ARM "__immune_watchdog_arm"
#define IMMUNE_SYM_WATCHDOG_DISARM "__immune_watchdog_disarm"
#define IMMUNE_SYM_WATCHDOG_POLL "__immune_watchdog_poll"

#ifdef __cplusplus
extern "C" {
#endif
__attribute__((returns_twice)) int __immune_checkpoint(struct __immune_tx *tx);
void __immune_register_sites_v2(struct __immune_site **sites, uint64_t count);
void __immune_unregister_sites_v2(struct __immune_site **sites, uint64_t count);
void *__immune_slot_alloc(uint64_t size, uint64_t align,
                          const struct __immune_buffer *desc);
void __immune_slot_release(uint64_t mark);
__attribute__((preserve_most)) void __immune_tx_commit(struct __immune_tx *tx);
void __immune_tx_rollback(struct __immune_tx *tx);
void __immune_watchdog_arm(struct __immune_tx *tx);
void __immune_watchdog_disarm(struct __immune_tx *tx);
void __immune_watchdog_poll(void);
void __immune_undo_word(void *addr, uint64_t size, uint64_t old);
void __immune_undo_range(void *addr, uint64_t len);
#ifdef __cplusplus
}
#endif

#endif /* IMMUNE_ABI_H */
