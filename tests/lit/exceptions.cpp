// A C++ exception unwinding through a protected function commits its
// transaction: calls that may throw become invokes to a cleanup that pops
// the record and resumes unwinding. Existing landing pads keep working.
// RUN: %clang_immune -O0 -fexceptions -fcxx-exceptions -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -fexceptions -fcxx-exceptions -S -emit-llvm -o - %s | FileCheck %s
#include <immune/immune.h>

void may_throw(int);

// CHECK-LABEL: define{{.*}} i32 @_Z7forwardi(
// CHECK: invoke void @_Z9may_throwi(
// CHECK-NEXT: to label %{{.*}} unwind label %[[CLEANUP:.*]]
// CHECK: [[CLEANUP]]:
// CHECK-NEXT: landingpad { ptr, i32 }
// CHECK-NEXT: cleanup
// CHECK: store ptr %immune.prev{{[0-9]*}}, ptr @__immune_thread
// CHECK-NEXT: resume
IMMUNE_PROTECT int forward(int x) {
  may_throw(x);
  return x;
}

// A function that catches keeps its handler; the pop precedes every exit.
// CHECK-LABEL: define{{.*}} i32 @_Z7catchesi(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: landingpad
// CHECK: catch ptr null
// CHECK: store ptr %immune.prev{{[0-9]*}}, ptr @__immune_thread
IMMUNE_PROTECT int catches(int x) {
  try {
    may_throw(x);
  } catch (...) {
    return -2;
  }
  return x;
}
