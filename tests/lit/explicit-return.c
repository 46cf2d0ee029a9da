// annotate("immune.return", V) states the error value; clang folds V (here
// -EINVAL) into the annotation's arguments.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
#include <errno.h>
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @open_session(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -22
// CHECK-NEXT: ret i32 %immune.error
// O2-LABEL: define{{.*}} i32 @open_session(
// O2-DAG: call ptr @__immune_tx_rollback(
// O2-DAG: {{select i1 %[^,]*, i32 (-22, i32 %.*|%[^,]*, i32 -22)}}
IMMUNE_RETURN(-EINVAL) int open_session(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} double @measure(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, double %{{.*}}, double -1.500000e+00
// CHECK-NEXT: ret double %immune.error
IMMUNE_RETURN(-1.5) double measure(double *p) { return *p; }

// CHECK-LABEL: define{{.*}} ptr @lookup(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, ptr %{{.*}}, ptr null
// CHECK-NEXT: ret ptr %immune.error
IMMUNE_RETURN(0) const char *lookup(const char **p) { return *p; }

// immune.return alone also selects the function.
// CHECK-LABEL: define{{.*}} i64 @count(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i64 %{{.*}}, i64 7
// CHECK-NEXT: ret i64 %immune.error
__attribute__((annotate("immune.return", 7))) long count(long *p) { return *p; }
