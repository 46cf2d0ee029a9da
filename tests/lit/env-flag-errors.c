// An on/off environment variable with any other value fails the
// compilation, naming the variable and the value (IMMUNE_PROTECT_ALL=foo
// used to mean on); the usual spellings of on and off are accepted.
// RUN: env IMMUNE_PROTECT_ALL=foo not %clang_immune -O2 -S -emit-llvm -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: env IMMUNE_DYBOC=nope not %clang_immune -O0 -S -emit-llvm -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=DYBOC
// RUN: env IMMUNE_PROTECT_ALL=yes %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=ON
// RUN: env IMMUNE_PROTECT_ALL=off %clang_immune -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=OFF
// BAD: error: immune: IMMUNE_PROTECT_ALL=foo in the environment: expected 1 or 0 (or true/false, yes/no, on/off)
// DYBOC: error: immune: IMMUNE_DYBOC=nope in the environment
// ON: define{{.*}} i32 @parse(
// ON: llvm.eh.sjlj.setjmp
// OFF: define{{.*}} i32 @parse(
// OFF-NOT: llvm.eh.sjlj.setjmp
__attribute__((noinline)) int parse(const int *p) { return *p + 1; }
