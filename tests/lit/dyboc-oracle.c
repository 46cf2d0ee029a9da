// Oracle mode relocates the buffers of every function without making it a
// transaction: mark at entry, slots, release at every exit (also when an
// exception unwinds, through a cleanup).
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-oracle -o - %s | FileCheck %s
// RUN: env IMMUNE_ORACLE=1 %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
#include <string.h>

// CHECK-LABEL: define{{.*}} i32 @copy(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: %immune.slot.mark = load i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 5|i64 40}})
// CHECK: call ptr @__immune_slot_alloc(i64 32, i64 16, ptr @__immune_buffer.copy.tmp)
// CHECK: call void @__immune_slot_release(i64 %immune.slot.mark)
// CHECK-NEXT: ret i32
// O2-LABEL: define{{.*}} i32 @copy(
// O2-NOT: llvm.eh.sjlj.setjmp
// O2: call ptr @__immune_slot_alloc(i64 32, i64 16,
int copy(const char *s) {
  char tmp[32];
  strcpy(tmp, s);
  return tmp[0];
}

// No buffer, no change.
// CHECK-LABEL: define{{.*}} i32 @scalar(
// CHECK-NOT: __immune
// CHECK: ret i32
int scalar(int x) { return x * 2; }
