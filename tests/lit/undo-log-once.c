// A store whose old bytes an earlier store of the same call already logged
// (same address, at most as wide, the earlier one on every path to it) is
// not logged again: in `twice`, one logged old value for the two stores to
// p->count, and the store to p->flags still logged; in `branches`, the
// stores on each arm do not dominate one another, so both are logged, and
// the one after the join is covered by neither and logged too. A volatile
// store is always logged.
// RUN: %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s
#include <immune/immune.h>

struct obj {
  long count;
  long flags;
};
void observe(struct obj *);

// CHECK-LABEL: define{{.*}} i32 @twice(
// CHECK-COUNT-2: %immune.old{{[0-9]*}} = load i64
// CHECK-NOT: %immune.old{{[0-9]*}} = load
IMMUNE_PROTECT int twice(struct obj *p) {
  p->count = 1;
  observe(p);
  p->count = 2;
  p->flags = 3;
  observe(p);
  return 0;
}

// CHECK-LABEL: define{{.*}} i32 @branches(
// CHECK-COUNT-3: %immune.old{{[0-9]*}} = load i64
// CHECK-NOT: %immune.old{{[0-9]*}} = load
IMMUNE_PROTECT int branches(struct obj *p, int c) {
  if (c) {
    p->count = 1;
    observe(p);
  } else {
    p->flags = 2;
    observe(p);
  }
  p->count = 3;
  return 0;
}

// CHECK-LABEL: define{{.*}} i32 @volatile_twice(
// CHECK-COUNT-2: %immune.old{{[0-9]*}} = load volatile i64
// CHECK-LABEL: define internal void @__immune_module_ctor(
IMMUNE_PROTECT int volatile_twice(volatile long *p) {
  *p = 1;
  *p = 2;
  return 0;
}
