// The static description of each protected function (struct __immune_site)
// and the module constructor that registers them with the runtime, so
// reports can name the function and counters can be read per function.
#ifndef IMMUNE_PASS_SITETABLE_H
#define IMMUNE_PASS_SITETABLE_H

#include "ErrorValue.h"
#include "RuntimeInterface.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace immune {

class SiteTable {
public:
  SiteTable(llvm::Module &M, RuntimeInterface &RT) : M(M), RT(RT) {}
  // A new site for F; call before makeTransaction, which stores it.
  llvm::GlobalVariable *add(llvm::Function &F, const ErrorValue &EV,
                            llvm::StringRef File, bool HasSlots,
                            uint64_t TimeoutMs = 0, bool Undo = false,
                            bool GuardHeap = false);
  // Emits the table and the registering constructor (nothing if empty).
  void finish();

private:
  llvm::Constant *str(llvm::StringRef S);
  llvm::Module &M;
  RuntimeInterface &RT;
  std::vector<llvm::Constant *> Sites;
};

} // namespace immune

#endif
