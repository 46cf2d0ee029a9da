// See BufferRelocation.h.
#include "BufferRelocation.h"
#include "BufferSafety.h"
#include "InlineBoundary.h"
#include "Transaction.h"
#include "Selection.h"

#include "immune/abi.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/EscapeEnumerator.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;
using namespace immune;

// Arrays, and aggregates that hold one anywhere inside: the things a string
// or memory function can run past the end of.
static bool holdsArray(Type *T) {
  if (T->isArrayTy()) return true;
  if (auto *S = dyn_cast<StructType>(T))
    for (Type *E : S->elements())
      if (holdsArray(E)) return true;
  return false;
}

static bool relocatable(const AllocaInst *AI) {
  if (AI->isSwiftError() || AI->isUsedWithInAlloca()) return false;
  if (AI->getName().starts_with("immune.")) return false;
  for (const User *U : AI->users())
    if (auto *II = dyn_cast<IntrinsicInst>(U))
      if (II->getIntrinsicID() == Intrinsic::localescape) return false;
  if (!AI->isStaticAlloca()) return true; // VLA, alloca()
  if (!AI->isArrayAllocation() && !holdsArray(AI->getAllocatedType())) return false;
  // Nothing can run past its end (BufferSafety.h): a slot would buy nothing.
  return !accessesStayInside(*AI);
}

BufferRelocation::BufferRelocation(Function &F, RuntimeInterface &RT, bool Enabled)
    : F(F), RT(RT) {
  if (!Enabled) return;
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (auto *AI = dyn_cast<AllocaInst>(&I))
        if (relocatable(AI)) {
          Allocas.push_back(AI);
          HasDynamic |= !AI->isStaticAlloca();
        }
}

Value *BufferRelocation::emitMark(IRBuilder<> &B) {
  return B.CreateLoad(B.getInt64Ty(), RT.SlotTop, "immune.slot.mark");
}

void BufferRelocation::emitRelease(IRBuilder<> &B, Value *Mark) {
  B.CreateCall(RT.SlotRelease, {Mark});
}

// The source variable of an allocation and where it was declared: from its
// dbg.declare, or, when clang tracks assignments (-O1 and up with -g), from
// its dbg.assign markers.
static DILocalVariable *variableOf(AllocaInst *AI, DebugLoc &Loc) {
  for (DbgVariableRecord *DVR : findDVRDeclares(AI)) {
    Loc = DVR->getDebugLoc();
    return DVR->getVariable();
  }
  for (DbgDeclareInst *DDI : findDbgDeclares(AI)) {
    Loc = DDI->getDebugLoc();
    return DDI->getVariable();
  }
  for (DbgVariableRecord *DVR : at::getDVRAssignmentMarkers(AI)) {
    Loc = DVR->getDebugLoc();
    return DVR->getVariable();
  }
  for (DbgAssignIntrinsic *DAI : at::getAssignmentMarkers(AI)) {
    Loc = DAI->getDebugLoc();
    return DAI->getVariable();
  }
  return nullptr;
}

static std::string bufferName(AllocaInst *AI, unsigned &Line) {
  DebugLoc Loc;
  if (DILocalVariable *V = variableOf(AI, Loc)) {
    Line = V->getLine();
    return V->getName().str();
  }
  if (AI->hasName()) return AI->getName().str();
  return AI->isStaticAlloca() ? "buffer" : "alloca";
}

GlobalVariable *BufferRelocation::descriptor(AllocaInst *AI, bool Dynamic) {
  Module &M = *F.getParent();
  LLVMContext &C = M.getContext();
  unsigned Line = 0;
  std::string Name = bufferName(AI, Line);
  Names.push_back(Name);
  auto Str = [&](StringRef S) -> Constant * {
    Constant *Init = ConstantDataArray::getString(C, S);
    auto *GV = new GlobalVariable(M, Init->getType(), true, GlobalValue::PrivateLinkage,
                                  Init, IMMUNE_PREFIX "str");
    GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    GV->setAlignment(Align(1));
    return GV;
  };
  Constant *Fields[] = {
      Str(Name), Str(demangle(F.getName().str().substr(0, F.getName().rfind(".immune.tx")))),
      Str(Selector::sourceFile(F)),
      ConstantInt::get(Type::getInt32Ty(C), Line),
      ConstantInt::get(Type::getInt32Ty(C), Dynamic ? IMMUNE_BUFFER_DYNAMIC : 0)};
  auto *GV = new GlobalVariable(M, RT.BufferTy, true, GlobalValue::PrivateLinkage,
                                ConstantStruct::get(RT.BufferTy, Fields),
                                IMMUNE_PREFIX "buffer." + F.getName() + "." + Name);
  GV->setAlignment(Align(8));
  return GV;
}

// Lifetime markers only make sense on allocas; the slot's lifetime is the
// call's.
static void dropLifetimeMarkers(AllocaInst *AI) {
  SmallVector<Instruction *, 4> Dead;
  for (User *U : AI->users())
    if (auto *II = dyn_cast<IntrinsicInst>(U))
      if (II->isLifetimeStartOrEnd()) Dead.push_back(II);
  for (Instruction *I : Dead) I->eraseFromParent();
}

void BufferRelocation::relocateStatic(AllocaInst *AI, IRBuilder<> &B) {
  const DataLayout &DL = F.getParent()->getDataLayout();
  uint64_t Size = DL.getTypeAllocSize(AI->getAllocatedType()) *
                  cast<ConstantInt>(AI->getArraySize())->getZExtValue();
  dropLifetimeMarkers(AI);
  Value *Slot = B.CreateCall(RT.SlotAlloc,
                             {B.getInt64(Size), B.getInt64(AI->getAlign().value()),
                              descriptor(AI, false)},
                             AI->getName() + ".slot");
  // When the pool cannot serve (exhausted, too large), the buffer stays
  // where it was: the original alloca, which therefore stays in the frame.
  Value *Ptr = B.CreateSelect(B.CreateIsNull(Slot), AI, Slot, AI->getName() + ".immune");
  AI->replaceUsesWithIf(Ptr, [&](Use &U) { return U.getUser() != Ptr; });
  // Debug info follows the buffer: the variable now lives at *(new slot),
  // which a debugger reads through a pointer kept in the frame. Assignment
  // tracking markers of the old alloca describe a location that is no
  // longer the variable's; they give way to one declare of the new home.
  DebugLoc VarLoc;
  if (DILocalVariable *Var = variableOf(AI, VarLoc)) {
    IRBuilder<> EB(&*F.getEntryBlock().getFirstInsertionPt());
    AllocaInst *Home = EB.CreateAlloca(B.getPtrTy(), nullptr, AI->getName() + ".immune.home");
    // Volatile: the pointer must stay in its frame slot for the debugger
    // to find, not be promoted to a register by mem2reg.
    StoreInst *St = B.CreateStore(Ptr, Home, /*isVolatile=*/true);
    DIBuilder DIB(*F.getParent(), /*AllowUnresolved=*/false);
    if (!replaceDbgDeclare(AI, Home, DIB, DIExpression::DerefBefore, 0)) {
      at::deleteAssignmentMarkers(AI);
      DIB.insertDeclare(Home, Var,
                        DIExpression::get(F.getContext(), {dwarf::DW_OP_deref}),
                        VarLoc.get(), St->getNextNode());
    }
  }
}

void BufferRelocation::relocateDynamic(AllocaInst *AI) {
  const DataLayout &DL = F.getParent()->getDataLayout();
  IRBuilder<> B(AI);
  Value *N = B.CreateZExtOrTrunc(AI->getArraySize(), B.getInt64Ty());
  Value *Size = B.CreateMul(N, B.getInt64(DL.getTypeAllocSize(AI->getAllocatedType())));
  dropLifetimeMarkers(AI);
  CallInst *Slot = B.CreateCall(RT.SlotAlloc,
                                {Size, B.getInt64(AI->getAlign().value()), descriptor(AI, true)},
                                AI->getName() + ".slot");
  // Pool exhausted: fall back to the stack allocation itself, made only then.
  Instruction *Then = nullptr;
  BasicBlock *Before = AI->getParent();
  BasicBlock *After = Before->splitBasicBlock(AI, "immune.vla.cont");
  Before->getTerminator()->eraseFromParent();
  BasicBlock *Fallback = BasicBlock::Create(F.getContext(), "immune.vla.stack", &F, After);
  IRBuilder<> BB(Before);
  BB.CreateCondBr(BB.CreateIsNull(Slot), Fallback, After);
  IRBuilder<> FB(Fallback);
  Then = FB.CreateBr(After);
  AI->moveBefore(Then);
  IRBuilder<> AB(&*After->getFirstInsertionPt());
  PHINode *P = AB.CreatePHI(B.getPtrTy(), 2, AI->getName() + ".immune");
  // Debug records that stood before the alloca now stand at the head of the
  // block, where the phi went: they belong after it (a phi carries none).
  if (P->hasDbgRecords()) {
    After->getFirstNonPHI()->cloneDebugInfoFrom(P, std::nullopt, /*InsertAtHead=*/true);
    P->dropDbgRecords();
  }
  AI->replaceAllUsesWith(P);
  P->addIncoming(Slot, Before);
  P->addIncoming(AI, Fallback);
}

static bool isStackSave(const Value *V) {
  auto *II = dyn_cast<IntrinsicInst>(V);
  return II && II->getIntrinsicID() == Intrinsic::stacksave;
}

// The stacksave a stackrestore's operand comes from: directly (optimized
// code) or through the local variable clang keeps it in at -O0.
static IntrinsicInst *savedBy(Value *Restored) {
  if (isStackSave(Restored)) return cast<IntrinsicInst>(Restored);
  if (auto *L = dyn_cast<LoadInst>(Restored))
    if (auto *A = dyn_cast<AllocaInst>(L->getPointerOperand()))
      for (User *U : A->users())
        if (auto *St = dyn_cast<StoreInst>(U))
          if (St->getPointerOperand() == A && isStackSave(St->getValueOperand()))
            return cast<IntrinsicInst>(St->getValueOperand());
  return nullptr;
}

// A VLA in a loop is freed by stackrestore at the end of its scope; release
// the slots taken since the matching stacksave at the same point.
void BufferRelocation::releaseAtStackRestores() {
  SmallVector<std::pair<IntrinsicInst *, IntrinsicInst *>, 4> Pairs;
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (auto *R = dyn_cast<IntrinsicInst>(&I))
        if (R->getIntrinsicID() == Intrinsic::stackrestore)
          if (IntrinsicInst *S = savedBy(R->getArgOperand(0))) Pairs.push_back({S, R});
  DenseMap<IntrinsicInst *, Value *> MarkOf;
  for (auto [Save, Restore] : Pairs) {
    Value *&Mark = MarkOf[Save];
    if (!Mark) {
      IRBuilder<> B(Save->getNextNode());
      Mark = emitMark(B);
    }
    IRBuilder<> B(Restore);
    emitRelease(B, Mark);
  }
}

void BufferRelocation::relocate(BasicBlock *At, DebugLoc Loc) {
  // Lifetime markers go first: one of them may be the instruction the slots
  // would otherwise be inserted before.
  for (AllocaInst *AI : Allocas) dropLifetimeMarkers(AI);
  IRBuilder<> B(At, At->getFirstInsertionPt());
  B.SetCurrentDebugLocation(Loc);
  for (AllocaInst *AI : Allocas)
    if (AI->isStaticAlloca()) relocateStatic(AI, B);
  for (AllocaInst *AI : Allocas)
    if (!AI->isStaticAlloca()) relocateDynamic(AI);
  if (HasDynamic) releaseAtStackRestores();
}

bool BufferRelocation::relocateWithoutTransaction(Function &F, RuntimeInterface &RT) {
  BufferRelocation R(F, RT);
  if (R.empty()) return false;
  BasicBlock &Entry = F.getEntryBlock();
  IRBuilder<> B(&Entry, firstNonAlloca(Entry));
  DebugLoc Loc;
  if (DISubprogram *SP = F.getSubprogram())
    Loc = DILocation::get(F.getContext(), SP->getScopeLine(), 0, SP);
  B.SetCurrentDebugLocation(Loc);
  Value *Mark = R.emitMark(B);
  // Slots after the mark, in a block of their own so the mark stays first.
  BasicBlock *Rest =
      Entry.splitBasicBlock(cast<Instruction>(Mark)->getNextNode(), "immune.oracle.body");
  R.relocate(Rest, Loc);
  EscapeEnumerator EE(F, "immune.oracle.cleanup", /*HandleExceptions=*/true);
  while (IRBuilder<> *AtExit = EE.Next()) R.emitRelease(*AtExit, Mark);
  forgetInferredEffects(F);
  return true;
}
