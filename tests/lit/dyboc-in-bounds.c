// DYBOC leaves on the stack the buffers nothing can write past
// (pass/BufferSafety.h): fixed-index arrays handed only to functions that
// read them (strcspn), and a va_list handed to vsnprintf. A variable index,
// a call that may write through the buffer, a fixed index past the end or
// the address kept somewhere keep the buffer relocated.
// At -O0 the library's declarations carry no attributes (nothing says
// strcspn only reads), so only the relocated ones are checked there.
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2
// RUN: %clang_immune -O0 -S -emit-llvm -o - %s | FileCheck %s
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <immune/immune.h>

// O2-LABEL: define{{.*}} i32 @stop_set(
// O2-NOT: __immune_slot_alloc
// O2: ret i32
IMMUNE_PROTECT int stop_set(const char *s, char a, char b) {
  char stop[3];
  stop[0] = a;
  stop[1] = b;
  stop[2] = 0;
  return (int)strcspn(s, stop);
}

// O2-LABEL: define{{.*}} i32 @format(
// O2-NOT: __immune_slot_alloc
// O2: ret i32
IMMUNE_PROTECT int format(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return r;
}

// CHECK-LABEL: define{{.*}} i32 @variable_index(
// CHECK: call ptr @__immune_slot_alloc(i64 8, i64 1, ptr {{.*}}@__immune_buffer.variable_index.tmp)
IMMUNE_PROTECT int variable_index(const char *s, int i) {
  char tmp[8];
  tmp[i] = s[0];
  return (int)strlen(tmp);
}

// CHECK-LABEL: define{{.*}} i32 @written_by_callee(
// CHECK: call ptr @__immune_slot_alloc(i64 8, i64 1, ptr {{.*}}@__immune_buffer.written_by_callee.tmp)
IMMUNE_PROTECT int written_by_callee(const char *s) {
  char tmp[8];
  strcpy(tmp, s);
  return tmp[0];
}

// CHECK-LABEL: define{{.*}} i32 @past_the_end(
// CHECK: call ptr @__immune_slot_alloc(i64 4, i64 1, ptr {{.*}}@__immune_buffer.past_the_end.tmp)
IMMUNE_PROTECT int past_the_end(char c) {
  char tmp[4];
  memset(tmp, c, 6); // (clang warns: -Wfortify-source)
  return (int)strlen(tmp);
}

char *kept;
// CHECK-LABEL: define{{.*}} i32 @address_kept(
// CHECK: call ptr @__immune_slot_alloc(i64 8, i64 1, ptr {{.*}}@__immune_buffer.address_kept.tmp)
IMMUNE_PROTECT int address_kept(char c) {
  char tmp[8] = {c};
  kept = tmp;
  return (int)strlen(kept);
}
