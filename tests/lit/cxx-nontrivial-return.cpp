// A function that returns a C++ object of a non-trivial type through memory
// (std::string, a class with a destructor) is not protected as returning:
// a zeroed one is not a valid object (its c_str() is NULL). A fault in it
// aborts the protected caller instead. A trivially copyable struct is still
// zeroed. Without the type in the debug info (no -g, or the wrappers'
// -gline-tables-only) a C++ function's object type is unknown: left out too.
// RUN: %clang_immune -x c++ -g -O0 -S -emit-llvm -o /dev/null -Rpass=immune -Rpass-missed=immune %s 2>&1 | FileCheck %s --check-prefix=DEBUG
// RUN: %clang_immune -x c++ -O0 -S -emit-llvm -o /dev/null -Rpass=immune -Rpass-missed=immune %s 2>&1 | FileCheck %s --check-prefix=NODEBUG
#include <immune/immune.h>

struct Name {
  char *p;
  Name();
  Name(const Name &);
  ~Name();
};
struct Pod { long v[8]; };

// DEBUG: remark: immune: cannot protect 'name_of(char const*)' (annotate("immune")): it returns a C++ object of a non-trivial type (Name) through memory: a zeroed one is not a valid object
// NODEBUG: remark: immune: cannot protect 'name_of(char const*)' (annotate("immune")): it returns a C++ object through memory and, without debug info, its type cannot be told trivial
IMMUNE_PROTECT Name name_of(const char *p) { Name n; n.p = (char *)p; return n; }

// DEBUG: remark: protected 'pod_of(long const*)' (annotate("immune")); returns {0} on fault (aggregate returned through memory: zeroed)
// NODEBUG: remark: immune: cannot protect 'pod_of(long const*)' (annotate("immune")): it returns a C++ object through memory and, without debug info
IMMUNE_PROTECT Pod pod_of(const long *p) { Pod x; x.v[0] = *p; return x; }

// extern "C": a C function's struct is a plain struct.
// DEBUG: remark: protected 'c_pod_of' (annotate("immune")); returns {0} on fault
// NODEBUG: remark: protected 'c_pod_of' (annotate("immune")); returns {0} on fault
extern "C" IMMUNE_PROTECT Pod c_pod_of(const long *p) { Pod x; x.v[0] = *p; return x; }
