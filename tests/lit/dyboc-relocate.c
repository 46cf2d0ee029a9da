// DYBOC: the buffers of a protected function that can overflow (arrays,
// structs holding arrays, VLAs) are taken from the guard-slot pool after the
// checkpoint; the slot mark is read before it and saved in the transaction
// record; every exit releases back to the mark before committing. Scalars
// stay on the stack. The original alloca is kept as the fallback.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
// RUN: env IMMUNE_DYBOC=0 %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=OFF
#include <string.h>
#include <immune/immune.h>

struct req { int id; char name[24]; };

// CHECK-LABEL: define{{.*}} i32 @parse_header(
// CHECK: %[[BUF:buf]] = alloca [16 x i8], align 16
// CHECK-NOT: __immune_slot_alloc
// CHECK: %immune.slot.mark = load i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 5|i64 40}})
// CHECK: store i64 %immune.slot.mark, ptr
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: immune.body:
// CHECK-NEXT: %buf.slot = call ptr @__immune_slot_alloc(i64 16, i64 16, ptr @__immune_buffer.parse_header.buf)
// CHECK-NEXT: %[[NULL:.*]] = icmp eq ptr %buf.slot, null
// CHECK-NEXT: %buf.immune = select i1 %[[NULL]], ptr %[[BUF]], ptr %buf.slot
// CHECK-NOT: alloca
// CHECK: call ptr @strcpy(ptr noundef %{{.*}}
// The exit releases back to the mark in the record (not a copy in the frame).
// CHECK: %[[SELF:immune.self[0-9]*]] = load ptr, ptr @__immune_thread
// CHECK: %[[MARK:immune.slot.mark[0-9]*]] = load i64, ptr
// CHECK: call void @__immune_slot_release(i64 %[[MARK]])
// CHECK: store ptr %immune.prev{{[0-9]*}}, ptr @__immune_thread
// CHECK: ret i32
// O2-LABEL: define{{.*}} i32 @parse_header(
// O2: call ptr @__immune_slot_alloc(i64 16, i64 16,
// O2: call void @__immune_slot_release(
// OFF-LABEL: define{{.*}} i32 @parse_header(
// OFF-NOT: __immune_slot_alloc
// OFF: ret i32
IMMUNE_PROTECT int parse_header(const char *line) {
  char buf[16];
  int n = 0; // a scalar: stays an alloca, never a slot
  strcpy(buf, line);
  n = (int)strlen(buf);
  return n;
}

// A struct holding an array is relocated too.
// CHECK-LABEL: define{{.*}} i32 @fill(
// CHECK: call ptr @__immune_slot_alloc(i64 28, i64 4, ptr @__immune_buffer.fill.r)
IMMUNE_PROTECT int fill(const char *s) {
  struct req r;
  r.id = 1;
  strcpy(r.name, s);
  return r.name[0] + r.id;
}

// A VLA: the slot is taken where the alloca was, sized at run time; the
// stack allocation is made only when the pool cannot serve. The scope's
// stackrestore releases the slot.
// CHECK-LABEL: define{{.*}} i32 @vla(
// CHECK: immune.body:
// CHECK: %[[SAVE:.*]] = call ptr @llvm.stacksave
// CHECK-NEXT: %[[SCOPE:.*]] = load i64, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 5|i64 40}})
// CHECK: %[[SIZE:.*]] = mul i64 %{{.*}}, 1
// CHECK: %vla.slot = call ptr @__immune_slot_alloc(i64 %[[SIZE]], i64 16, ptr @__immune_buffer.vla.vla)
// CHECK: br i1 %{{.*}}, label %immune.vla.stack, label %immune.vla.cont
// CHECK: immune.vla.stack:
// CHECK-NEXT: %vla = alloca i8, i64
// CHECK: immune.vla.cont:
// CHECK-NEXT: %vla.immune = phi ptr [ %vla.slot, %{{.*}} ], [ %vla, %immune.vla.stack ]
// CHECK: call void @__immune_slot_release(i64 %[[SCOPE]])
// CHECK-NEXT: call void @llvm.stackrestore
// CHECK: call void @__immune_slot_release(i64 %immune.slot.mark{{[0-9]*}})
IMMUNE_PROTECT int vla(int n, const char *s) {
  int r;
  {
    char v[n];
    strcpy(v, s);
    r = v[0];
  }
  return r;
}

// Unprotected functions keep their buffers.
// CHECK-LABEL: define{{.*}} i32 @plain(
// CHECK-NOT: __immune_slot_alloc
// CHECK: ret i32
int plain(const char *s) {
  char buf[16];
  strcpy(buf, s);
  return buf[0];
}
