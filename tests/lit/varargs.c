// Variadic functions are protected like any other: the transformation is in
// place and leaves the incoming register save area alone.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s
#include <stdarg.h>
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @sum(i32 {{.*}}, ...)
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: call void @llvm.va_start
IMMUNE_PROTECT int sum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; ++i) s += *va_arg(ap, int *);
  va_end(ap);
  return s;
}
