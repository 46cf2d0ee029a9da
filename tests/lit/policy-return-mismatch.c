// A stated error value that does not fit the function's return type (a
// policy line's return:1.5 for an int) fails the build, naming the function
// and the policy line, instead of leaving the function unprotected with a
// warning.
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf 'fun:count_lines=return:1.5\n' > %t/p.txt
// RUN: not env IMMUNE_POLICY=%t/p.txt %clang_immune -O0 -S -emit-llvm -o /dev/null %s 2>&1 | FileCheck %s
// CHECK: error: immune: cannot protect 'count_lines' (policy {{.*}}p.txt:1): a floating-point error value for an integer return type
int count_lines(const char *s) {
  int n = 0;
  for (; *s; ++s) n += *s == '\n';
  return n;
}
