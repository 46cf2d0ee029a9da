// Inlining must never strip protection: the pass runs before the inliner
// and a function holding the returns_twice checkpoint is not inlined, so a
// small static protected function stays a call at -O2 and -O3.
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O3 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -flto -c -o - %s | llvm-dis -o - | FileCheck %s
#include <immune/immune.h>

IMMUNE_PROTECT static int tiny(int *p) { return *p + 1; }

// CHECK-LABEL: define{{.*}} i32 @caller(
// CHECK: call i32 @tiny(
int caller(int *p) { return tiny(p) * 2; }

// CHECK-LABEL: define internal{{.*}} i32 @tiny(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
