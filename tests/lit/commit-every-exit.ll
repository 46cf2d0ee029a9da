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
; The next record: after the innermost live one, or the base.
; CHECK-NEXT: %immune.top = load ptr, ptr @__immune_thread
; CHECK-NEXT: %immune.base = load ptr, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 2)
; CHECK-NEXT: %[[NONE:.*]] = icmp eq ptr %immune.top, null
; CHECK-NEXT: %[[AFTER:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.top, i64 1
; CHECK-NEXT: %immune.next = select i1 %[[NONE]], ptr %immune.base, ptr %[[AFTER]]
; CHECK-NEXT: %immune.limit = load ptr, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 1)
; CHECK-NEXT: %immune.room = icmp ult ptr %immune.next, %immune.limit
; CHECK-NEXT: br i1 %immune.room, label %immune.push, label %immune.enter.slow
; The cold path: no room (no stack yet, full, injection armed).
; CHECK: immune.enter.slow:
; CHECK-NEXT: %immune.rec.slow = call ptr @__immune_tx_enter_slow(ptr @__immune_site.two_exits)
; CHECK-NEXT: %[[INJ:.*]] = icmp eq ptr %immune.rec.slow, null
; CHECK-NEXT: br i1 %[[INJ]], label %immune.abort, label %immune.push
; The push first, then the record's fields (a signal handler's push goes
; above it), then the inline checkpoint.
; CHECK: immune.push:
; CHECK-NEXT: %immune.rec = phi ptr [ %immune.next, %entry ], [ %immune.rec.slow, %immune.enter.slow ]
; CHECK-NEXT: store ptr %immune.rec, ptr @__immune_thread
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK: store ptr %immune.top, ptr
; CHECK: store ptr @__immune_site.two_exits, ptr
; CHECK: %immune.fp = call ptr @llvm.frameaddress.p0(i32 0)
; CHECK: %immune.sp = call ptr @llvm.stacksave.p0()
; CHECK: %immune.ret.slot = call ptr @llvm.addressofreturnaddress.p0()
; CHECK: %immune.cp = call i32 @llvm.eh.sjlj.setjmp(ptr %immune.rec) [[RT:#[0-9]+]]
; CHECK-NEXT: %immune.ok = icmp eq i32 %immune.cp, 0
; CHECK-NEXT: br i1 %immune.ok, label %immune.body, label %immune.abort
; Each exit: the record from the TLS block and the one below it (records
; are contiguous); the outermost transaction empties the memory undo log
; (back to the mark in its record) and counts its commit, an inner one
; clears its caller's replay tag if it names this function; the rollback
; log is committed only when this call owns its newest entries; then the
; record is popped.
; CHECK: neg:
; CHECK-NEXT: %immune.self = load ptr, ptr @__immune_thread
; CHECK-NEXT: %[[B:.*]] = load ptr, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 2)
; CHECK-NEXT: %immune.outer = icmp eq ptr %immune.self, %[[B]]
; CHECK-NEXT: %[[BELOW:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.self, i64 -1
; CHECK-NEXT: %immune.prev = select i1 %immune.outer, ptr null, ptr %[[BELOW]]
; CHECK-NEXT: br i1 %immune.outer, label %immune.outermost, label %immune.inner
; CHECK: immune.outermost:
; CHECK-NEXT: %[[MP:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.self, i32 0, i32 9
; CHECK-NEXT: %[[M:.*]] = load ptr, ptr %[[MP]]
; CHECK-NEXT: store ptr %[[M]], ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 3)
; CHECK-NEXT: %[[C:.*]] = load i64, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 8)
; CHECK-NEXT: %[[C1:.*]] = add i64 %[[C]], 1
; CHECK-NEXT: store i64 %[[C1]], ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 8)
; CHECK: immune.inner:
; CHECK-NEXT: %[[TP:.*]] = getelementptr inbounds %struct.__immune_tx, ptr %immune.prev, i32 0, i32 10
; CHECK-NEXT: %immune.tag = load i64, ptr %[[TP]]
; CHECK-NEXT: %[[T:.*]] = icmp eq i64 %immune.tag, ptrtoint (ptr @__immune_site.two_exits to i64)
; CHECK: immune.tag.clear:
; CHECK-NEXT: store i64 0, ptr %[[TP]]
; CHECK: %immune.pending = load i64, ptr getelementptr inbounds (%struct.__immune_thread, ptr @__immune_thread, i32 0, i32 6)
; CHECK-NEXT: %[[SELFI:.*]] = ptrtoint ptr %immune.self to i64
; CHECK-NEXT: %[[P:.*]] = icmp eq i64 %immune.pending, %[[SELFI]]
; CHECK-NEXT: br i1 %[[P]], label %immune.commit, label %immune.exit
; CHECK: immune.commit:
; CHECK-NEXT: call preserve_mostcc void @__immune_tx_commit(ptr %immune.self)
; CHECK: immune.exit:
; CHECK-NEXT: store ptr %immune.prev, ptr @__immune_thread
; CHECK-NEXT: ret i32 0
; CHECK: pos:
; CHECK: call preserve_mostcc void @__immune_tx_commit(ptr %immune.self1)
; CHECK: store ptr %immune.prev{{[0-9]+}}, ptr @__immune_thread
; CHECK: ret i32 %v
; The abort path undoes memory, heap, locks and descriptors, then returns;
; the runtime already popped the record.
; CHECK: immune.abort:
; CHECK-NEXT: %immune.aux = call ptr @__immune_tx_rollback()
; CHECK: %immune.error = select i1 %{{.*}}, i32 %{{.*}}, i32 -1
; CHECK-NEXT: ret i32 %immune.error
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
; TWICE: select i1 %{{.*}}, i32 %{{.*}}, i32 -1
