// Protect-all without paying for what cannot go wrong on its own: a
// function that needs no transaction of its own runs inside its callers'.
//
// A leaf with local linkage, no buffers in its frame and only callers that
// are themselves transactions needs nothing a transaction gives: no buffer
// to relocate, and a fault in it aborts the caller's transaction, whose
// error path runs instead (how rescue points already work). Its stores
// outside its frame are undone with the caller's: with the undo log on, the
// callers call its logging clone (UndoLog.h), whose entries lie above the
// caller's mark; with the undo log off, only leaves that store nothing
// outside their frame qualify. Only functions that protect-all
// chose; an annotation or a policy line always gets a transaction.
#ifndef IMMUNE_PASS_ELISION_H
#define IMMUNE_PASS_ELISION_H

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Function.h"

#include <string>

namespace immune {

// Why F's body alone cannot go without a transaction (a call, a store out
// of its frame that is not logged, an atomic write, a buffer, external
// linkage), or empty when it can. StoresLogged: the undo log is on.
std::string elisionBlocker(const llvm::Function &F, bool StoresLogged);

// Whether every use of F is a direct call from one of Protected.
bool onlyCalledFrom(const llvm::Function &F,
                    const llvm::SmallPtrSetImpl<const llvm::Function *> &Protected);

} // namespace immune

#endif
