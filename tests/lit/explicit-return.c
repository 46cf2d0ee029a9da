// annotate("immune.return", V) states the error value; clang folds V (here
// -EINVAL) into the annotation's arguments.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
#include <errno.h>
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @open_session(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret i32 -22
// O2-LABEL: define{{.*}} i32 @open_session(
// O2-DAG: call ptr @__immune_tx_rollback(
// O2-DAG: [ -22, %immune.abort ]
IMMUNE_RETURN(-EINVAL) int open_session(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} double @measure(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret double -1.500000e+00
IMMUNE_RETURN(-1.5) double measure(double *p) { return *p; }

// CHECK-LABEL: define{{.*}} ptr @lookup(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret ptr null
IMMUNE_RETURN(0) const char *lookup(const char **p) { return *p; }

// immune.return alone also selects the function.
// CHECK-LABEL: define{{.*}} i64 @count(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret i64 7
__attribute__((annotate("immune.return", 7))) long count(long *p) { return *p; }
