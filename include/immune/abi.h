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

#define IMMUNE_ABI_VERSION 4

/* ---- Symbol names the pass emits references to. -------------------------
 * Kept as string literals here so the pass never spells them itself. */
/* The thread's Immune state, one initial-exec TLS block (struct
 * __immune_thread below): one base for every access, which the linker turns
 * into an immediate offset from %fs when the runtime is linked statically. */
#define IMMUNE_SYM_THREAD "__immune_thread"
/* struct __immune_tx *__immune_tx_enter_slow(struct __immune_site *site):
 * the entry's cold path, taken when the next record (IMMUNE_TX_NEXT) is not
 * below thread.tx_limit (the thread has no transaction stack yet, it is
 * full, or fault injection is armed): returns the record to push, or NULL
 * when the call must abort on entry (injection; the next record is filled
 * for the abort path). */
#define IMMUNE_SYM_TX_ENTER_SLOW "__immune_tx_enter_slow"
/* Called once per module from a constructor with that module's site table.
 * The version in the name is the link-time ABI check. */
#define IMMUNE_SYM_REGISTER "__immune_register_sites_v4"
/* Called from the module's destructor with the same table: a module that is
 * dlclose()d takes its sites out of the registry before it is unmapped. */
#define IMMUNE_SYM_UNREGISTER "__immune_unregister_sites_v4"
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
 * allocates. The fields marked runtime-owned start at zero.
 *
 * ret_kind/ret_bits say what the function returns, so a live vaccine
 * (IMMUNE_OPTIONS=vaccine=PATH, runtime/vaccine.c) can give it another
 * error value without a rebuild: the runtime stores the value's bits in
 * ret_value, sets IMMUNE_SITE_RETURN_SET, and the abort path returns
 * ret_value instead of the compiled error value while the flag is set. */
#define IMMUNE_SITE_FIELDS(X)                                                      \
  X(ABI, uint32_t, abi_version)      /* IMMUNE_ABI_VERSION of the pass */          \
  X(FLAGS, uint32_t, flags)          /* IMMUNE_SITE_* */                           \
  X(FUNCTION, const char *, function) /* demangled name, for reports */            \
  X(SYMBOL, const char *, symbol)    /* linkage name */                            \
  X(FILE, const char *, file)        /* source file, "" when unknown */            \
  X(ERROR, const char *, error_value) /* the error value as text: "-1", "NULL" */  \
  X(ABORTS, uint64_t, aborts)        /* runtime-owned, updated atomically */       \
  X(WINDOW_START, uint64_t, window_start_ms) /* runtime-owned: budget window */    \
  X(WINDOW_COUNT, uint64_t, window_count)    /* runtime-owned: aborts in it */     \
  X(NEXT, struct __immune_site *, next)      /* runtime-owned registry link */     \
  X(TIMEOUT, uint64_t, timeout_ms)   /* watchdog budget per call, 0 = none */      \
  X(RET_KIND, uint32_t, ret_kind)    /* IMMUNE_RET_* */                            \
  X(RET_BITS, uint32_t, ret_bits)    /* width of an IMMUNE_RET_INT */              \
  X(RET_VALUE, uint64_t, ret_value)  /* runtime-owned: a vaccine's error value */  \
  X(RET_TEXT, const char *, ret_text) /* runtime-owned: ... and its text */

struct __immune_site {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) TYPE NAME;
  IMMUNE_SITE_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
};
/* Field indices the pass uses when it builds `struct __immune_site` in IR. */
enum {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) IMMUNE_SITE_FIELD_##ID,
  IMMUNE_SITE_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
  IMMUNE_SITE_NUM_FIELDS
};

/* What a protected function returns (site.ret_kind), for live error values:
 * a vaccine's return:V must fit it, as a policy's must at compile time. */
#define IMMUNE_RET_NONE 0u   /* void, or an aggregate (zeroed): no other value */
#define IMMUNE_RET_INT 1u    /* an integer of ret_bits bits (1 for bool) */
#define IMMUNE_RET_PTR 2u    /* a pointer: NULL or an integer address */
#define IMMUNE_RET_FLOAT 3u  /* float: ret_value holds its 32 bits */
#define IMMUNE_RET_DOUBLE 4u /* double: ret_value holds its 64 bits */
#define IMMUNE_RET_OTHER 5u  /* long double, vectors, ...: no other value */

#define IMMUNE_SITE_VOID 0x1u   /* returns nothing */
#define IMMUNE_SITE_SRET 0x2u   /* returns an aggregate through sret: zeroed */
#define IMMUNE_SITE_SLOTS 0x4u  /* tx.slot_mark is valid: restore it on abort */
#define IMMUNE_SITE_UNDO 0x8u   /* tx.undo_mark is valid: the function's stores
                                   (and its callees' in the module) are logged */
/* While the function's transaction is live on the thread, the blocks it and
 * its callees allocate come from the guarded heap (runtime/guard_heap.c):
 * each block's end flush against a PROT_NONE page. Set by the pass (policy
 * guard_heap, IMMUNE_GUARD_HEAP) or by a vaccine (`=guard_heap`); the
 * runtime reads it at every allocation inside a transaction, so a flag set
 * at run time counts from the next allocation on. */
#define IMMUNE_SITE_GUARD_HEAP 0x10u
/* Runtime-owned: the pass set IMMUNE_SITE_GUARD_HEAP (recorded at
 * registration), so a vaccine without `=guard_heap` leaves it set. */
#define IMMUNE_SITE_GUARD_HEAP_BUILT 0x10000000u
/* Runtime-owned: abort every call on entry (IMMUNE_OPTIONS=inject=...).
 * Tested by the entry's slow path (tx_stack.c) once injection is armed. */
#define IMMUNE_SITE_INJECT 0x80000000u
/* Runtime-owned: a vaccine is in force and does not name this function
 * (runtime/vaccine.c). Its transaction still runs; a fault inside it
 * belongs to the innermost enclosing transaction that is not dormant, and
 * with none the process dies as without Immune. */
#define IMMUNE_SITE_DORMANT 0x40000000u
/* Runtime-owned: ret_value holds the error value a vaccine gave. */
#define IMMUNE_SITE_RETURN_SET 0x20000000u
/* Runtime-owned: the site's module is unregistering it (one walk of the
 * registry takes out every marked site: runtime/site_registry.c). */
#define IMMUNE_SITE_LEAVING 0x08000000u

/* ---- One live transaction: a record on the thread's transaction stack. ---
 * The records live in a runtime-owned, guard-paged mapping per thread (the
 * "shadow" transaction stack, runtime/tx_stack.c), never in the protected
 * function's frame: no overflow of a stack buffer can rewrite what the
 * runtime acts on at fault time. Records are contiguous; the pass pushes at
 * the next record (IMMUNE_TX_NEXT) and pops back to the record's prev.
 *
 * The first five words are the buffer of llvm.eh.sjlj.setjmp (the
 * __builtin_setjmp layout): the pass stores the frame pointer (word 0) and
 * the stack pointer (word 2), the intrinsic stores the resume address (word
 * 1) and, under CET, the shadow-stack pointer (word 3). The compiler treats
 * every register as clobbered at the resume point, so a resume restores only
 * rbp, rsp and rip (runtime/arch/x86_64/resume.S, context.c).
 *
 * Word 4 (ret) is the return address in the function's frame at entry: an
 * abort checks it is still there, since resuming a function whose return
 * address an overflow rewrote would end in a jump to attacker-written bytes
 * (runtime/abort.c). tag is zeroed at entry and belongs to the runtime from
 * then on (livelock detection marks the enclosing transaction's instance). */
#define IMMUNE_TX_FIELDS(X)                                                        \
  X(FP, uint64_t, fp)                    /* frame pointer at the checkpoint */    \
  X(IP, uint64_t, ip)                    /* resume address */                     \
  X(SP, uint64_t, sp)                    /* stack pointer at the checkpoint */    \
  X(SSP, uint64_t, ssp)                  /* CET shadow stack pointer */           \
  X(RET, uint64_t, ret)                  /* the function's return address */      \
  X(PREV, struct __immune_tx *, prev)    /* next outer live transaction */        \
  X(SITE, struct __immune_site *, site)  /* static description of the function */ \
  X(AUX, void *, aux)                    /* sret pointer, zeroed on abort */      \
  X(SLOT_MARK, uint64_t, slot_mark)      /* guard-slot stack at entry (DYBOC) */  \
  X(UNDO_MARK, void *, undo_mark)        /* memory undo log position at entry */  \
  X(TAG, uint64_t, tag)                  /* 0 at entry; runtime-owned after */

struct __immune_tx {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) TYPE NAME;
  IMMUNE_TX_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
};

/* Field indices the pass uses when it builds `struct __immune_tx` in IR. */
enum {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) IMMUNE_TX_FIELD_##ID,
  IMMUNE_TX_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
  IMMUNE_TX_NUM_FIELDS
};
/* Every field is one 8-byte word: the IR type is an array-free struct of
 * i64/ptr, and offsets are index * 8. */
#define IMMUNE_TX_SIZE (8 * IMMUNE_TX_NUM_FIELDS)

/* ---- The thread's state, one TLS block (IMMUNE_SYM_THREAD). --------------
 * Zero before the runtime touches it, and safe so: tx_limit 0 sends the
 * first protected call to the slow path, which maps the thread's
 * transaction stack. Every field is one 8-byte word. */
#define IMMUNE_THREAD_FIELDS(X)                                                    \
  X(TX_TOP, struct __immune_tx *, tx_top)     /* innermost live record, or NULL */\
  X(TX_LIMIT, struct __immune_tx *, tx_limit) /* push only below this */          \
  X(TX_BASE, struct __immune_tx *, tx_base)   /* the first record */              \
  X(UNDO_CUR, char *, undo_cur)               /* memory undo log: next entry */   \
  X(UNDO_END, char *, undo_end)               /* ... and its end */               \
  X(SLOT_TOP, uint64_t, slot_top)             /* guard-slot stack (DYBOC) */      \
  X(ROLLBACK_PENDING, uint64_t, rollback_pending) /* owner of newest log entries */\
  X(WATCHDOG_FLAG, uint64_t, watchdog_flag)   /* raised when a budget ran out */  \
  X(OUTER_COMMITS, uint64_t, outer_commits)   /* commits of outermost transactions */

struct __immune_thread {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) TYPE NAME;
  IMMUNE_THREAD_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
};
/* Records are contiguous, so where the next one goes is not stored: after
 * the innermost live one, or at the base when none is live. */
#define IMMUNE_TX_NEXT(t) ((t)->tx_top ? (t)->tx_top + 1 : (t)->tx_base)
enum {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) IMMUNE_THREAD_FIELD_##ID,
  IMMUNE_THREAD_FIELDS(IMMUNE_X_FIELD)
#undef IMMUNE_X_FIELD
  IMMUNE_THREAD_NUM_FIELDS
};


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

/* The guard-slot stack pointer is thread.slot_top: the slot count of every
 * size class, packed (see runtime/guard_pool.c), read inline as the mark a
 * function releases back to. */
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
 * thread.rollback_pending: the address of the record of the transaction that
 * owns the newest entries of the rollback log (heap blocks, deferred frees, held
 * locks, open descriptors of live transactions), zero when the log is
 * empty. The pass reads it at every commit and calls __immune_tx_commit(tx)
 * only when it is tx's own address: a transaction that owns none of these
 * things pays one load and a compare, also when a transaction around it
 * holds entries (a server's main loop). */
/* void __immune_tx_commit(struct __immune_tx *tx): tx commits; its entries
 * go to the next outer live transaction, or take effect (deferred frees). */
#define IMMUNE_SYM_TX_COMMIT "__immune_tx_commit"
/* void *__immune_tx_rollback(void): called first thing by the abort path,
 * in ordinary context after the runtime resumed it: undo the entries of the
 * transaction just aborted (its record is the next one, IMMUNE_TX_NEXT: the
 * abort popped it) — stores, blocks, frees, locks, descriptors — and
 * return its record's aux word (the sret pointer to zero). It takes no
 * argument on purpose: nothing the abort path could pass comes from memory
 * an overflow cannot reach. */
#define IMMUNE_SYM_TX_ROLLBACK "__immune_tx_rollback"

/* ---- Memory undo log: stores an aborted transaction made, undone. ------
 * The pass logs every store (and memset/memcpy/memmove) a protected
 * function makes to memory outside its own frame, and so do the
 * transactional clones of the functions it calls in the same module. An
 * entry is 16 bytes, appended at thread.undo_cur while it is below
 * thread.undo_end:
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
#define IMMUNE_UNDO_RANGE_TAG 0xffu
/* void __immune_undo_word(void *addr, uint64_t size, uint64_t old): the
 * slow path of a logged store (no log yet on this thread, or it is full).
 * The instrumented code has already read `old`, so a bad address faults in
 * the program, never in the runtime. */
#define IMMUNE_SYM_UNDO_WORD "__immune_undo_word"
/* void __immune_undo_range(void *addr, uint64_t len): logs the old bytes
 * of [addr, addr + len) before a wider write. */
#define IMMUNE_SYM_UNDO_RANGE "__immune_undo_range"

/* ---- Policy lines that matched (compile time -> link time). ------------
 * A non-allocated section of each module compiled with a policy: the
 * numbers of the lines that matched one of its functions, "3,7;" (a module
 * with none adds ";"). The linker concatenates them; immune-cc reads the
 * output's and reports each fun:/src: line no module matched. */
#define IMMUNE_POLICY_LINES_SECTION ".immune.policy_lines"

/* ---- Annotation strings recognised by the pass (see immune.h). ---------- */
#define IMMUNE_ANNOTATION_PROTECT "immune"
#define IMMUNE_ANNOTATION_RETURN "immune.return"
#define IMMUNE_ANNOTATION_SKIP "immune.skip"
#define IMMUNE_ANNOTATION_TIMEOUT "immune.timeout_ms"
#define IMMUNE_ANNOTATION_GUARD_HEAP "immune.guard_heap"

/* ---- Runaway-loop watchdog. -------------------------------------------
 * A function with a time budget arms the watchdog after its checkpoint and
 * disarms it before committing; its loop back-edges and calls poll a
 * per-thread flag (thread.watchdog_flag), which the runtime's watchdog thread raises when the
 * budget runs out. A poll that sees the flag calls __immune_watchdog_poll(),
 * which aborts the transaction whose budget expired — at a safe point of
 * instrumented code, never inside libc. */
#define IMMUNE_SYM_WATCHDOG_ARM "__immune_watchdog_arm"
#define IMMUNE_SYM_WATCHDOG_DISARM "__immune_watchdog_disarm"
#define IMMUNE_SYM_WATCHDOG_POLL "__immune_watchdog_poll"

#ifdef __cplusplus
extern "C" {
#endif
struct __immune_tx *__immune_tx_enter_slow(struct __immune_site *site);
void __immune_register_sites_v4(struct __immune_site **sites, uint64_t count);
void __immune_unregister_sites_v4(struct __immune_site **sites, uint64_t count);
void *__immune_slot_alloc(uint64_t size, uint64_t align,
                          const struct __immune_buffer *desc);
void __immune_slot_release(uint64_t mark);
__attribute__((preserve_most)) void __immune_tx_commit(struct __immune_tx *tx);
void *__immune_tx_rollback(void);
void __immune_watchdog_arm(struct __immune_tx *tx);
void __immune_watchdog_disarm(struct __immune_tx *tx);
void __immune_watchdog_poll(void);
void __immune_undo_word(void *addr, uint64_t size, uint64_t old);
void __immune_undo_range(void *addr, uint64_t len);
#ifdef __cplusplus
}
#endif

#endif /* IMMUNE_ABI_H */
