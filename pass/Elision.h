// Protect-all without paying for what cannot go wrong on its own: a
// function that needs no transaction of its own runs inside its callers'.
//
// A leaf with local linkage, no stores outside its own frame, no buffers in
// its frame and only callers that are themselves transactions needs nothing
// a transaction gives: there is nothing to undo, no buffer to relocate, and
// a fault in it aborts the caller's transaction, whose error path runs
// instead (how rescue points already work). Only functions that protect-all
// chose; an annotation or a policy line always gets a transaction.
#ifndef IMMUNE_PASS_ELISION_H
#define IMMUNE_PASS_ELISION_H

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Function.h"

#include <string>

namespace immune {

// Why F's body alone cannot go without a transaction (a call, a store out
// of its frame, a buffer, external linkage), or empty when it can.
std::string elisionBlocker(const llvm::Function &F);

// Whether every use of F is a direct call from one of Protected.
bool onlyCalledFrom(const llvm::Function &F,
                    const llvm::SmallPtrSetImpl<const llvm::Function *> &Protected);

} // namespace immune

#endif
