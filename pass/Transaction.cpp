// See Transaction.h. The shape of a protected function afterwards:
//
//   entry:                       ; original static allocas stay here
//     %tx  = alloca %struct.__immune_tx
//     %top = load ptr, ptr @__immune_tx_top          ; thread_local
//     store %top -> tx.prev ; store @site -> tx.site
//     store %tx  -> @__immune_tx_top                 ; push
//     %r = call i32 @__immune_checkpoint(ptr %tx)    ; returns_twice
//     br (%r == 0), %immune.body, %immune.abort
//   immune.body:                 ; the original code; before every exit:
//     store %top -> @__immune_tx_top                 ; pop (commit)
//   immune.abort:                ; the runtime already popped the record
//     ret <error value>
//
// The pass runs before the inliner: a function holding a returns_twice call
// is never inlined into one that is not itself returns_twice, so inlining
// cannot strip the protection (see Plugin.cpp for the extension point).
#include "Transaction.h"

#include "immune/abi.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/EscapeEnumerator.h"

using namespace llvm;
using namespace immune;

// Static allocas must stay at the top of the entry block (the optimizer only
// promotes and the code generator only folds those), so the prologue goes
// after them.
static BasicBlock::iterator firstNonAlloca(BasicBlock &Entry) {
  auto It = Entry.begin();
  // A dynamic alloca (VLA) is code, not frame layout: it goes after the
  // checkpoint like everything else, even when it comes first.
  while (It != Entry.end() && isa<AllocaInst>(&*It) && cast<AllocaInst>(&*It)->isStaticAlloca())
    ++It;
  return It;
}

// The watchdog's safe points: the end of every block with a loop back-edge
// and the point after every call the function makes. A poll is a TLS load
// and a branch; the call happens only once the budget has run out.
static void insertWatchdogPolls(Function &F, RuntimeInterface &RT, DebugLoc Loc) {
  SmallVector<std::pair<const BasicBlock *, const BasicBlock *>, 8> BackEdges;
  FindFunctionBackedges(F, BackEdges);
  SmallVector<Instruction *, 16> At;
  for (auto &[From, To] : BackEdges)
    At.push_back(const_cast<BasicBlock *>(From)->getTerminator());
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (auto *CB = dyn_cast<CallInst>(&I)) {
        const Function *Callee = CB->getCalledFunction();
        if (isa<IntrinsicInst>(CB) || CB->isMustTailCall() ||
            (Callee && Callee->getName().starts_with(IMMUNE_PREFIX)))
          continue;
        At.push_back(CB->getNextNode());
      }
  for (Instruction *I : At) {
    IRBuilder<> B(I);
    B.SetCurrentDebugLocation(Loc);
    // Volatile: another thread raises the flag, and a loop that writes
    // nothing must still see it (no hoisting out of the loop).
    Value *Flag = B.CreateLoad(B.getInt32Ty(), RT.WatchdogFlag, /*isVolatile=*/true, "immune.wd");
    Instruction *Then = SplitBlockAndInsertIfThen(
        B.CreateICmpNE(Flag, B.getInt32(0)), I, /*Unreachable=*/false,
        MDBuilder(F.getContext()).createBranchWeights(1, 100000));
    Then->getParent()->setName("immune.wd.fire");
    IRBuilder<> TB(Then);
    TB.SetCurrentDebugLocation(Loc);
    TB.CreateCall(RT.WatchdogPoll);
  }
}

void immune::makeTransaction(Function &F, const ErrorValue &EV,
                             GlobalVariable *Site, RuntimeInterface &RT,
                             BufferRelocation &Buffers, uint64_t TimeoutMs,
                             bool Undo) {
  LLVMContext &C = F.getContext();
  const DataLayout &DL = F.getParent()->getDataLayout();
  DebugLoc Loc;
  if (DISubprogram *SP = F.getSubprogram())
    Loc = DILocation::get(C, SP->getScopeLine(), 0, SP);

  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock *Body = Entry.splitBasicBlock(firstNonAlloca(Entry), "immune.body");

  IRBuilder<> B(Entry.getTerminator());
  B.SetCurrentDebugLocation(Loc);
  Type *Ptr = PointerType::getUnqual(C);
  auto *Tx = new AllocaInst(RT.TxTy, DL.getAllocaAddrSpace(), "immune.tx",
                            Entry.getFirstInsertionPt());
  Tx->setAlignment(Align(16));
  Value *Top = B.CreateLoad(Ptr, RT.TxTop, "immune.top");
  B.CreateStore(Top, B.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_PREV));
  B.CreateStore(Site, B.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_SITE));
  Argument *SRet = nullptr;
  for (Argument &A : F.args())
    if (A.hasStructRetAttr()) SRet = &A;
  // The sret pointer is reloaded from the record on abort: a value held in a
  // register across a returns_twice call is only as good as the register
  // allocator's choices, the record in memory is certain.
  if (SRet && EV.ZeroSret)
    B.CreateStore(SRet, B.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_AUX));
  // The guard-slot mark goes into the record: on abort the runtime gives
  // back every slot the aborted call took by restoring it.
  Value *Mark = nullptr;
  if (!Buffers.empty()) {
    Mark = Buffers.emitMark(B);
    B.CreateStore(Mark, B.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_SLOT_MARK));
  }
  // The undo log's position: an abort undoes the entries above it.
  Value *UndoMark = nullptr;
  if (Undo) {
    UndoMark = B.CreateLoad(Ptr, RT.UndoCur, "immune.undo.mark");
    B.CreateStore(UndoMark, B.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_UNDO_MARK));
  }
  B.CreateStore(Tx, RT.TxTop);
  CallInst *CP = B.CreateCall(RT.Checkpoint, {Tx}, "immune.cp");
  CP->addFnAttr(Attribute::ReturnsTwice);
  CP->setCallingConv(CallingConv::PreserveMost);

  // Slots are taken after the checkpoint, inside the transaction.
  if (Mark) Buffers.relocate(Body, Loc);

  // The watchdog: polls in the original code (before exits are added), arm
  // right after the checkpoint.
  if (TimeoutMs) {
    insertWatchdogPolls(F, RT, Loc);
    IRBuilder<> WB(Body, Body->getFirstInsertionPt());
    WB.SetCurrentDebugLocation(Loc);
    WB.CreateCall(RT.WatchdogArm, {Tx});
  }

  // Commit on every way out of the original code, including exceptions
  // unwinding through (EscapeEnumerator turns calls that may throw into
  // invokes to one cleanup that pops and resumes).
  EscapeEnumerator EE(F, "immune.cleanup", /*HandleExceptions=*/true);
  SmallVector<Instruction *, 4> Exits;
  while (IRBuilder<> *AtExit = EE.Next()) {
    AtExit->SetCurrentDebugLocation(Loc);
    // Release (checking canaries, which may still abort) before commit.
    if (Mark) Buffers.emitRelease(*AtExit, Mark);
    if (TimeoutMs) AtExit->CreateCall(RT.WatchdogDisarm, {Tx});
    Exits.push_back(AtExit->CreateStore(Top, RT.TxTop));
  }
  // The outermost commit empties the undo log (inner ones leave their
  // entries to the transaction around them): a compare and a store.
  if (UndoMark)
    for (Instruction *Pop : Exits) {
      IRBuilder<> UB(Pop);
      UB.SetCurrentDebugLocation(Loc);
      Instruction *Then = SplitBlockAndInsertIfThen(UB.CreateIsNull(Top), Pop, false);
      Then->getParent()->setName("immune.undo.reset");
      IRBuilder<> TB(Then);
      TB.SetCurrentDebugLocation(Loc);
      // From the record, not the value loaded at entry: a log mapped
      // inside this transaction sets the mark of every live transaction
      // that began before it had one (rollback_memory.c).
      TB.CreateStore(TB.CreateLoad(Ptr, TB.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_UNDO_MARK)),
                     RT.UndoCur);
    }
  // Commit the rollback log too, only when this call owns entries in it (the
  // word names the owner of the newest ones, abi.h): one TLS load, a compare
  // with the record's address and a branch on the fast path.
  for (Instruction *Pop : Exits) {
    IRBuilder<> CB(Pop);
    CB.SetCurrentDebugLocation(Loc);
    Value *Pending = CB.CreateLoad(CB.getInt64Ty(), RT.RollbackPending, "immune.pending");
    Instruction *Then = SplitBlockAndInsertIfThen(
        CB.CreateICmpEQ(Pending, CB.CreatePtrToInt(Tx, CB.getInt64Ty(), "immune.self")), Pop,
        /*Unreachable=*/false, MDBuilder(C).createBranchWeights(1, 1000));
    Then->getParent()->setName("immune.commit");
    Pop->getParent()->setName("immune.exit");
    IRBuilder<> TB(Then);
    TB.SetCurrentDebugLocation(Loc);
    TB.CreateCall(RT.TxCommit, {Tx})->setCallingConv(CallingConv::PreserveMost);
  }

  BasicBlock *Abort = BasicBlock::Create(C, "immune.abort", &F);
  IRBuilder<> AB(Abort);
  AB.SetCurrentDebugLocation(Loc);
  // Undo what the aborted call did to the heap, locks and descriptors.
  AB.CreateCall(RT.TxRollback, {Tx});
  if (EV.ZeroSret && SRet) {
    Value *P = AB.CreateLoad(Ptr, AB.CreateStructGEP(RT.TxTy, Tx, IMMUNE_TX_FIELD_AUX));
    Type *T = F.getParamStructRetType(SRet->getArgNo());
    AB.CreateMemSet(P, AB.getInt8(0), DL.getTypeAllocSize(T),
                    F.getParamAlign(SRet->getArgNo()).valueOrOne());
  }
  if (F.getReturnType()->isVoidTy())
    AB.CreateRetVoid();
  else
    AB.CreateRet(EV.Value);

  Entry.getTerminator()->eraseFromParent();
  IRBuilder<> EB(&Entry);
  EB.SetCurrentDebugLocation(Loc);
  EB.CreateCondBr(EB.CreateICmpEQ(CP, EB.getInt32(0), "immune.ok"), Body, Abort);

  // A protected function is never inlined (the returns_twice call sees to
  // that); drop alwaysinline so that is not reported as an error at -O0.
  F.removeFnAttr(Attribute::AlwaysInline);
  F.addFnAttr("immune-protected");
}
