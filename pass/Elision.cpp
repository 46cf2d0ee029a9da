// See Elision.h.
#include "Elision.h"
#include "BufferSafety.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

// A write into an alloca of F itself: undone by the abort discarding the
// frame, never seen by anyone else.
static bool intoOwnFrame(const Value *Ptr, const Function &F) {
  const auto *AI = dyn_cast<AllocaInst>(getUnderlyingObject(Ptr));
  return AI && AI->getFunction() == &F;
}

std::string immune::elisionBlocker(const Function &F, bool StoresLogged) {
  if (!F.hasLocalLinkage()) return "callable from other modules";
  if (F.isVarArg()) return "variadic";
  for (const Instruction &I : instructions(F)) {
    if (const auto *AI = dyn_cast<AllocaInst>(&I)) {
      // Arrays and aggregates are what DYBOC relocates: an overflow of one
      // is this function's own fault and needs its own slot. One nothing
      // can run past (BufferSafety.h) is just memory of the frame.
      if ((AI->isArrayAllocation() || AI->getAllocatedType()->isAggregateType()) &&
          !accessesStayInside(*AI))
        return "has a buffer in its frame";
      continue;
    }
    if (const auto *CB = dyn_cast<CallBase>(&I)) {
      const auto *II = dyn_cast<IntrinsicInst>(CB);
      if (!II) return "makes calls";
      if (const auto *MI = dyn_cast<MemIntrinsic>(II)) {
        // Logged by the undo log in the clone its callers call (UndoLog.h).
        if (!StoresLogged && !intoOwnFrame(MI->getRawDest(), F))
          return "writes memory outside its frame";
        continue;
      }
      if (isa<AnyMemIntrinsic>(II)) return "writes memory atomically";
      if (II->isAssumeLikeIntrinsic() || isa<DbgInfoIntrinsic>(II) || !II->mayWriteToMemory())
        continue;
      switch (II->getIntrinsicID()) {
      case Intrinsic::lifetime_start:
      case Intrinsic::lifetime_end:
        continue;
      default:
        return "calls an intrinsic that writes memory";
      }
    }
    if (const auto *SI = dyn_cast<StoreInst>(&I)) {
      if (!StoresLogged && !intoOwnFrame(SI->getPointerOperand(), F))
        return "writes memory outside its frame";
      continue;
    }
    if (I.mayWriteToMemory()) return "writes memory outside its frame";
  }
  return "";
}

bool immune::onlyCalledFrom(const Function &F,
                            const SmallPtrSetImpl<const Function *> &Protected) {
  for (const Use &U : F.uses()) {
    const auto *CB = dyn_cast<CallBase>(U.getUser());
    if (!CB || !CB->isCallee(&U) || !Protected.count(CB->getFunction())) return false;
  }
  return !F.use_empty();
}
