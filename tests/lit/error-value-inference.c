// With no stated error value, a function that already returns a negative
// error code on its own failure paths returns that code on abort (ASSURE:
// imitate observed behaviour), preferring the one its callers test for;
// otherwise the type decides. The manifest records the evidence.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -o /dev/null -Rpass=immune %s 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: rm -rf %t && %clang_immune -O0 -S -emit-llvm -mllvm -immune-manifest=%t -o /dev/null %s
// RUN: cat %t/*.immune.json | FileCheck %s --check-prefix=MANIFEST
#include <errno.h>
#include <immune/immune.h>

// Two error codes; callers test -ENOSPC, so that one wins.
// CHECK-LABEL: define{{.*}} i32 @open_session(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -28
// CHECK-NEXT: ret i32 %immune.error
// REMARK: remark: protected 'open_session' (annotate("immune")); returns -28 on fault (inferred from its own error paths: returns -28 on 1 path; callers test -28 at 1 site)
IMMUNE_PROTECT int open_session(int *p) {
  if (!p) return -EINVAL;
  if (*p > 10) return -ENOSPC;
  return *p;
}

// Only non-negative constants: those may mean success, so the type decides.
// CHECK-LABEL: define{{.*}} i32 @count(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -1
// CHECK-NEXT: ret i32 %immune.error
// REMARK: remark: protected 'count' (annotate("immune")); returns -1 on fault (integer of unknown signedness (no debug info): -1)
IMMUNE_PROTECT int count(int *p) {
  if (!p) return 0;
  return *p;
}

// A stated value always wins.
// CHECK-LABEL: define{{.*}} i32 @stated(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -5
// CHECK-NEXT: ret i32 %immune.error
IMMUNE_RETURN(-5) int stated(int *p) {
  if (!p) return -1;
  return *p;
}

int use(int *p) {
  if (open_session(p) == -ENOSPC) return 1;
  return count(p) + stated(p);
}

// MANIFEST: "callers_test_against": {
// MANIFEST-NEXT: "-28": 1
// MANIFEST: "error_value": "-28",
// MANIFEST-NEXT: "error_value_why": "inferred from its own error paths: returns -28 on 1 path; callers test -28 at 1 site",
// MANIFEST: "function": "open_session",
// MANIFEST: "returned_constants": {
// MANIFEST-NEXT: "-22": 1,
// MANIFEST-NEXT: "-28": 1
