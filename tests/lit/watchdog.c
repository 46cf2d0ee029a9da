// A time budget (IMMUNE_TIMEOUT_MS, annotate("immune.timeout_ms", N) or a
// policy's timeout_ms:N) arms the watchdog after the checkpoint, disarms it
// before every commit, and polls the per-thread flag (a volatile TLS load)
// at every loop back-edge and after every call; only when the flag is up
// does the poll call into the runtime. Functions without a budget have no
// polls.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/timeout.txt -o - %s | FileCheck %s --check-prefix=POLICY
#include <immune/immune.h>

void work(int);

// The budget travels in the site (the field after the registry link).
// CHECK: @__immune_site.solve = internal global %struct.__immune_site { {{.*}}, ptr null, i64 50, {{.*}} }
// CHECK-LABEL: define{{.*}} i32 @solve(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: immune.body:
// CHECK-NEXT: call void @__immune_watchdog_arm(ptr %immune.rec)
// After the call:
// CHECK: call void @work(
// CHECK-NEXT: %immune.wd{{[0-9]*}} = load volatile i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 7|i64 56}})
// CHECK: immune.wd.fire{{[0-9]*}}:
// CHECK-NEXT: call void @__immune_watchdog_poll()
// At the loop's back-edge:
// CHECK: for.inc:
// CHECK: %immune.wd{{[0-9]*}} = load volatile i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 7|i64 56}})
// CHECK: immune.wd.fire{{[0-9]*}}:
// CHECK-NEXT: call void @__immune_watchdog_poll()
// CHECK: call void @__immune_watchdog_disarm(ptr %immune.self{{[0-9]*}})
// CHECK: store ptr %immune.prev{{[0-9]*}}, ptr @__immune_thread
// O2-LABEL: define{{.*}} i32 @solve(
// O2: call void @__immune_watchdog_arm(
// O2: call void @__immune_watchdog_disarm(
// O2: call void @work(
// O2-NEXT: load volatile i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 7|i64 56}})
IMMUNE_TIMEOUT_MS(50) int solve(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    work(i);
    s += i;
  }
  return s;
}

// CHECK-LABEL: define{{.*}} i32 @unbudgeted(
// CHECK-NOT: __immune_watchdog
// CHECK: ret i32
// POLICY-LABEL: define{{.*}} i32 @unbudgeted(
// POLICY: call void @__immune_watchdog_arm(
IMMUNE_PROTECT int unbudgeted(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) s += i;
  return s;
}
