// See ReturnFacts.h. Reads the IR clang produces, before optimization (the
// pass runs at the pipeline start): a function with several returns stores
// each returned value into a `retval` slot and loads it at one `ret`; a
// caller at -O0 keeps the result in a local before testing it.
#include "ReturnFacts.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;
using namespace immune;

static void noteConstant(Value *V, ReturnFacts &RF) {
  V = V->stripPointerCasts();
  if (auto *C = dyn_cast<ConstantInt>(V)) {
    if (C->getBitWidth() <= 64) ++RF.Returned[C->getSExtValue()];
  } else if (isa<ConstantPointerNull>(V)) {
    ++RF.NullReturns;
  }
}

// The comparisons a value (a call's result) flows into, directly, through a
// cast, or through a local variable.
static void noteTests(const Value *V, ReturnFacts &RF, unsigned Depth = 0) {
  if (Depth > 4) return;
  for (const User *U : V->users()) {
    if (auto *Cmp = dyn_cast<ICmpInst>(U)) {
      const Value *Other = Cmp->getOperand(0) == V ? Cmp->getOperand(1) : Cmp->getOperand(0);
      if (auto *C = dyn_cast<ConstantInt>(Other)) {
        if (C->getBitWidth() <= 64) ++RF.TestedByCallers[C->getSExtValue()];
      } else if (isa<ConstantPointerNull>(Other)) {
        ++RF.CallersTestNull;
      }
    } else if (auto *Sw = dyn_cast<SwitchInst>(U)) {
      for (auto &Case : Sw->cases()) ++RF.TestedByCallers[Case.getCaseValue()->getSExtValue()];
    } else if (auto *BO = dyn_cast<BinaryOperator>(U)) {
      if (BO->getOpcode() == Instruction::And) ++RF.CallersAnd;
    } else if (isa<CastInst>(U)) {
      noteTests(U, RF, Depth + 1);
    } else if (auto *St = dyn_cast<StoreInst>(U)) {
      if (St->getValueOperand() != V) continue;
      if (auto *A = dyn_cast<AllocaInst>(St->getPointerOperand()))
        for (const User *AU : A->users())
          if (auto *L = dyn_cast<LoadInst>(AU)) noteTests(L, RF, Depth + 1);
    }
  }
}

ReturnFacts ReturnFacts::of(const Function &F) {
  ReturnFacts RF;
  if (F.getReturnType()->isVoidTy() || F.isDeclaration()) return RF;
  for (const BasicBlock &BB : F) {
    auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator());
    if (!Ret || !Ret->getReturnValue()) continue;
    Value *RV = Ret->getReturnValue();
    if (auto *L = dyn_cast<LoadInst>(RV)) {
      // `ret (load %retval)`: every constant stored into %retval.
      if (auto *Slot = dyn_cast<AllocaInst>(L->getPointerOperand())) {
        for (User *U : Slot->users())
          if (auto *St = dyn_cast<StoreInst>(U))
            if (St->getPointerOperand() == Slot) noteConstant(St->getValueOperand(), RF);
        continue;
      }
    }
    if (auto *Phi = dyn_cast<PHINode>(RV)) {
      for (Value *In : Phi->incoming_values()) noteConstant(In, RF);
      continue;
    }
    noteConstant(RV, RF);
  }
  for (const User *U : F.users())
    if (auto *CB = dyn_cast<CallBase>(U))
      if (CB->getCalledOperand() == &F) noteTests(CB, RF);
  return RF;
}

std::string ReturnFacts::describe(int64_t V) const {
  std::string S;
  auto R = Returned.find(V);
  unsigned Paths = R == Returned.end() ? 0 : R->second;
  S = "returns " + std::to_string(V) + " on " + std::to_string(Paths) +
      (Paths == 1 ? " path" : " paths");
  auto T = TestedByCallers.find(V);
  if (T != TestedByCallers.end())
    S += "; callers test " + std::to_string(V) + " at " + std::to_string(T->second) +
         (T->second == 1 ? " site" : " sites");
  return S;
}
