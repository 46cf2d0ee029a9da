// Protect-all: a leaf with local linkage, no stores outside its frame, no
// buffers and only protected callers runs inside its callers' transactions
// (no record, no checkpoint); everything else keeps its own.
// RUN: env IMMUNE_PROTECT_ALL=1 %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: env IMMUNE_PROTECT_ALL=1 %clang_immune -O0 -Rpass=immune -S -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: env IMMUNE_PROTECT_ALL=1 IMMUNE_ELIDE=0 %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=OFF
// RUN: env IMMUNE_PROTECT_ALL=1 IMMUNE_UNDO=0 %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=NOUNDO
#include <immune/immune.h>

int g;

static int leaf(const int *p, int i);
static int leaf_store(const int *p);
static int leaf_buffer(int i);
static int annotated_leaf(const int *p);

// Callable from other modules, whose callers may not be protected.
// CHECK-LABEL: define{{.*}} i32 @external_leaf(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
int external_leaf(const int *p) { return *p; }

// CHECK-LABEL: define{{.*}} i32 @caller(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: call i32 @leaf_store.immune.tx(
int caller(const int *p) {
  return leaf(p, 1) + leaf_store(p) + leaf_buffer(*p) + external_leaf(p) + annotated_leaf(p);
}

// CHECK-LABEL: define internal i32 @leaf(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
// OFF-LABEL: define internal i32 @leaf(
// OFF: call i32 @llvm.eh.sjlj.setjmp(
// REMARK: remark: 'leaf' runs inside its callers' transactions
static int leaf(const int *p, int i) { return p[i] * 2; }

// A store outside the frame: undone with the caller's transaction, through
// the logging clone the caller calls; without the undo log it needs a
// transaction of its own.
// CHECK-LABEL: define internal i32 @leaf_store(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
// NOUNDO-LABEL: define internal i32 @leaf_store(
// NOUNDO: call i32 @llvm.eh.sjlj.setjmp(
static int leaf_store(const int *p) {
  g = *p;
  return 1;
}

// A buffer: DYBOC relocates it in its own transaction.
// CHECK-LABEL: define internal i32 @leaf_buffer(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
static int leaf_buffer(int i) {
  int a[8] = {0};
  return a[i & 7];
}

// An annotation always gets a transaction.
// CHECK-LABEL: define internal i32 @annotated_leaf(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
IMMUNE_PROTECT static int annotated_leaf(const int *p) { return *p; }

// Called from main, which protect-all leaves alone: no enclosing transaction.
// CHECK-LABEL: define internal i32 @called_by_main(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
static int called_by_main(const int *p) { return *p; }

int main(void) {
  int x[2] = {1, 2};
  return caller(x) + called_by_main(x);
}
