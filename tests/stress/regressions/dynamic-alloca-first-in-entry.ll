; Found by tests/stress/stress.py (llvm-stress seed 5, protect-all), reduced by
; llvm-reduce: a dynamic alloca among the leading allocas of the entry block
; (no other instruction before it). The transaction prologue and DYBOC's
; "slot, else the stack" branch for the alloca then break the module:
;   Instruction does not dominate all uses! (%immune.cp, %immune.top,
;   %immune.slot.mark) and "PHINode should have one entry for each
;   predecessor" (%vla.immune), then "LLVM ERROR: Broken module found".
; clang puts a store or a load before a VLA, but other front ends and
; hand-written IR need not. Oracle mode is fine.
; RUN: %opt_immune -immune-protect-all -S %s -o %t.ll
; RUN: llc -O0 -filetype=obj %t.ll -o /dev/null
; RUN: %opt_immune -immune-oracle -S %s -o /dev/null

define void @vla_first(i32 %n) {
entry:
  %vla = alloca i8, i32 %n, align 16
  ret void
}

; The same after a static alloca.
define void @vla_after_static(i32 %n, i8 %v) {
entry:
  %a = alloca i32, align 4
  %vla = alloca i8, i32 %n, align 16
  store i8 %v, ptr %vla, align 1
  ret void
}
