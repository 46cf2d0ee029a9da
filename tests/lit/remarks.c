// -Rpass=immune reports each protected function, why it was chosen and the
// error value with the reason for it; -Rpass-missed=immune the ones skipped.
// RUN: %clang_immune -O2 -g -S -o /dev/null -Rpass=immune %s 2>&1 | FileCheck %s
#include <immune/immune.h>

// CHECK: remark: protected 'parse' (annotate("immune")); returns -1 on fault (signed integer: -1)
IMMUNE_PROTECT int parse(int *p) { return *p; }
// CHECK: remark: protected 'size' (annotate("immune")); returns 0 on fault (unsigned integer: 0)
IMMUNE_PROTECT unsigned size(unsigned *p) { return *p; }
// CHECK: remark: protected 'code' (annotate("immune.return")); returns -5 on fault (annotate("immune.return"))
IMMUNE_RETURN(-5) int code(int *p) { return *p; }
