// The memory undo log: a protected function's stores outside its own frame
// are logged before they happen (the inline append, or the slow path), its
// memset/memcpy log a range, and its calls to functions of this module go to
// transactional clones instrumented the same way; the originals stay as
// they were for ordinary callers. The transaction records the log's position
// and the outermost commit truncates the log back to it.
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
// RUN: env IMMUNE_UNDO=0 %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=OFF
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-manifest=%t -o /dev/null %s
// RUN: cat %t/undo-log.c-*.immune.json | FileCheck %s --check-prefix=MANIFEST
#include <immune/immune.h>
#include <stdio.h>
#include <string.h>

long counter;
char table[64];

void helper(long *p) {
  *p = 7;
  puts("helper");
}

IMMUNE_PROTECT int update(int v) {
  int local = v;
  counter = v;
  memset(table, 0, sizeof table);
  helper(&counter);
  return local;
}

// CHECK-LABEL: define{{.*}} void @helper(
// CHECK-NOT: __immune
// CHECK: ret void

// CHECK-LABEL: define{{.*}} i32 @update(
// CHECK: %immune.undo.mark = load ptr, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 3|i64 24}})
// CHECK: store ptr %immune.undo.mark, ptr
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// The store to `local` (its own frame) is not logged; `counter` is.
// CHECK: store i32 %{{.*}}, ptr %local
// CHECK-NOT: __immune_undo
// CHECK: %immune.old = load i64, ptr @counter
// CHECK: load ptr, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 3|i64 24}})
// CHECK: load ptr, ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 4|i64 32}})
// CHECK: immune.undo.slow:
// CHECK: call void @__immune_undo_word(ptr @counter, i64 8, i64
// CHECK: immune.undo.fast:
// CHECK: or i64 {{.*}}, 576460752303423488
// CHECK: store i64 %{{.*}}, ptr @counter
// CHECK: call void @__immune_undo_range(ptr @table, i64 64)
// CHECK: call void @llvm.memset
// CHECK: call void @helper.immune.tx(ptr {{.*}}@counter)
// CHECK: immune.outermost:
// CHECK: %[[M:.*]] = load ptr, ptr
// CHECK-NEXT: store ptr %[[M]], ptr getelementptr inbounds ({{.*}}@__immune_thread, {{i32 0, i32 3|i64 24}})

// The clone: internal, its store logged, its library call left alone.
// CHECK-LABEL: define internal void @helper.immune.tx(
// CHECK: call void @__immune_undo_word(
// CHECK: call i32 @puts(

// At -O2 the clone (internal, one caller) is inlined into update: helper's
// store through the pointer is logged there too.
// O2-LABEL: define{{.*}} void @helper(
// O2-NOT: __immune
// O2: ret void
// O2-LABEL: define{{.*}} i32 @update(
// O2: @__immune_thread, i64 24)
// O2: call void @__immune_undo_range(ptr {{.*}}@table, i64 64)
// O2: call {{.*}}@puts(

// OFF-NOT: __immune_undo
// OFF-NOT: immune.tx(

// MANIFEST-NOT: helper.immune.tx
// MANIFEST: "function": "update",
// MANIFEST: "not_rolled_back": [
// MANIFEST-NEXT: "puts"
