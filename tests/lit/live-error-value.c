// A live vaccine (IMMUNE_OPTIONS=vaccine=..., runtime/vaccine.c) may give a
// protected function another error value without a rebuild: the site says
// what the function returns (ret_kind, ret_bits), and the abort path — never
// the fast path — returns site.ret_value while IMMUNE_SITE_RETURN_SET
// (0x20000000) is set in site.flags.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
#include <immune/immune.h>

// Sites: ..., timeout_ms, ret_kind, ret_bits, ret_value, ret_text.
// CHECK-DAG: @__immune_site.ret_int = internal global %struct.__immune_site { {{.*}}, i64 0, i32 1, i32 32, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_short = internal global %struct.__immune_site { {{.*}}, i64 0, i32 1, i32 16, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_ptr = internal global %struct.__immune_site { {{.*}}, i64 0, i32 2, i32 64, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_double = internal global %struct.__immune_site { {{.*}}, i64 0, i32 4, i32 64, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_float = internal global %struct.__immune_site { {{.*}}, i64 0, i32 3, i32 32, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_void = internal global %struct.__immune_site { {{.*}}, i64 0, i32 0, i32 0, i64 0, ptr null }
// CHECK-DAG: @__immune_site.ret_pair = internal global %struct.__immune_site { {{.*}}, i64 0, i32 0, i32 0, i64 0, ptr null }

// CHECK-LABEL: define{{.*}} i32 @ret_int(
// The fast path does not read the site's flags.
// CHECK-NOT: load atomic i32, ptr {{.*}}@__immune_site.ret_int
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: %immune.site.flags = load atomic i32, ptr getelementptr inbounds (%struct.__immune_site, ptr @__immune_site.ret_int, i32 0, i32 1) acquire
// CHECK-NEXT: %immune.site.ret = load i64, ptr getelementptr inbounds (%struct.__immune_site, ptr @__immune_site.ret_int, i32 0, i32 13)
// CHECK-NEXT: %[[LIVE:.*]] = trunc i64 %immune.site.ret to i32
// CHECK-NEXT: %[[BIT:.*]] = and i32 %immune.site.flags, 536870912
// CHECK-NEXT: %[[SET:.*]] = icmp ne i32 %[[BIT]], 0
// CHECK-NEXT: %immune.error = select i1 %[[SET]], i32 %[[LIVE]], i32 -1
// CHECK-NEXT: ret i32 %immune.error
IMMUNE_PROTECT int ret_int(int *p) { return *p; }
IMMUNE_PROTECT short ret_short(short *p) { return *p; }

// CHECK-LABEL: define{{.*}} ptr @ret_ptr(
// CHECK: immune.abort:
// CHECK: inttoptr i64 %immune.site.ret to ptr
// CHECK: %immune.error = select i1 %{{.*}}, ptr %{{.*}}, ptr null
IMMUNE_PROTECT char *ret_ptr(char **p) { return *p; }

// CHECK-LABEL: define{{.*}} double @ret_double(
// CHECK: immune.abort:
// CHECK: bitcast i64 %{{.*}} to double
IMMUNE_PROTECT double ret_double(double *p) { return *p; }

// CHECK-LABEL: define{{.*}} float @ret_float(
// CHECK: immune.abort:
// CHECK: trunc i64 %immune.site.ret to i32
// CHECK-NEXT: bitcast i32 %{{.*}} to float
IMMUNE_PROTECT float ret_float(float *p) { return *p; }

IMMUNE_PROTECT void ret_void(int *p) { *p = 1; }

// An aggregate is zeroed, as built in: no other value.
struct pair { long a, b; };
// CHECK-LABEL: define{{.*}} { i64, i64 } @ret_pair(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK-NEXT: ret { i64, i64 } zeroinitializer
IMMUNE_PROTECT struct pair ret_pair(struct pair *p) { return *p; }
