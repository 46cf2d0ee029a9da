; Every return of a protected function pops (commits) the transaction with
; the top-of-stack value read at entry; the abort path returns the error
; value without popping (the runtime already did). Static allocas stay at
; the top of the entry block, ahead of the checkpoint.
; RUN: %opt_immune -S %s | FileCheck %s
; RUN: %opt_immune,immune -S %s | FileCheck %s --check-prefix=TWICE

@str = private constant [7 x i8] c"immune\00", section "llvm.metadata"
@file = private constant [4 x i8] c"t.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @two_exits, ptr @str, ptr @file, i32 1, ptr null }], section "llvm.metadata"

; CHECK-LABEL: define i32 @two_exits(
; CHECK-NEXT: entry:
; CHECK-NEXT: %immune.tx = alloca %struct.__immune_tx, align 16
; CHECK-NEXT: %slot = alloca i32
; CHECK-NEXT: %immune.top = load ptr, ptr @__immune_tx_top
; CHECK: %immune.cp = call preserve_mostcc i32 @__immune_checkpoint(ptr %immune.tx) [[RT:#[0-9]+]]
; CHECK-NEXT: %immune.ok = icmp eq i32 %immune.cp, 0
; CHECK-NEXT: br i1 %immune.ok, label %immune.body, label %immune.abort
; Each exit: the outermost transaction empties the memory undo log (back to
; the mark in its record), the rollback log is committed only when this
; call owns its newest entries, then the record is popped.
; CHECK: neg:
; CHECK-NEXT: %[[OUT:.*]] = icmp eq ptr %immune.top, null
; CHECK-NEXT: br i1 %[[OUT]], label %immune.undo.reset, label
; CHECK: immune.undo.reset:
; CHECK-NEXT: %[[MP:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.tx, i32 0, i32 5
; CHECK-NEXT: %[[M:.*]] = load ptr, ptr %[[MP]]
; CHECK-NEXT: store ptr %[[M]], ptr @__immune_undo_cur
; CHECK: %immune.pending = load i64, ptr @__immune_rollback_pending
; CHECK-NEXT: %immune.self = ptrtoint ptr %immune.tx to i64
; CHECK-NEXT: %[[P:.*]] = icmp eq i64 %immune.pending, %immune.self
; CHECK-NEXT: br i1 %[[P]], label %immune.commit, label %immune.exit
; CHECK: immune.commit:
; CHECK-NEXT: call preserve_mostcc void @__immune_tx_commit(ptr %immune.tx)
; CHECK: immune.exit:
; CHECK-NEXT: store ptr %immune.top, ptr @__immune_tx_top
; CHECK-NEXT: ret i32 0
; CHECK: pos:
; CHECK: call preserve_mostcc void @__immune_tx_commit(ptr %immune.tx)
; CHECK: store ptr %immune.top, ptr @__immune_tx_top
; CHECK-NEXT: ret i32 %v
; The abort path undoes the heap, locks and descriptors, then returns; the
; runtime already popped the record.
; CHECK: immune.abort:
; CHECK-NEXT: call void @__immune_tx_rollback(ptr %immune.tx)
; CHECK-NOT: store ptr {{.*}} @__immune_tx_top
; CHECK-NEXT: ret i32 -1
; The checkpoint: preserve_most (it writes only rax), through the GOT.
; CHECK: declare preserve_mostcc i32 @__immune_checkpoint(ptr) [[DECL:#[0-9]+]]
; CHECK: attributes [[DECL]] = { nounwind nonlazybind returns_twice }
; CHECK: attributes [[RT]] = { returns_twice }
define i32 @two_exits(ptr %p) {
entry:
  %slot = alloca i32
  %v = load i32, ptr %p
  store i32 %v, ptr %slot
  %c = icmp slt i32 %v, 0
  br i1 %c, label %neg, label %pos
neg:
  ret i32 0
pos:
  ret i32 %v
}

; Running the pass twice protects once.
; TWICE-LABEL: define i32 @two_exits(
; TWICE-COUNT-1: call preserve_mostcc i32 @__immune_checkpoint(
; TWICE-NOT: call preserve_mostcc i32 @__immune_checkpoint(
; TWICE: ret i32 -1
