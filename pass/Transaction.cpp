// See Transaction.h. The shape of a protected function afterwards (ABI v3:
// the record lives on the thread's transaction stack, abi.h, never in the
// frame, and the checkpoint is inline):
//
//   entry:                       ; original static allocas stay here
//     %top = load thread.tx_top ; %base = load thread.tx_base
//     %next = %top ? %top + 1 : %base                ; records are contiguous
//     br (%next < thread.tx_limit), %immune.push, %immune.enter.slow
//   immune.enter.slow:           ; cold: first call of the thread, a full
//     %r = call @__immune_tx_enter_slow(@site)   ; stack, or injection
//     br (%r == null), %immune.abort, %immune.push
//   immune.push:
//     %rec = phi [%next, %entry], [%r, %immune.enter.slow]
//     store %rec -> thread.tx_top                    ; push
//     store %top -> rec.prev ; store @site -> rec.site ; marks
//     store frameaddress -> rec.fp ; stacksave -> rec.sp ; ret address -> rec.ret
//     %cp = call i32 @llvm.eh.sjlj.setjmp(%rec)      ; returns_twice
//     br (%cp == 0), %immune.body, %immune.abort
//   immune.body:                 ; the original code; before every exit:
//     %self = load thread.tx_top
//     thread.tx_top = (%self == thread.tx_base) ? null : %self - 1   ; pop
//   immune.abort:                ; the runtime already popped the record
//     call @__immune_tx_rollback() ; ret <error value>
//
// Nothing the exits or the abort path act on is read from the frame: they
// take the record from the TLS block, so a buffer that overflowed in the
// frame cannot steer the pop, the commit or the rollback.
//
// The pass runs before the inliner: a function holding a returns_twice call
// is never inlined into one that is not itself returns_twice, so inlining
// cannot strip the protection (see Plugin.cpp for the extension point).
#include "Transaction.h"
#include "InlineBoundary.h"

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
BasicBlock::iterator immune::firstNonAlloca(BasicBlock &Entry) {
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
    Value *Flag = B.CreateLoad(B.getInt64Ty(), RT.WatchdogFlag, /*isVolatile=*/true, "immune.wd");
    Instruction *Then = SplitBlockAndInsertIfThen(
        B.CreateICmpNE(Flag, B.getInt64(0)), I, /*Unreachable=*/false,
        MDBuilder(F.getContext()).createBranchWeights(1, 100000));
    Then->getParent()->setName("immune.wd.fire");
    IRBuilder<> TB(Then);
    TB.SetCurrentDebugLocation(Loc);
    TB.CreateCall(RT.WatchdogPoll);
  }
}

// A compiler-only barrier between stores a signal handler on this thread
// may observe: a handler that runs protected code pushes after tx_top, so
// tx_top names the record before the record is filled (the handler's record
// goes above it, never onto it). No instruction is emitted.
static void signalFence(IRBuilder<> &B) {
  B.CreateFence(AtomicOrdering::SequentiallyConsistent, SyncScope::SingleThread);
}

void immune::makeTransaction(Function &F, const ErrorValue &EV,
                             GlobalVariable *Site, RuntimeInterface &RT,
                             BufferRelocation &Buffers, uint64_t TimeoutMs,
                             bool Undo) {
  LLVMContext &C = F.getContext();
  Module &M = *F.getParent();
  DebugLoc Loc;
  if (DISubprogram *SP = F.getSubprogram())
    Loc = DILocation::get(C, SP->getScopeLine(), 0, SP);
  Type *Ptr = PointerType::getUnqual(C);
  auto Field = [&](IRBuilder<> &B, Value *Rec, unsigned I) {
    return B.CreateStructGEP(RT.TxTy, Rec, I);
  };

  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock *Body = Entry.splitBasicBlock(firstNonAlloca(Entry), "immune.body");
  BasicBlock *Push = BasicBlock::Create(C, "immune.push", &F, Body);
  BasicBlock *Slow = BasicBlock::Create(C, "immune.enter.slow", &F, Push);
  BasicBlock *Abort = BasicBlock::Create(C, "immune.abort", &F);
  // Filled after the exits are instrumented: its return is not one of the
  // original code's exits (and EscapeEnumerator needs every block to end).
  auto *AbortPlaceholder = new UnreachableInst(C, Abort);

  // entry: the next record is the one after the innermost live one, or the
  // base when none is live (records are contiguous); is it below the limit?
  // (tx_limit is 0 until the thread's stack is mapped and while fault
  // injection is armed.)
  Entry.getTerminator()->eraseFromParent();
  IRBuilder<> B(&Entry);
  B.SetCurrentDebugLocation(Loc);
  Value *Top = B.CreateLoad(Ptr, RT.threadField(IMMUNE_THREAD_FIELD_TX_TOP), "immune.top");
  Value *Base = B.CreateLoad(Ptr, RT.threadField(IMMUNE_THREAD_FIELD_TX_BASE), "immune.base");
  Value *Next = B.CreateSelect(B.CreateIsNull(Top), Base,
                               B.CreateConstInBoundsGEP1_64(RT.TxTy, Top, 1), "immune.next");
  Value *Limit = B.CreateLoad(Ptr, RT.threadField(IMMUNE_THREAD_FIELD_TX_LIMIT), "immune.limit");
  B.CreateCondBr(B.CreateICmpULT(Next, Limit, "immune.room"), Push, Slow,
                 MDBuilder(C).createBranchWeights(100000, 1));

  IRBuilder<> SB(Slow);
  SB.SetCurrentDebugLocation(Loc);
  Value *SlowRec = SB.CreateCall(RT.TxEnterSlow, {Site}, "immune.rec.slow");
  // NULL: fault injection aborts this call on entry (the runtime filled the
  // next record for the abort path and reported it).
  SB.CreateCondBr(SB.CreateIsNull(SlowRec), Abort, Push,
                  MDBuilder(C).createBranchWeights(1, 100000));

  B.SetInsertPoint(Push);
  PHINode *Rec = B.CreatePHI(Ptr, 2, "immune.rec");
  Rec->addIncoming(Next, &Entry);
  Rec->addIncoming(SlowRec, Slow);
  // The push comes first: a signal handler that runs protected code before
  // the fields are written pushes above this record, never onto it.
  B.CreateStore(Rec, RT.threadField(IMMUNE_THREAD_FIELD_TX_TOP));
  signalFence(B);
  B.CreateStore(Top, Field(B, Rec, IMMUNE_TX_FIELD_PREV));
  B.CreateStore(Site, Field(B, Rec, IMMUNE_TX_FIELD_SITE));
  Argument *SRet = nullptr;
  for (Argument &A : F.args())
    if (A.hasStructRetAttr()) SRet = &A;
  // The sret pointer goes into the record: the abort path zeroes what the
  // runtime hands back from it, not a copy the frame may have lost.
  if (SRet && EV.ZeroSret)
    B.CreateStore(SRet, Field(B, Rec, IMMUNE_TX_FIELD_AUX));
  // The guard-slot mark goes into the record: on abort the runtime gives
  // back every slot the aborted call took by restoring it, and every exit
  // releases back to it.
  if (!Buffers.empty())
    B.CreateStore(Buffers.emitMark(B), Field(B, Rec, IMMUNE_TX_FIELD_SLOT_MARK));
  // The undo log's position: an abort undoes the entries above it.
  if (Undo)
    B.CreateStore(B.CreateLoad(Ptr, RT.UndoCur, "immune.undo.mark"),
                  Field(B, Rec, IMMUNE_TX_FIELD_UNDO_MARK));
  // The checkpoint: frame and stack pointer here, the resume address by the
  // intrinsic (the __builtin_setjmp protocol; abi.h).
  Function *FrameAddr = Intrinsic::getDeclaration(&M, Intrinsic::frameaddress, {Ptr});
  B.CreateStore(B.CreateCall(FrameAddr, {B.getInt32(0)}, "immune.fp"),
                Field(B, Rec, IMMUNE_TX_FIELD_FP));
  B.CreateStore(B.CreateStackSave("immune.sp"), Field(B, Rec, IMMUNE_TX_FIELD_SP));
  // The return address as it is now: the runtime refuses to resume a frame
  // whose return address changed (abi.h).
  Function *RetSlot = Intrinsic::getDeclaration(&M, Intrinsic::addressofreturnaddress, {Ptr});
  B.CreateStore(B.CreateLoad(Ptr, B.CreateCall(RetSlot, {}, "immune.ret.slot"), "immune.ret"),
                Field(B, Rec, IMMUNE_TX_FIELD_RET));
  B.CreateStore(B.getInt64(0), Field(B, Rec, IMMUNE_TX_FIELD_TAG));
  Function *SetJmp = Intrinsic::getDeclaration(&M, Intrinsic::eh_sjlj_setjmp);
  CallInst *CP = B.CreateCall(SetJmp, {Rec}, "immune.cp");
  // returns_twice on the call: the function then "exposes returns twice" to
  // the code generator (no stack-slot sharing between the body and the abort
  // path, which a resume would read), and the inliner keeps it out of
  // callers that are not returns_twice themselves.
  CP->addFnAttr(Attribute::ReturnsTwice);
  CP->addFnAttr(Attribute::NoUnwind);
  B.CreateCondBr(B.CreateICmpEQ(CP, B.getInt32(0), "immune.ok"), Body, Abort);

  // Slots are taken after the checkpoint, inside the transaction.
  if (!Buffers.empty()) Buffers.relocate(Body, Loc);

  // The watchdog: polls in the original code (before exits are added), arm
  // right after the checkpoint.
  if (TimeoutMs) {
    insertWatchdogPolls(F, RT, Loc);
    IRBuilder<> WB(Body, Body->getFirstInsertionPt());
    WB.SetCurrentDebugLocation(Loc);
    WB.CreateCall(RT.WatchdogArm, {Rec});
  }

  // Commit on every way out of the original code, including exceptions
  // unwinding through (EscapeEnumerator turns calls that may throw into
  // invokes to one cleanup that pops and resumes).
  EscapeEnumerator EE(F, "immune.cleanup", /*HandleExceptions=*/true);
  struct ExitPoint {
    Instruction *Pop; // the store of prev to tx_top
    Value *Self, *Prev, *IsOuter;
  };
  SmallVector<ExitPoint, 4> Exits;
  while (IRBuilder<> *AtExit = EE.Next()) {
    AtExit->SetCurrentDebugLocation(Loc);
    // The record from the TLS block: inner transactions have all popped.
    Value *Self = AtExit->CreateLoad(Ptr, RT.threadField(IMMUNE_THREAD_FIELD_TX_TOP), "immune.self");
    // Release (checking canaries, which may still abort) before commit.
    if (!Buffers.empty())
      Buffers.emitRelease(*AtExit, AtExit->CreateLoad(AtExit->getInt64Ty(),
                                                      Field(*AtExit, Self, IMMUNE_TX_FIELD_SLOT_MARK),
                                                      "immune.slot.mark"));
    if (TimeoutMs) AtExit->CreateCall(RT.WatchdogDisarm, {Self});
    // The record below (contiguous records): no load that waits on the
    // push's stores.
    Value *IsBase = AtExit->CreateICmpEQ(
        Self, AtExit->CreateLoad(Ptr, RT.threadField(IMMUNE_THREAD_FIELD_TX_BASE)), "immune.outer");
    Value *Prev = AtExit->CreateSelect(IsBase, ConstantPointerNull::get(cast<PointerType>(Ptr)),
                                       AtExit->CreateConstInBoundsGEP1_64(RT.TxTy, Self, -1),
                                       "immune.prev");
    Instruction *Pop = AtExit->CreateStore(Prev, RT.threadField(IMMUNE_THREAD_FIELD_TX_TOP));
    Exits.push_back({Pop, Self, Prev, IsBase});
  }
  // The outermost commit empties the undo log (inner ones leave their
  // entries to the transaction around them) and counts itself; an inner
  // commit clears its caller's replay tag when the tag names this function.
  // Both tell the runtime that this call completed, so an abort that
  // follows is new work, not a replay of one input (runtime/abort.c).
  for (ExitPoint &X : Exits) {
    IRBuilder<> UB(X.Pop);
    UB.SetCurrentDebugLocation(Loc);
    Instruction *Then = nullptr, *Else = nullptr;
    SplitBlockAndInsertIfThenElse(X.IsOuter, X.Pop, &Then, &Else);
    Then->getParent()->setName("immune.outermost");
    IRBuilder<> TB(Then);
    TB.SetCurrentDebugLocation(Loc);
    // From the record, not the value loaded at entry: a log mapped
    // inside this transaction sets the mark of every live transaction
    // that began before it had one (rollback_memory.c).
    if (Undo)
      TB.CreateStore(TB.CreateLoad(Ptr, Field(TB, X.Self, IMMUNE_TX_FIELD_UNDO_MARK)), RT.UndoCur);
    Constant *Commits = RT.threadField(IMMUNE_THREAD_FIELD_OUTER_COMMITS);
    TB.CreateStore(TB.CreateAdd(TB.CreateLoad(TB.getInt64Ty(), Commits), TB.getInt64(1)), Commits);
    Else->getParent()->setName("immune.inner");
    IRBuilder<> EB(Else);
    EB.SetCurrentDebugLocation(Loc);
    Value *TagP = Field(EB, X.Prev, IMMUNE_TX_FIELD_TAG);
    Value *Tag = EB.CreateLoad(EB.getInt64Ty(), TagP, "immune.tag");
    Instruction *Clear = SplitBlockAndInsertIfThen(
        EB.CreateICmpEQ(Tag, EB.CreatePtrToInt(Site, EB.getInt64Ty())), Else, false,
        MDBuilder(C).createBranchWeights(1, 1000));
    Clear->getParent()->setName("immune.tag.clear");
    IRBuilder<> CB(Clear);
    CB.SetCurrentDebugLocation(Loc);
    CB.CreateStore(CB.getInt64(0), TagP);
  }
  // Commit the rollback log too, only when this call owns entries in it (the
  // word names the owner of the newest ones, abi.h): one TLS load, a compare
  // with the record's address and a branch on the fast path.
  for (ExitPoint &X : Exits) {
    IRBuilder<> CB(X.Pop);
    CB.SetCurrentDebugLocation(Loc);
    Value *Pending = CB.CreateLoad(CB.getInt64Ty(), RT.RollbackPending, "immune.pending");
    Instruction *Then = SplitBlockAndInsertIfThen(
        CB.CreateICmpEQ(Pending, CB.CreatePtrToInt(X.Self, CB.getInt64Ty())), X.Pop,
        /*Unreachable=*/false, MDBuilder(C).createBranchWeights(1, 1000));
    Then->getParent()->setName("immune.commit");
    X.Pop->getParent()->setName("immune.exit");
    IRBuilder<> TB(Then);
    TB.SetCurrentDebugLocation(Loc);
    TB.CreateCall(RT.TxCommit, {X.Self})->setCallingConv(CallingConv::PreserveMost);
  }

  AbortPlaceholder->eraseFromParent();
  IRBuilder<> AB(Abort);
  AB.SetCurrentDebugLocation(Loc);
  // Undo what the aborted call did (memory, heap, locks, descriptors); the
  // runtime knows the record and hands back its aux word.
  Value *Aux = AB.CreateCall(RT.TxRollback, {}, "immune.aux");
  if (EV.ZeroSret && SRet) {
    Type *T = F.getParamStructRetType(SRet->getArgNo());
    AB.CreateMemSet(Aux, AB.getInt8(0), M.getDataLayout().getTypeAllocSize(T),
                    F.getParamAlign(SRet->getArgNo()).valueOrOne());
  }
  Type *RetTy = F.getReturnType();
  if (RetTy->isVoidTy()) {
    AB.CreateRetVoid();
  } else if (!EV.Aggregate &&
             (RetTy->isIntegerTy() || RetTy->isPointerTy() || RetTy->isFloatTy() ||
              RetTy->isDoubleTy()) &&
             (!RetTy->isIntegerTy() || RetTy->getIntegerBitWidth() <= 64)) {
    // A live vaccine may give this function another error value (abi.h:
    // IMMUNE_SITE_RETURN_SET, site.ret_value): the abort path, never the
    // fast path, reads the site.
    auto *Flags = AB.CreateLoad(AB.getInt32Ty(),
                                AB.CreateStructGEP(RT.SiteTy, Site, IMMUNE_SITE_FIELD_FLAGS),
                                "immune.site.flags");
    Flags->setAtomic(AtomicOrdering::Acquire);
    Flags->setAlignment(Align(4));
    Value *Bits = AB.CreateLoad(AB.getInt64Ty(),
                                AB.CreateStructGEP(RT.SiteTy, Site, IMMUNE_SITE_FIELD_RET_VALUE),
                                "immune.site.ret");
    Value *Live;
    if (RetTy->isPointerTy())
      Live = AB.CreateIntToPtr(Bits, RetTy);
    else if (RetTy->isIntegerTy())
      Live = AB.CreateTrunc(Bits, RetTy);
    else
      Live = AB.CreateBitCast(
          AB.CreateTrunc(Bits, AB.getIntNTy(RetTy->getPrimitiveSizeInBits())), RetTy);
    Value *Set = AB.CreateICmpNE(AB.CreateAnd(Flags, IMMUNE_SITE_RETURN_SET), AB.getInt32(0));
    AB.CreateRet(AB.CreateSelect(Set, Live, EV.Value, "immune.error"));
  } else {
    AB.CreateRet(EV.Value);
  }

  // A protected function is never inlined (the returns_twice call sees to
  // that); drop alwaysinline so that is not reported as an error at -O0.
  F.removeFnAttr(Attribute::AlwaysInline);
  F.addFnAttr("immune-protected");
  forgetInferredEffects(F);
}
