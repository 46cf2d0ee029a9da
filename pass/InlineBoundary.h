// Transactions are placed after the inliner (Plugin.cpp): a function the
// inliner merges into its caller then runs inside the caller's transaction,
// at the cost of none of its own, and its stack buffers are relocated with
// the caller's. This pass runs before the inliner and fixes the two
// boundaries inlining must not cross:
//
//  - a function chosen by annotation or policy is a rescue point by name:
//    it gets noinline, so it stays a function with its own transaction and
//    its own error value (as when the pass ran first and the checkpoint's
//    returns_twice call kept it out of every caller);
//  - under protect-all, a function that stays unprotected (main, skipped by
//    annotation or policy, one the pass cannot transform) does not absorb a
//    function that would be protected: its calls to them get a call-site
//    noinline, so code that would run inside a transaction still does.
//
// Everything else under protect-all the inliner decides as without Immune.
// In oracle mode (IMMUNE_ORACLE=1) nothing is inlined: the build is for
// localizing a fault, and its stacks must show every function.
//
// Until the transactions exist, the optimizer must not conclude from a
// function's body what the transaction will make false: that it never
// returns NULL or -1 (IPSCCP's constants, nonnull and range attributes: a
// caller's check of the error value would be deleted before the pass adds
// the path that returns it), or that it never returns at all. So every
// function that will be protected gets a placeholder of its abort path at
// entry: an opaque call decides whether to return an opaque value. After
// the inliner, ImmunePass folds every placeholder (the function's own and
// the inlined copies) to "no" before it places the transactions. The error
// value is chosen here, from the code as it came (what it returns and what
// its callers test), and kept in the function's !immune.error metadata.
#ifndef IMMUNE_PASS_INLINEBOUNDARY_H
#define IMMUNE_PASS_INLINEBOUNDARY_H

#include "ErrorValue.h"

#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/PassManager.h"

#include <optional>

namespace immune {

struct InlineBoundaryPass : llvm::PassInfoMixin<InlineBoundaryPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }
};

// Removes every placeholder from M (ImmunePass, after the inliner); false
// when there was none.
bool resolvePlaceholders(llvm::Module &M);

// The error value chosen before the inliner, if one was.
std::optional<ErrorValue> plannedErrorValue(const llvm::Function &F);

// The pass runs after the function attributes were inferred: what the
// optimizer concluded about F before the pass added its code (memory(none),
// writeonly parameters, nofree, nosync) is no longer true once F takes a
// checkpoint, logs old values or takes guard slots, and the optimizations
// still to come must not act on it. Drops those facts from F and from its
// direct call sites (and from one call site, for a call redirected to F).
void forgetInferredEffects(llvm::Function &F);
void forgetInferredEffects(llvm::CallBase &CB);

} // namespace immune

#endif
