// The error value is chosen so that the callers take their failure path:
// an enum's enumerator named like an error (with debug info), and 0 for a
// validity flag the callers combine with & (libxml2's `ret &=
// xmlValidateElementContent(...)` accepted an invalid document when the
// aborted call returned -1, which the function also returns).
// RUN: %clang_immune -g -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -g -O2 -S -o /dev/null -Rpass=immune %s 2>&1 | FileCheck %s --check-prefix=REMARK
#include <immune/immune.h>

typedef enum { HANDLER_GO_ON, HANDLER_FINISHED, HANDLER_COMEBACK, HANDLER_WAIT_FOR_EVENT,
               HANDLER_ERROR, HANDLER_WAIT_FOR_FD } handler_t;

// CHECK-LABEL: define{{.*}} i32 @write_request(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 4
// CHECK-NEXT: ret i32 %immune.error
// REMARK: remark: protected 'write_request' (annotate("immune")); returns 4 on fault (enum: HANDLER_ERROR, the enumerator named like an error)
IMMUNE_PROTECT handler_t write_request(const int *p) {
  if (*p > 3) return HANDLER_WAIT_FOR_EVENT;
  return HANDLER_FINISHED;
}

// CHECK-LABEL: define{{.*}} i32 @validate_content(
// CHECK: immune.abort:
// CHECK-NEXT: call ptr @__immune_tx_rollback(
// CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 0
// CHECK-NEXT: ret i32 %immune.error
// REMARK: remark: protected 'validate_content' (annotate("immune")); returns 0 on fault (callers combine the result with & at 1 site (a validity flag) and it returns 0 itself: 0)
IMMUNE_PROTECT int validate_content(const int *p) {
  if (!p) return -1;
  if (*p < 0) return 0;
  return 1;
}

int validate_document(const int *elems, int n) {
  int ret = 1;
  for (int i = 0; i < n; ++i) ret &= validate_content(&elems[i]);
  return ret;
}
