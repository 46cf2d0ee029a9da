// Inlining must never strip protection: a function chosen by annotation is
// noinline before the inliner runs (InlineBoundary.h), and once it holds
// the returns_twice checkpoint no later inliner (LTO's) takes it either, so
// a small static protected function stays a call at -O2, -O3 and with LTO.
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
