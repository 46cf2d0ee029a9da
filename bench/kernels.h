/* The functions under measurement, as the harness sees them. kernels.c is
 * compiled twice (see CMakeLists.txt): once by immune-cc, which makes every
 * IMMUNE_PROTECT function a transaction, and once by plain clang, where the
 * annotation is inert. The two objects differ only in the symbol suffix, so
 * the harness links both and calls each by name. */
#ifndef IMMUNE_BENCH_KERNELS_H
#define IMMUNE_BENCH_KERNELS_H

#define KERNEL_CAT2(a, b) a##b
#define KERNEL_CAT(a, b) KERNEL_CAT2(a, b)

/* work: a few arithmetic operations on two loads; the protected call
 * benchmark. Given p == NULL it faults on its first load: the fault-to-error
 * benchmark.
 * nest2 / nest4: a chain of 2 / 4 protected calls ending in work.
 * buffered: work with a 64-byte stack buffer, which DYBOC moves to a
 * guard-page slot in the protected build (one slot taken and released, its
 * canaries checked, per call).
 * loop / loop_budget: 64 iterations of arithmetic, the second with a
 * watchdog budget (IMMUNE_TIMEOUT_MS): the difference is the watchdog's
 * idle cost (arm, disarm, and a poll per iteration).
 * store1 / store16 / store64: 1, 16, 64 stores to a global array: in the
 * protected build each is logged by the memory undo log first.
 * heap / heap_guarded: malloc(n & 1023 | 16), a store to its last byte,
 * free: a protected call that allocates, and the same with IMMUNE_GUARD_HEAP
 * (the block comes from the guarded heap: its end at a guard page, canaries
 * filled and checked). */
#define KERNEL_DECLARATIONS(suffix)                         \
  int KERNEL_CAT(work, suffix)(const int *p, int n);        \
  int KERNEL_CAT(nest2, suffix)(const int *p, int n);       \
  int KERNEL_CAT(nest3, suffix)(const int *p, int n);       \
  int KERNEL_CAT(nest4, suffix)(const int *p, int n);       \
  int KERNEL_CAT(buffered, suffix)(const int *p, int n);    \
  int KERNEL_CAT(loop, suffix)(const int *p, int n);        \
  int KERNEL_CAT(loop_budget, suffix)(const int *p, int n); \
  int KERNEL_CAT(store1, suffix)(const int *p, int n);      \
  int KERNEL_CAT(store16, suffix)(const int *p, int n);     \
  int KERNEL_CAT(store64, suffix)(const int *p, int n);      \
  int KERNEL_CAT(heap, suffix)(const int *p, int n);         \
  int KERNEL_CAT(heap_guarded, suffix)(const int *p, int n);

#ifdef __cplusplus
extern "C" {
#endif
KERNEL_DECLARATIONS(_plain)
KERNEL_DECLARATIONS(_protected)
#ifdef __cplusplus
}
#endif

#endif /* IMMUNE_BENCH_KERNELS_H */
