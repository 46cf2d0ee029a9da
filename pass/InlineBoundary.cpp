// See InlineBoundary.h.
#include "InlineBoundary.h"

#include "Manifest.h"
#include "Options.h"
#include "Policy.h"
#include "Selection.h"
#include "Transaction.h"

#include "immune/abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Local.h"

#include <memory>

using namespace llvm;
using namespace immune;

static const char PendingTx[] = IMMUNE_PREFIX "pending_tx";
static const char PendingRet[] = IMMUNE_PREFIX "pending_ret";
static const char ErrorKind[] = "immune.error";

// entry:  (static allocas)  %p = call i1 @__immune_pending_tx()
//         br %p, %immune.pending, %immune.pending.body
// immune.pending:           ret (call T @__immune_pending_ret.N())
static void addPlaceholder(Function &F, DenseMap<Type *, Function *> &Rets) {
  Module &M = *F.getParent();
  LLVMContext &C = F.getContext();
  AttrBuilder AB(C);
  AB.addAttribute(Attribute::NoUnwind);
  AB.addAttribute(Attribute::WillReturn);
  AB.addMemoryAttr(MemoryEffects::inaccessibleMemOnly());
  AttributeList Attrs = AttributeList::get(C, AttributeList::FunctionIndex, AB);
  FunctionCallee Tx = M.getOrInsertFunction(PendingTx, FunctionType::get(Type::getInt1Ty(C), false), Attrs);
  DebugLoc Loc;
  if (DISubprogram *SP = F.getSubprogram()) Loc = DILocation::get(C, SP->getScopeLine(), 0, SP);

  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock *Body = Entry.splitBasicBlock(firstNonAlloca(Entry), "immune.pending.body");
  BasicBlock *Pending = BasicBlock::Create(C, "immune.pending", &F, Body);
  Entry.getTerminator()->eraseFromParent();
  IRBuilder<> B(&Entry);
  B.SetCurrentDebugLocation(Loc);
  B.CreateCondBr(B.CreateCall(Tx, {}, "immune.pending"), Pending, Body);
  IRBuilder<> PB(Pending);
  PB.SetCurrentDebugLocation(Loc);
  Type *RetTy = F.getReturnType();
  if (RetTy->isVoidTy()) {
    PB.CreateRetVoid();
    return;
  }
  Function *&Ret = Rets[RetTy];
  if (!Ret) {
    Ret = Function::Create(FunctionType::get(RetTy, false), GlobalValue::ExternalLinkage, PendingRet, M);
    Ret->setAttributes(Attrs);
  }
  PB.CreateRet(PB.CreateCall(Ret, {}, "immune.pending.ret"));
}

static void planErrorValue(Function &F, const ErrorValue &EV) {
  LLVMContext &C = F.getContext();
  Metadata *V = EV.Value ? static_cast<Metadata *>(ConstantAsMetadata::get(EV.Value))
                         : static_cast<Metadata *>(MDString::get(C, ""));
  auto Flag = [&](bool B) { return ConstantAsMetadata::get(ConstantInt::getBool(C, B)); };
  F.setMetadata(ErrorKind, MDTuple::get(C, {V, Flag(EV.ZeroSret), Flag(EV.Aggregate),
                                            MDString::get(C, EV.Text), MDString::get(C, EV.Why)}));
}

std::optional<ErrorValue> immune::plannedErrorValue(const Function &F) {
  auto *T = dyn_cast_or_null<MDTuple>(F.getMetadata(ErrorKind));
  if (!T || T->getNumOperands() != 5) return std::nullopt;
  ErrorValue EV;
  if (auto *V = dyn_cast<ConstantAsMetadata>(T->getOperand(0))) EV.Value = V->getValue();
  auto Flag = [&](unsigned I) {
    auto *CM = dyn_cast<ConstantAsMetadata>(T->getOperand(I));
    return CM && !CM->getValue()->isNullValue();
  };
  EV.ZeroSret = Flag(1);
  EV.Aggregate = Flag(2);
  if (auto *S = dyn_cast<MDString>(T->getOperand(3))) EV.Text = S->getString().str();
  if (auto *S = dyn_cast<MDString>(T->getOperand(4))) EV.Why = S->getString().str();
  // A constant of another type would be a stale plan (the function was
  // changed under it): choose again.
  if (EV.Value && EV.Value->getType() != F.getReturnType()) return std::nullopt;
  return EV;
}

bool immune::resolvePlaceholders(Module &M) {
  Function *Tx = M.getFunction(PendingTx);
  SmallVector<Function *, 4> Rets;
  for (Function &F : M)
    if (F.getName().starts_with(PendingRet)) Rets.push_back(&F);
  SmallPtrSet<Function *, 32> Touched;
  if (Tx) {
    for (User *U : make_early_inc_range(Tx->users()))
      if (auto *CI = dyn_cast<CallInst>(U)) {
        Touched.insert(CI->getFunction());
        CI->replaceAllUsesWith(ConstantInt::getFalse(M.getContext()));
        CI->eraseFromParent();
      }
  }
  for (Function *F : Touched) {
    for (BasicBlock &BB : *F) ConstantFoldTerminator(&BB);
    removeUnreachableBlocks(*F);
  }
  // What is left of the opaque returns is code the folded branches no
  // longer reach (they were only ever called on the "pending" path).
  for (Function *R : Rets) {
    for (User *U : make_early_inc_range(R->users()))
      if (auto *CI = dyn_cast<CallInst>(U)) {
        CI->replaceAllUsesWith(PoisonValue::get(CI->getType()));
        CI->eraseFromParent();
      }
    if (R->use_empty()) R->eraseFromParent();
  }
  if (Tx && Tx->use_empty()) Tx->eraseFromParent();
  for (Function &F : M) F.setMetadata(ErrorKind, nullptr);
  return Tx || !Rets.empty();
}

static const Attribute::AttrKind FnFacts[] = {Attribute::Memory, Attribute::NoFree,
                                              Attribute::NoSync, Attribute::Speculatable};

void immune::forgetInferredEffects(CallBase &CB) {
  for (Attribute::AttrKind K : FnFacts) CB.removeFnAttr(K);
  for (unsigned I = 0; I < CB.arg_size(); ++I) CB.removeParamAttr(I, Attribute::WriteOnly);
}

void immune::forgetInferredEffects(Function &F) {
  for (Attribute::AttrKind K : FnFacts) F.removeFnAttr(K);
  for (Argument &A : F.args()) F.removeParamAttr(A.getArgNo(), Attribute::WriteOnly);
  for (Use &U : F.uses())
    if (auto *CB = dyn_cast<CallBase>(U.getUser()); CB && CB->isCallee(&U))
      forgetInferredEffects(*CB);
}

PreservedAnalyses InlineBoundaryPass::run(Module &M, ModuleAnalysisManager &) {
  PassOptions Opts = currentOptions();
  std::unique_ptr<Policy> Pol;
  if (!Opts.PolicyPath.empty()) {
    std::string Err;
    Pol = Policy::load(Opts.PolicyPath, Err);
    // ImmunePass reports the error (and fails the build) after the inliner.
    if (!Pol) return PreservedAnalyses::all();
  }
  // The manifest describes the functions as they came, before the inliner.
  if (!Opts.ManifestDir.empty()) Manifest::stash(M);
  Selector Sel(M, Opts, Pol.get());
  DenseMap<const Function *, bool> WillProtect;
  DenseMap<Type *, Function *> Rets;
  bool Changed = false;
  SmallVector<Function *, 64> Defined;
  for (Function &F : M) Defined.push_back(&F);
  for (Function *FP : Defined) {
    Function &F = *FP;
    Choice Ch = Sel.choose(F);
    bool Can = Ch.Protect && Selector::unsupportedReason(F).empty();
    WillProtect[&F] = Can;
    if (!Can) continue;
    std::string Err;
    std::optional<ErrorValue> EV =
        chooseErrorValue(F, Ch.ReturnArg, Ch.ReturnText, Ch.ReturnWhy, Err);
    if (!EV) continue; // ImmunePass reports it
    planErrorValue(F, *EV);
    addPlaceholder(F, Rets);
    Changed = true;
    if (Ch.Explicit) {
      F.removeFnAttr(Attribute::AlwaysInline);
      F.addFnAttr(Attribute::NoInline);
    }
  }
  // The oracle build is for localizing a fault (immune-heal observes with
  // it): every function keeps its own frame, so the stack it reports holds
  // every function a vaccine could name, and each one's buffers are its own.
  if (Opts.Oracle)
    for (Function &F : M)
      if (!F.isDeclaration() && !F.hasFnAttribute(Attribute::AlwaysInline) &&
          !F.hasFnAttribute(Attribute::NoInline)) {
        F.addFnAttr(Attribute::NoInline);
        Changed = true;
      }
  if (Opts.ProtectAll)
    for (Function &F : M) {
      if (F.isDeclaration() || WillProtect.lookup(&F)) continue;
      for (Instruction &I : instructions(F))
        if (auto *CB = dyn_cast<CallBase>(&I))
          if (const Function *Callee = CB->getCalledFunction())
            if (WillProtect.lookup(Callee) && !Callee->hasFnAttribute(Attribute::AlwaysInline) &&
                !CB->isNoInline()) {
              CB->addFnAttr(Attribute::NoInline);
              Changed = true;
            }
    }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}
