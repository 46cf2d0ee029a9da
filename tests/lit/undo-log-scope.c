// The undo log's words are in an alias scope of their own, and the
// program's stores in instrumented code say they never touch it
// (UndoLog.h): so after the pass (placed after the inliner, followed by GVN
// on the functions it changed) the log's position stays in a register from
// one logged store to the next, reloaded only after the slow path's call.
// RUN: env IMMUNE_PROTECT_ALL=1 %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s

// CHECK-LABEL: define{{.*}} void @fill(
// The position is carried around the loop by a phi, not loaded per store:
// CHECK: for.body:
// CHECK-NEXT: %immune.undo.cur = phi ptr
// CHECK: %immune.old = load i32, ptr %{{.*}}, !noalias ![[SCOPE:[0-9]+]]
// CHECK: load ptr, ptr getelementptr inbounds (i8, ptr @__immune_thread, i64 32){{.*}}!alias.scope ![[SCOPE]]
// CHECK: call void @__immune_undo_word(
// CHECK-NEXT: load ptr, ptr getelementptr inbounds (i8, ptr @__immune_thread, i64 24){{.*}}!alias.scope ![[SCOPE]]
// CHECK: store i32 %v, ptr %{{.*}}!noalias ![[SCOPE]]
void fill(int *a, int n, int v) {
  for (int i = 0; i < n; ++i) {
    a[i] = v;
    a[i + n] = v + 1;
  }
}
