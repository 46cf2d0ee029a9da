// The memory undo log, pass side (abi.h, "Memory undo log"; the runtime's
// half is runtime/rollback_memory.c). Every store a protected function makes
// to memory outside its own frame, and every memset/memcpy/memmove, is
// preceded by an append of the old contents to the thread's log. Calls from
// protected code to functions defined in the same module go to
// transactional clones of them, instrumented the same way, so the callees'
// stores are undone too while calls from ordinary code keep running the
// original, uninstrumented functions and pay nothing.
#ifndef IMMUNE_PASS_UNDOLOG_H
#define IMMUNE_PASS_UNDOLOG_H

#include "RuntimeInterface.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

namespace immune {

class UndoLog {
public:
  // Protected: the functions that become transactions in this module (their
  // bodies always run inside one, so they are instrumented in place and
  // called as they are).
  UndoLog(llvm::Module &M, RuntimeInterface &RT,
          const llvm::SmallPtrSetImpl<llvm::Function *> &Protected);

  // Instruments F (a protected function, before it becomes a transaction)
  // and every clone its calls need.
  void instrument(llvm::Function &F);

  // The clones made so far (original -> clone): they run only inside a
  // transaction, so ImmunePass relocates their buffers too.
  const llvm::DenseMap<llvm::Function *, llvm::Function *> &clones() const { return Clones; }

  // The attribute that marks a transactional clone.
  static constexpr const char *CloneAttr = "immune-undo-clone";

private:
  void instrumentBody(llvm::Function &F);
  llvm::Function *cloneOf(llvm::Function &G);
  void logStore(llvm::StoreInst *SI);
  void logRange(llvm::Instruction *Before, llvm::Value *Ptr, llvm::Value *Len);

  llvm::Module &M;
  RuntimeInterface &RT;
  const llvm::SmallPtrSetImpl<llvm::Function *> &Protected;
  llvm::DenseMap<llvm::Function *, llvm::Function *> Clones;
  // The log's words (thread.undo_cur/undo_end, the entries) are in an alias
  // scope of their own, and the program's stores in instrumented code are
  // marked as never touching it: the optimizer may then keep the log's
  // position in a register across them instead of reloading it per store.
  llvm::MDNode *LogScope = nullptr;
  void markProgramStore(llvm::Instruction *I);
  llvm::SmallVector<llvm::Function *, 8> Pending;
};

} // namespace immune

#endif
