// Which functions of a module become transactions, and why: an annotation
// (annotate("immune"), annotate("immune.return", V), annotate("immune.skip")),
// a policy file line, or protect-all mode. Also which selected functions the
// pass cannot transform, with the reason the user is told.
#ifndef IMMUNE_PASS_SELECTION_H
#define IMMUNE_PASS_SELECTION_H

#include "Options.h"
#include "Policy.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/Constant.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

#include <optional>
#include <set>
#include <string>

namespace immune {

struct Choice {
  bool Protect = false;
  bool Explicit = false;   // chosen by annotation or policy (not protect-all)
  std::string Reason;      // "annotate(\"immune\")", "policy p.txt:3", ...
  const llvm::Constant *ReturnArg = nullptr;    // from immune.return
  std::optional<std::string> ReturnText;        // from policy return:V
  std::string ReturnWhy;
  uint64_t TimeoutMs = 0;  // watchdog budget: annotation or policy timeout_ms:N
  bool GuardHeap = false;  // IMMUNE_SITE_GUARD_HEAP: annotation or policy guard_heap
};

class Selector {
public:
  Selector(llvm::Module &M, const PassOptions &O, const Policy *P);
  Choice choose(llvm::Function &F) const;

  // Why F cannot be made a transaction; empty when it can.
  static std::string unsupportedReason(const llvm::Function &F);

  // The file F is defined in, for policy src: lines and reports.
  static std::string sourceFile(const llvm::Function &F);

  // The policy lines that matched a function defined in this module, for
  // the link-time report of lines that match nothing (immune-cc).
  const std::set<unsigned> &matchedPolicyLines() const { return Matched; }

private:
  struct Annot {
    bool Protect = false, Skip = false;
    const llvm::Constant *Return = nullptr;
    uint64_t TimeoutMs = 0;
    bool GuardHeap = false;
  };
  llvm::DenseMap<const llvm::Function *, Annot> Annots;
  const PassOptions &Opts;
  const Policy *Pol;
  mutable std::set<unsigned> Matched;
};

} // namespace immune

#endif
