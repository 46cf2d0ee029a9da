// A selected function the pass cannot transform gets a warning naming it
// and the reason; the compilation succeeds and the function is left as is.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s 2>&1 | FileCheck %s
#include <immune/immune.h>

// CHECK: warning: immune: cannot protect 'naked_fn' (annotate("immune")): naked functions
IMMUNE_PROTECT __attribute__((naked)) void naked_fn(void) { __asm__("ret"); }

// CHECK-LABEL: define{{.*}} void @naked_fn(
// CHECK-NOT: __immune_checkpoint
// CHECK: unreachable
