// Protect-all places the transactions after the inliner (InlineBoundary.h):
// a small static helper inlined into its protected caller has no
// transaction of its own and leaves no trace; main (never protected) keeps
// its call to a protected function as a call, so that code still runs in a
// transaction; and what the optimizer inferred before the pass never hides
// an error value from a caller — a function that always returns a non-NULL
// pointer is not marked nonnull, one that always returns 0 (a leaf that
// runs inside its caller's transaction) is not folded into its caller, so
// the caller's checks of both error values survive.
// The placeholders of the abort paths are all gone.
// RUN: env IMMUNE_PROTECT_ALL=1 %clang_immune -O2 -S -emit-llvm -o - %s \
// RUN:   | FileCheck %s --implicit-check-not=__immune_pending
// Placed before the inliner (IMMUNE_AFTER_INLINING=0), the helper keeps its
// own (unless leaf elision gives it to its caller: IMMUNE_ELIDE=0 here).
// RUN: env IMMUNE_PROTECT_ALL=1 IMMUNE_AFTER_INLINING=0 IMMUNE_ELIDE=0 %clang_immune -O2 -S -emit-llvm -o - %s \
// RUN:   | FileCheck %s --check-prefix=BEFORE
// -O0 inlines nothing and places them at the start as well.
// RUN: env IMMUNE_PROTECT_ALL=1 IMMUNE_ELIDE=0 %clang_immune -O0 -S -emit-llvm -o - %s \
// RUN:   | FileCheck %s --check-prefix=BEFORE --implicit-check-not=__immune_pending

static int table[4];

static int get(int *p, int i) { return p[i] + 1; }

__attribute__((noinline)) int *slot(int i) { return &table[i & 3]; }

__attribute__((noinline)) static int check(int *p) {
  *p = 1;
  return 0;
}

// CHECK-LABEL: define dso_local ptr @slot(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(

// CHECK-LABEL: define{{.*}} i32 @use(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: call ptr @slot(
// CHECK: icmp eq ptr %{{.*}}, null
// CHECK: call {{.*}}i32 @check.immune.tx(
// CHECK: icmp eq i32 %{{.*}}, -1
// BEFORE-LABEL: define{{.*}} i32 @use(
// BEFORE: call {{.*}}i32 @get(
int use(int *p, int i) {
  int *s = slot(i);
  if (!s) return -2;
  if (check(p) == -1) return -3;
  return get(p, i) + *s;
}

// CHECK-NOT: define{{.*}} @get(
// BEFORE: define internal{{.*}}i32 @get(
// BEFORE: call i32 @llvm.eh.sjlj.setjmp(

// CHECK-LABEL: define{{.*}} i32 @main(
// CHECK-NOT: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: call i32 @use(
int main(int argc, char **argv) {
  (void)argv;
  return use(table, argc);
}
