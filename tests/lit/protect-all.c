// Protect-all mode (for fault-injection campaigns) protects every function
// it can, except main, IMMUNE_SKIP functions and Immune's own.
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-protect-all -o - %s | FileCheck %s
// RUN: env IMMUNE_PROTECT_ALL=1 %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @helper(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
__attribute__((noinline)) int helper(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} i32 @hot(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
IMMUNE_SKIP int hot(int *p) { return *p * 3; }

// CHECK-LABEL: define{{.*}} i32 @main(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
int main(void) { int x = 1; return helper(&x) + hot(&x); }

// The registration constructor is not itself protected.
// CHECK-LABEL: define internal void @__immune_module_ctor(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret void
