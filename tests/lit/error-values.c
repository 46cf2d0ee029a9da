// The error value an aborted transaction returns follows the return type
// (STEM's heuristics) when the user states none. -g gives the pass the
// signedness of int-sized types.
// RUN: %clang_immune -g -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -g -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
#include <immune/immune.h>
#include <stdbool.h>

// CHECK-LABEL: define{{.*}} i32 @ret_int(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -1
// CHECK-NEXT: ret i32 %immune.error
// O2-LABEL: define{{.*}} i32 @ret_int(
// O2-DAG: call ptr @__immune_tx_rollback(
// O2-DAG: {{select i1 %[^,]*, i32 (-1, i32 %.*|%[^,]*, i32 -1)}}
IMMUNE_PROTECT int ret_int(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} i32 @ret_unsigned(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 0
// CHECK-NEXT: ret i32 %immune.error
IMMUNE_PROTECT unsigned ret_unsigned(unsigned *p) { return *p; }

// CHECK-LABEL: define{{.*}} i64 @ret_long(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i64 %{{.*}}, i64 -1
// CHECK-NEXT: ret i64 %immune.error
IMMUNE_PROTECT long ret_long(long *p) { return *p; }

// CHECK-LABEL: define{{.*}} i64 @ret_ulong(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i64 %{{.*}}, i64 0
// CHECK-NEXT: ret i64 %immune.error
IMMUNE_PROTECT unsigned long ret_ulong(unsigned long *p) { return *p; }

// CHECK-LABEL: define{{.*}} signext i8 @ret_schar(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i8 %{{.*}}, i8 -1
// CHECK-NEXT: ret i8 %immune.error
IMMUNE_PROTECT signed char ret_schar(signed char *p) { return *p; }

// CHECK-LABEL: define{{.*}} zeroext i1 @ret_bool(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i1 %{{.*}}, i1 false
// CHECK-NEXT: ret i1 %immune.error
IMMUNE_PROTECT bool ret_bool(bool *p) { return *p; }

// CHECK-LABEL: define{{.*}} ptr @ret_ptr(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, ptr %{{.*}}, ptr null
// CHECK-NEXT: ret ptr %immune.error
IMMUNE_PROTECT char *ret_ptr(char **p) { return *p; }

// CHECK-LABEL: define{{.*}} double @ret_double(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, double %{{.*}}, double 0x7FF8000000000000
// CHECK-NEXT: ret double %immune.error
IMMUNE_PROTECT double ret_double(double *p) { return *p; }

// CHECK-LABEL: define{{.*}} float @ret_float(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, float %{{.*}}, float 0x7FF8000000000000
// CHECK-NEXT: ret float %immune.error
IMMUNE_PROTECT float ret_float(float *p) { return *p; }

struct pair { long a, b; };
// CHECK-LABEL: define{{.*}} { i64, i64 } @ret_pair(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret { i64, i64 } zeroinitializer
IMMUNE_PROTECT struct pair ret_pair(struct pair *p) { return *p; }

// An aggregate returned through memory is zeroed in place.
struct big { long v[8]; };
// CHECK-LABEL: define{{.*}} void @ret_big(ptr {{.*}}sret(%struct.big)
// CHECK: store ptr %{{.*}}, ptr %{{.*}}
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: call void @llvm.memset.p0.i64(ptr {{.*}}, i8 0, i64 64,
// CHECK-NEXT: ret void
IMMUNE_PROTECT struct big ret_big(struct big *p) { return *p; }

// CHECK-LABEL: define{{.*}} void @ret_void(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret void
IMMUNE_PROTECT void ret_void(int *p) { *p = 1; }

// A struct the ABI returns in one integer or floating register is still an
// aggregate: zeroed, with or without debug info.
struct two_ints { int a, b; };
struct one_double { double d; };
// CHECK-LABEL: define{{.*}} i64 @ret_two_ints(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret i64 0
IMMUNE_PROTECT struct two_ints ret_two_ints(struct two_ints *p) { return *p; }
// CHECK-LABEL: define{{.*}} double @ret_one_double(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret double 0.000000e+00
IMMUNE_PROTECT struct one_double ret_one_double(struct one_double *p) { return *p; }
