// Without debug info, a small struct returned in a register is recognised
// from clang's coerced load of the struct's return slot.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
#include <immune/immune.h>

struct two_ints { int a, b; };
// CHECK-LABEL: define{{.*}} i64 @ret_two_ints(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret i64 0
// O2-LABEL: define{{.*}} i64 @ret_two_ints(
// O2-DAG: call ptr @__immune_tx_rollback(
// O2-DAG: [ 0, %immune.abort ]
IMMUNE_PROTECT struct two_ints ret_two_ints(struct two_ints *p) { return *p; }

// A plain long is still -1.
// CHECK-LABEL: define{{.*}} i64 @ret_long(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i64 %{{.*}}, i64 -1
// CHECK-NEXT: ret i64 %immune.error
IMMUNE_PROTECT long ret_long(long *p) { return *p; }
