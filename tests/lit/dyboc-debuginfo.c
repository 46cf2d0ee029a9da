// A relocated buffer stays visible to debuggers: its variable is declared
// at *(home), a pointer slot in the frame that holds the buffer's address
// (stored volatile so optimization keeps it), at -O0 and with -O2's
// assignment tracking alike.
// RUN: %clang_immune -O0 -g -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang_immune -O2 -g -S -emit-llvm -o - %s | FileCheck %s
#include <string.h>
#include <immune/immune.h>

// CHECK-LABEL: define{{.*}} i32 @parse(
// CHECK: %[[HOME:.*]] = alloca ptr
// CHECK: store volatile ptr %{{.*}}, ptr %[[HOME]]
// CHECK: #dbg_declare(ptr %[[HOME]], ![[VAR:[0-9]+]], !DIExpression(DW_OP_deref)
// CHECK: ![[VAR]] = !DILocalVariable(name: "buf"
IMMUNE_PROTECT int parse(const char *s) {
  char buf[16];
  strcpy(buf, s);
  return buf[0];
}
