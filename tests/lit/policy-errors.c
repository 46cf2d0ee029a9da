// A policy file that does not parse, or says something Immune does not
// understand, fails the compilation with file:line instead of protecting
// nothing.
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/bad-prefix.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=PREFIX
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/bad-category.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=CATEGORY
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/bad-value.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=VALUE
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/malformed.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/bad-timeout.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=TIMEOUT
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/nul-byte.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=NUL
// RUN: not %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/does-not-exist.txt -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=MISSING

// PREFIX: error: immune: {{.*}}bad-prefix.txt:3: unknown prefix 'fn'
// CATEGORY: error: immune: {{.*}}bad-category.txt:2: 'retrun:-1': unknown category
// VALUE: error: immune: {{.*}}bad-value.txt:1: 'return:banana': not an error value
// MALFORMED: error: immune: {{.*}}malformed.txt:2: malformed line 2
// TIMEOUT: error: immune: {{.*}}bad-timeout.txt:1: 'timeout_ms:0': timeout_ms needs a positive number of milliseconds
// NUL: error: immune: {{.*}}nul-byte.txt:2: NUL byte in the policy file
// MISSING: error: immune: {{.*}}does-not-exist.txt: cannot read policy file
int parse_header(int *p) { return *p; }
