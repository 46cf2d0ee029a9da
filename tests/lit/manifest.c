// -immune-manifest=DIR writes one JSON manifest per module: every defined
// function, whether it is protected and why, its error value and the reason,
// the calls an abort cannot roll back, and how this module's callers use
// each function's result.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang_immune -O0 -g -S -emit-llvm -mllvm -immune-manifest=%t -o /dev/null %s
// RUN: cat %t/manifest.c-*.immune.json | FileCheck %s
// RUN: rm -rf %t.env && env IMMUNE_MANIFEST=%t.env %clang_immune -O2 -g -S -emit-llvm -o /dev/null %s
// RUN: cat %t.env/manifest.c-*.immune.json | FileCheck %s
#include <string.h>
#include <immune/immune.h>

IMMUNE_PROTECT int parse(const char *s) { return (int)strlen(s); }
unsigned helper(unsigned x) { return x * 2; }
int caller(const char *s) {
  if (parse(s) < 0) return 1;
  return (int)helper(3);
}

// CHECK: "callers_in_module": {
// CHECK-NEXT: "calls": 1,
// CHECK-NEXT: "result_checked": 1,
// CHECK: "error_value": "-1",
// CHECK-NEXT: "error_value_why": "signed integer: -1",
// CHECK: "function": "parse",
// CHECK: "not_rolled_back": [
// CHECK-NEXT: "strlen"
// CHECK: "protected": true,
// CHECK-NEXT: "reason": "annotate(\"immune\")",
// CHECK: "error_value": "0",
// CHECK: "function": "helper",
// CHECK: "protected": false,
// CHECK: "immune_manifest": 1
