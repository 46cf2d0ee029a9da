// A policy file selects functions by name glob (fun:) and by source file
// (src:), sets error values (=return:V) and excludes (=skip), given with
// -mllvm -immune-policy or the IMMUNE_POLICY environment variable.
// src: matches the file a function is defined in, which the pass knows from
// debug info (any level, e.g. -gline-tables-only); without it, every function
// counts as defined in the main source file.
// RUN: %clang_immune -gline-tables-only -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/policy.txt -o - %s | FileCheck %s --check-prefixes=CHECK,DEBUG
// RUN: env IMMUNE_POLICY=%S/Inputs/policy.txt %clang_immune -gline-tables-only -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,DEBUG
// RUN: %clang_immune -O0 -S -emit-llvm -mllvm -immune-policy=%S/Inputs/policy.txt -o - %s | FileCheck %s --check-prefixes=CHECK,NODEBUG
#include "Inputs/policy-src.h"

// CHECK-LABEL: define{{.*}} i32 @parse_header(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
int parse_header(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} i32 @open_session(
// CHECK: call i32 @llvm.eh.sjlj.setjmp(
// CHECK: {{ret i32 -7|\[ -7, |select i1 .*, i32 -7}}
int open_session(int *p) { return *p; }

// skip wins over the fun:parse_* line.
// CHECK-LABEL: define{{.*}} i32 @parse_hot(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
int parse_hot(int *p) { return *p; }

// CHECK-LABEL: define{{.*}} i32 @unlisted(
// CHECK-NOT: llvm.eh.sjlj.setjmp
// CHECK: ret i32
int unlisted(int *p) { return *p + from_src_file(p); }

// DEBUG-LABEL: define{{.*}} i32 @from_src_file(
// DEBUG: call i32 @llvm.eh.sjlj.setjmp(
// NODEBUG-LABEL: define{{.*}} i32 @from_src_file(
// NODEBUG-NOT: llvm.eh.sjlj.setjmp
// NODEBUG: ret i32
