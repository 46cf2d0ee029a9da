// The core transformation: a protected function becomes a transaction, in
// place. Its entry pushes a record onto the thread's transaction stack and
// takes a checkpoint; every exit (return, resume of an exception, a cleanup
// for calls that may throw) pops it; the checkpoint's second return leads to
// a new block that returns the error value.
#ifndef IMMUNE_PASS_TRANSACTION_H
#define IMMUNE_PASS_TRANSACTION_H

#include "BufferRelocation.h"
#include "ErrorValue.h"
#include "RuntimeInterface.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"

namespace immune {

// The first instruction of the entry block after its static allocas: where
// code the pass adds at entry goes (static allocas must stay first: the
// optimizer only promotes and the code generator only folds those).
llvm::BasicBlock::iterator firstNonAlloca(llvm::BasicBlock &Entry);

// Buffers: the allocations to move to guard slots inside the transaction
// (empty when DYBOC is off or there are none).
// TimeoutMs: the watchdog budget (0: none): arm after the checkpoint,
// disarm before every commit, poll at loop back-edges and after calls.
// Undo: the function's stores are logged (UndoLog.h): record the log's
// position in the transaction, and truncate the log back to it when the
// outermost transaction commits.
void makeTransaction(llvm::Function &F, const ErrorValue &EV,
                     llvm::GlobalVariable *Site, RuntimeInterface &RT,
                     BufferRelocation &Buffers, uint64_t TimeoutMs = 0,
                     bool Undo = false);

} // namespace immune

#endif
