// The module pass that ties selection, error values, the transaction
// transformation and the site table together. Registered in Plugin.cpp.
#ifndef IMMUNE_PASS_IMMUNEPASS_H
#define IMMUNE_PASS_IMMUNEPASS_H

#include "llvm/IR/PassManager.h"

namespace immune {

struct ImmunePass : llvm::PassInfoMixin<ImmunePass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  // clang -O0 marks every function optnone and the pass manager skips
  // optional passes for those; protection is not an optimization, so the
  // pass must run regardless.
  static bool isRequired() { return true; }
};

} // namespace immune

#endif
