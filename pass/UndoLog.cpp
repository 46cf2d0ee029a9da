// See UndoLog.h. A logged store, in IR:
//
//   %old = load iN, ptr %p                 ; faults here if %p is bad
//   %cur = load ptr, ptr thread.undo_cur   ; the TLS block (abi.h)
//   %end = load ptr, ptr thread.undo_end
//   br (%cur >= %end), %slow, %fast        ; no log yet, or full
// fast:
//   store (ptrtoint %p | N/8 << 56) -> %cur
//   store zext(%old) -> %cur + 8
//   store %cur + 16 -> thread.undo_cur
// slow:
//   call @__immune_undo_word(%p, N/8, zext(%old))
//
//   store %v, ptr %p                       ; the original store
//
// Wider stores and the memory intrinsics call @__immune_undo_range(%p, len).
#include "UndoLog.h"
#include "InlineBoundary.h"

#include "immune/abi.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace llvm;
using namespace immune;

UndoLog::UndoLog(Module &M, RuntimeInterface &RT,
                 const SmallPtrSetImpl<Function *> &Protected)
    : M(M), RT(RT), Protected(Protected) {
  MDBuilder MDB(M.getContext());
  MDNode *Domain = MDB.createAnonymousAliasScopeDomain("immune.undo");
  LogScope = MDNode::get(M.getContext(), {MDB.createAnonymousAliasScope(Domain, "immune.undo.log")});
}

// A store of the program (or the load of the old value it logs) never
// writes the log or its TLS words: the runtime owns them, and a wild write
// into them is undefined behaviour the abort could not repair anyway.
void UndoLog::markProgramStore(Instruction *I) {
  I->setMetadata(LLVMContext::MD_noalias,
                 MDNode::concatenate(I->getMetadata(LLVMContext::MD_noalias), LogScope));
}

// Memory of the function's own frame dies with it: never logged.
static bool ownFrame(Value *Ptr, const Function &F) {
  const Value *U = getUnderlyingObject(Ptr, /*MaxLookup=*/0);
  auto *AI = dyn_cast<AllocaInst>(U);
  return AI && AI->getFunction() == &F;
}

void UndoLog::logRange(Instruction *Before, Value *Ptr, Value *Len) {
  IRBuilder<> B(Before);
  B.SetCurrentDebugLocation(Before->getDebugLoc());
  B.CreateCall(RT.UndoRange, {Ptr, B.CreateZExtOrTrunc(Len, B.getInt64Ty())});
}

void UndoLog::logStore(StoreInst *SI) {
  const DataLayout &DL = M.getDataLayout();
  Value *Ptr = SI->getPointerOperand();
  Type *T = SI->getValueOperand()->getType();
  TypeSize TS = DL.getTypeStoreSize(T);
  if (TS.isScalable()) return; // not for x86-64; nothing to log it with
  uint64_t Size = TS.getFixedValue();
  IRBuilder<> B(SI);
  B.SetCurrentDebugLocation(SI->getDebugLoc());
  if (Size != 1 && Size != 2 && Size != 4 && Size != 8) {
    logRange(SI, Ptr, B.getInt64(Size));
    return;
  }
  LLVMContext &C = M.getContext();
  Type *I64 = B.getInt64Ty(), *PtrTy = PointerType::getUnqual(C);
  // The old contents, read the way the store will write: an atomic store's
  // location is read atomically (it may be shared), a volatile one volatile.
  LoadInst *Old = B.CreateAlignedLoad(B.getIntNTy(Size * 8), Ptr, SI->getAlign(),
                                      SI->isVolatile(), "immune.old");
  if (SI->isAtomic()) Old->setAtomic(AtomicOrdering::Monotonic, SI->getSyncScopeID());
  markProgramStore(Old);
  Value *Old64 = B.CreateZExt(Old, I64);
  LoadInst *Cur = B.CreateLoad(PtrTy, RT.UndoCur, "immune.undo.cur");
  LoadInst *End = B.CreateLoad(PtrTy, RT.UndoEnd, "immune.undo.end");
  Cur->setMetadata(LLVMContext::MD_alias_scope, LogScope);
  End->setMetadata(LLVMContext::MD_alias_scope, LogScope);
  Instruction *Slow = nullptr, *Fast = nullptr;
  SplitBlockAndInsertIfThenElse(B.CreateICmpUGE(Cur, End), SI, &Slow, &Fast,
                                MDBuilder(C).createBranchWeights(1, 1000));
  Slow->getParent()->setName("immune.undo.slow");
  Fast->getParent()->setName("immune.undo.fast");
  IRBuilder<> S(Slow);
  S.SetCurrentDebugLocation(SI->getDebugLoc());
  S.CreateCall(RT.UndoWord, {Ptr, S.getInt64(Size), Old64});
  IRBuilder<> F(Fast);
  F.SetCurrentDebugLocation(SI->getDebugLoc());
  Value *Tagged = F.CreateOr(F.CreatePtrToInt(Ptr, I64), F.getInt64(Size << 56));
  for (StoreInst *St :
       {F.CreateAlignedStore(Tagged, Cur, Align(8)),
        F.CreateAlignedStore(Old64, F.CreateConstInBoundsGEP1_64(F.getInt8Ty(), Cur, 8), Align(8)),
        F.CreateStore(F.CreateConstInBoundsGEP1_64(F.getInt8Ty(), Cur, 16), RT.UndoCur)})
    St->setMetadata(LLVMContext::MD_alias_scope, LogScope);
}

Function *UndoLog::cloneOf(Function &G) {
  auto It = Clones.find(&G);
  if (It != Clones.end()) return It->second;
  ValueToValueMapTy VMap;
  Function *NF = CloneFunction(&G, VMap);
  NF->setName(G.getName() + ".immune.tx");
  NF->setLinkage(GlobalValue::InternalLinkage);
  NF->setVisibility(GlobalValue::DefaultVisibility);
  NF->setDSOLocal(true);
  NF->setComdat(nullptr);
  NF->addFnAttr(CloneAttr);
  Clones[&G] = NF;
  Pending.push_back(NF);
  return NF;
}

// Whether a call to Callee from transactional code can go to a clone: a
// definition in this module that the linker or the dynamic loader cannot
// replace with another, and not a transaction itself.
static bool clonable(const CallBase &CB, const SmallPtrSetImpl<Function *> &Protected) {
  const Function *Callee = CB.getCalledFunction();
  return Callee && !Callee->isDeclaration() && !Callee->isIntrinsic() &&
         CB.getFunctionType() == Callee->getFunctionType() &&
         !Callee->isInterposable() && !Callee->getName().starts_with(IMMUNE_PREFIX) &&
         !Callee->hasFnAttribute("immune-protected") &&
         !Protected.count(const_cast<Function *>(Callee)) &&
         !Callee->hasFnAttribute(Attribute::Naked);
}

// The stores whose old contents no earlier store of this call logged. A
// store to the same address (the same pointer value), at most as wide,
// after a logged one that dominates it finds its old bytes in the log
// already: the entry stays until the transaction around this call ends,
// and an abort restores the bytes from before the first store, which is
// all an abort needs. Atomic and volatile stores are always logged.
static SmallVector<StoreInst *, 16> alreadyLoggedRemoved(Function &F,
                                                         ArrayRef<StoreInst *> Stores) {
  SmallVector<StoreInst *, 16> Keep;
  if (Stores.size() < 2) return SmallVector<StoreInst *, 16>(Stores.begin(), Stores.end());
  const DataLayout &DL = F.getDataLayout();
  DominatorTree DT(F);
  DenseMap<const Value *, SmallVector<std::pair<StoreInst *, uint64_t>, 2>> Logged;
  for (StoreInst *SI : Stores) {
    TypeSize TS = DL.getTypeStoreSize(SI->getValueOperand()->getType());
    if (!SI->isSimple() || TS.isScalable()) {
      Keep.push_back(SI);
      continue;
    }
    uint64_t Size = TS.getFixedValue();
    auto &Earlier = Logged[SI->getPointerOperand()->stripPointerCasts()];
    if (any_of(Earlier, [&](const std::pair<StoreInst *, uint64_t> &E) {
          return E.second >= Size && DT.dominates(E.first, SI);
        }))
      continue;
    Keep.push_back(SI);
    Earlier.push_back({SI, Size});
  }
  return Keep;
}

void UndoLog::instrumentBody(Function &F) {
  SmallVector<StoreInst *, 16> Stores;
  SmallVector<MemIntrinsic *, 4> Ranges;
  SmallVector<CallBase *, 8> Calls;
  for (BasicBlock &BB : F)
    for (Instruction &I : BB) {
      if (auto *SI = dyn_cast<StoreInst>(&I)) {
        markProgramStore(SI);
        if (!ownFrame(SI->getPointerOperand(), F)) Stores.push_back(SI);
      } else if (auto *MI = dyn_cast<MemIntrinsic>(&I)) {
        if (!ownFrame(MI->getDest(), F)) Ranges.push_back(MI);
      } else if (auto *CB = dyn_cast<CallBase>(&I)) {
        if (clonable(*CB, Protected)) Calls.push_back(CB);
      }
    }
  for (MemIntrinsic *MI : Ranges) logRange(MI, MI->getDest(), MI->getLength());
  for (StoreInst *SI : alreadyLoggedRemoved(F, Stores)) logStore(SI);
  for (CallBase *CB : Calls) {
    CB->setCalledFunction(cloneOf(*CB->getCalledFunction()));
    forgetInferredEffects(*CB);
  }
}

void UndoLog::instrument(Function &F) {
  instrumentBody(F);
  while (!Pending.empty()) {
    Function *Clone = Pending.pop_back_val();
    instrumentBody(*Clone);
    forgetInferredEffects(*Clone);
  }
}
