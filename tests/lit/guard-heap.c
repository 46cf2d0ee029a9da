// guard_heap (policy fun:NAME=guard_heap, or IMMUNE_GUARD_HEAP) protects the
// function and sets IMMUNE_SITE_GUARD_HEAP (0x10) in its site's flags: the
// runtime reads the flag at each allocation inside a transaction and serves
// the block from the guarded heap. Nothing else of the transaction changes,
// and a function protected without it does not get the flag.
// Flags: UNDO 0x8 (the undo log is on by default), VOID 0x1.
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/guard-heap.txt -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/guard-heap.txt -o - %s | FileCheck %s
#include <immune/immune.h>
#include <stdlib.h>

// CHECK-DAG: @__immune_site.grow = internal global %struct.__immune_site { i32 {{[0-9]+}}, i32 24,
// CHECK-DAG: @__immune_site.annotated = internal global %struct.__immune_site { i32 {{[0-9]+}}, i32 25,
// CHECK-DAG: @__immune_site.plain_by_policy = internal global %struct.__immune_site { i32 {{[0-9]+}}, i32 8,
// CHECK-DAG: @__immune_site.plain_annotated = internal global %struct.__immune_site { i32 {{[0-9]+}}, i32 8,
// skip wins over guard_heap, as over every other category.
// CHECK-NOT: @__immune_site.skipped

long *table;

// CHECK-LABEL: define{{.*}} i32 @grow(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
int grow(int n) {
  long *t = realloc(table, n * sizeof *t);
  if (!t) return -1;
  table = t;
  return 0;
}

// CHECK-LABEL: define{{.*}} void @annotated(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
IMMUNE_GUARD_HEAP void annotated(int n) { table = malloc(n); }

int plain_by_policy(int n) { return n ? *table : 0; }

IMMUNE_PROTECT int plain_annotated(int n) { return n ? table[1] : 0; }

// CHECK-LABEL: define{{.*}} i32 @skipped(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
int skipped(int n) { return n + 1; }
