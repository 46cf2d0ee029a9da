; Every return of a protected function pops (commits) the transaction with
; the record read back from the thread's TLS block, never a value kept in
; the frame; the abort path returns the error value without popping (the
; runtime already did). Static allocas stay at the top of the entry block,
; ahead of the checkpoint, and the record is not one of them.
; RUN: %opt_immune -S %s | FileCheck %s
; RUN: %opt_immune,immune -S %s | FileCheck %s --check-prefix=TWICE

@str = private constant [7 x i8] c"immune\00", section "llvm.metadata"
@file = private constant [4 x i8] c"t.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @two_exits, ptr @str, ptr @file, i32 1, ptr null }], section "llvm.metadata"

; CHECK-LABEL: define i32 @two_exits(
; CHECK-NEXT: entry:
; CHECK-NEXT: %slot = alloca i32
; CHECK-NEXT: %immune.next = load ptr, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 1)
; CHECK-NEXT: %immune.limit = load ptr, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 2)
; CHECK-NEXT: %immune.room = icmp ult ptr %immune.next, %immune.limit
; CHECK-NEXT: br i1 %immune.room, label %immune.push, label %immune.enter.slow
; The cold path: no room (no stack yet, full, injection armed).
; CHECK: immune.enter.slow:
; CHECK-NEXT: %immune.rec.slow = call ptr @__immune_tx_enter_slow(ptr @__immune_site.two_exits)
; CHECK-NEXT: %[[INJ:.*]] = icmp eq ptr %immune.rec.slow, null
; CHECK-NEXT: br i1 %[[INJ]], label %immune.abort, label %immune.push
; The push: tx_next first, the record's fields, tx_top last.
; CHECK: immune.push:
; CHECK-NEXT: %immune.rec = phi ptr [ %immune.next, %entry ], [ %immune.rec.slow, %immune.enter.slow ]
; CHECK-NEXT: %[[N1:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.rec, i64 1
; CHECK-NEXT: store ptr %[[N1]], ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 1)
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %immune.top = load ptr, ptr @__immune_thread
; CHECK: %immune.fp = call ptr @llvm.frameaddress.p0(i32 0)
; CHECK: %immune.sp = call ptr @llvm.stacksave.p0()
; CHECK: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: store ptr %immune.rec, ptr @__immune_thread
; CHECK-NEXT: %immune.cp = call i32 @llvm.eh.sjlj.setjmp(ptr %immune.rec) [[RT:#[0-9]+]]
; CHECK-NEXT: %immune.ok = icmp eq i32 %immune.cp, 0
; CHECK-NEXT: br i1 %immune.ok, label %immune.body, label %immune.abort
; Each exit: the record from the TLS block; the outermost transaction
; empties the memory undo log (back to the mark in its record) and counts
; its commit, the
; rollback log is committed only when this call owns its newest entries,
; then the record is popped.
; CHECK: neg:
; CHECK-NEXT: %immune.self = load ptr, ptr @__immune_thread
; CHECK-NEXT: %[[PP:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.self, i32 0, i32 5
; CHECK-NEXT: %immune.prev = load ptr, ptr %[[PP]]
; CHECK-NEXT: %[[OUT:.*]] = icmp eq ptr %immune.prev, null
; CHECK-NEXT: br i1 %[[OUT]], label %immune.outermost, label
; CHECK: immune.outermost:
; CHECK-NEXT: %[[MP:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.self, i32 0, i32 9
; CHECK-NEXT: %[[M:.*]] = load ptr, ptr %[[MP]]
; CHECK-NEXT: store ptr %[[M]], ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 4)
; CHECK-NEXT: %[[C:.*]] = load i64, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 9)
; CHECK-NEXT: %[[C1:.*]] = add i64 %[[C]], 1
; CHECK-NEXT: store i64 %[[C1]], ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 9)
; CHECK: %immune.pending = load i64, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 7)
; CHECK-NEXT: %[[SELFI:.*]] = ptrtoint ptr %immune.self to i64
; CHECK-NEXT: %[[P:.*]] = icmp eq i64 %immune.pending, %[[SELFI]]
; CHECK-NEXT: br i1 %[[P]], label %immune.commit, label %immune.exit
; CHECK: immune.commit:
; CHECK-NEXT: call preserve_mostcc void @__immune_tx_commit(ptr %immune.self)
; CHECK: immune.exit:
; CHECK-NEXT: store ptr %immune.prev, ptr @__immune_thread
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: store ptr %immune.self, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 1)
; CHECK-NEXT: ret i32 0
; CHECK: pos:
; CHECK: call preserve_mostcc void @__immune_tx_commit(ptr %immune.self1)
; CHECK: store ptr %immune.prev2, ptr @__immune_thread
; CHECK: ret i32 %v
; The abort path undoes memory, heap, locks and descriptors, then returns;
; the runtime already popped the record.
; CHECK: immune.abort:
; CHECK-NEXT: %immune.aux = call ptr @__immune_tx_rollback()
; CHECK-NEXT: ret i32 -1
; No call to a checkpoint function: it is inline.
; CHECK-NOT: @__immune_checkpoint
; CHECK: declare ptr @__immune_tx_enter_slow(ptr) [[SLOW:#[0-9]+]]
; CHECK: attributes [[SLOW]] = { cold nounwind }
; CHECK: attributes [[RT]] = { nounwind returns_twice }
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
; TWICE-COUNT-1: call i32 @llvm.eh.sjlj.setjmp(
; TWICE-NOT: call i32 @llvm.eh.sjlj.setjmp(
; TWICE: ret i32 -1
