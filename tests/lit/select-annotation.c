// Functions selected by annotation become transactions; others are untouched.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @protected_attr(
// The record is taken from the thread's transaction stack (no alloca in
// the frame), pushed, checkpointed inline, and popped from the TLS block.
// CHECK-NOT: alloca %struct.__immune_tx
// CHECK: load ptr, ptr @__immune_thread
// CHECK: call ptr @__immune_tx_enter_slow(ptr {{.*}}@__immune_site.protected_attr)
// CHECK: %[[REC:.*]] = phi ptr
// CHECK: store ptr %[[REC]], ptr @__immune_thread
// CHECK: call i32 @llvm.eh.sjlj.setjmp(ptr {{.*}}%[[REC]])
// The pop and the abort path, in whatever order the blocks come out:
// CHECK-DAG: %immune.self = load ptr, ptr @__immune_thread
// CHECK-DAG: store ptr %immune.prev, ptr @__immune_thread
// CHECK-DAG: call ptr @__immune_tx_rollback()
__attribute__((annotate("immune"))) int protected_attr(int *p) { return *p + 1; }

// CHECK-LABEL: define{{.*}} i32 @protected_macro(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
IMMUNE_PROTECT int protected_macro(int *p) { return *p + 2; }

// CHECK-LABEL: define{{.*}} i32 @protected_c23(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
[[clang::annotate("immune")]] int protected_c23(int *p) { return *p + 3; }

// CHECK-LABEL: define{{.*}} i32 @plain(
// CHECK-NOT: __immune
// CHECK: ret i32
int plain(int *p) { return *p + 4; }

// Registered with the runtime from a constructor at priority 101.
// CHECK: define internal void @__immune_module_ctor()
// CHECK: call void @__immune_register_sites_v4(ptr {{.*}}@__immune_sites, i64 3)
// ... and unregistered from a destructor (a dlclose()d module leaves first).
// CHECK: define internal void @__immune_module_dtor()
// CHECK: call void @__immune_unregister_sites_v4(ptr {{.*}}@__immune_sites, i64 3)
