// A selected function the pass cannot transform gets a warning naming it
// and the reason; the compilation succeeds and the function is left as is.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s 2>&1 | FileCheck %s
// RUN: %clang_immune -O0 -S -emit-llvm -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=WARN
#include <immune/immune.h>

// CHECK: warning: immune: cannot protect 'naked_fn' (annotate("immune")): naked functions
IMMUNE_PROTECT __attribute__((naked)) void naked_fn(void) { __asm__("ret"); }

// CHECK-LABEL: define{{.*}} void @naked_fn(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: unreachable

// A noreturn function is never made a transaction: its callers treat what
// follows the call as unreachable. A fault in it belongs to the enclosing
// transaction.
// WARN: warning: immune: cannot protect 'fatal_error' (annotate("immune")): it never returns (noreturn)
// CHECK-LABEL: define{{.*}} void @fatal_error(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: call void @exit(
void exit(int) __attribute__((noreturn));
IMMUNE_PROTECT __attribute__((noreturn)) void fatal_error(const int *code) { exit(*code); }
