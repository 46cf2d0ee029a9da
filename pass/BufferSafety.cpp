// See BufferSafety.h.
#include "BufferSafety.h"

#include "llvm/IR/DataLayout.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <optional>
#include <utility>

using namespace llvm;

static bool isVaList(const AllocaInst &AI) {
  auto *A = dyn_cast<ArrayType>(AI.getAllocatedType());
  auto *S = A ? dyn_cast<StructType>(A->getElementType()) : nullptr;
  return S && S->hasName() && S->getName().starts_with("struct.__va_list_tag");
}

static bool vaListUsesOnly(const AllocaInst &AI) {
  SmallVector<const Value *, 8> Work{&AI};
  while (!Work.empty()) {
    const Value *V = Work.pop_back_val();
    for (const Use &U : V->uses()) {
      const User *Usr = U.getUser();
      if (auto *GEP = dyn_cast<GEPOperator>(Usr)) {
        if (!GEP->hasAllZeroIndices()) return false;
        Work.push_back(GEP);
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(Usr)) {
        switch (II->getIntrinsicID()) {
        case Intrinsic::vastart:
        case Intrinsic::vaend:
        case Intrinsic::vacopy:
        case Intrinsic::lifetime_start:
        case Intrinsic::lifetime_end:
          continue;
        default:
          return false;
        }
      }
      // Passed to a call (vsnprintf and friends), as an argument only.
      auto *CB = dyn_cast<CallBase>(Usr);
      if (!CB || !CB->isArgOperand(&U)) return false;
    }
  }
  return true;
}

bool immune::accessesStayInside(const AllocaInst &AI) {
  if (!AI.isStaticAlloca()) return false;
  const DataLayout &DL = AI.getModule()->getDataLayout();
  std::optional<TypeSize> Size = AI.getAllocationSize(DL);
  if (!Size || Size->isScalable()) return false;
  if (isVaList(AI)) return vaListUsesOnly(AI);
  int64_t End = (int64_t)Size->getFixedValue();
  unsigned IdxBits = DL.getIndexTypeSizeInBits(AI.getType());
  auto Inside = [End](int64_t Off, uint64_t Len) {
    return Off >= 0 && Len <= (uint64_t)End && Off <= End - (int64_t)Len;
  };
  // (address, its constant offset from AI)
  SmallVector<std::pair<const Value *, int64_t>, 8> Work{{&AI, 0}};
  SmallPtrSet<const Value *, 16> Seen;
  while (!Work.empty()) {
    auto [V, Off] = Work.pop_back_val();
    if (!Seen.insert(V).second) return false; // reached twice: not a tree of GEPs
    for (const Use &U : V->uses()) {
      const User *Usr = U.getUser();
      if (auto *GEP = dyn_cast<GEPOperator>(Usr)) {
        APInt Delta(IdxBits, 0);
        if (!GEP->accumulateConstantOffset(DL, Delta) || !Delta.isSignedIntN(48)) return false;
        Work.push_back({GEP, Off + Delta.getSExtValue()});
        continue;
      }
      if (isa<BitCastOperator>(Usr) || isa<AddrSpaceCastOperator>(Usr)) {
        Work.push_back({Usr, Off});
        continue;
      }
      if (auto *LI = dyn_cast<LoadInst>(Usr)) {
        if (!Inside(Off, DL.getTypeStoreSize(LI->getType()).getFixedValue())) return false;
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(Usr)) {
        if (U.getOperandNo() != SI->getPointerOperandIndex()) return false; // the address escapes
        TypeSize TS = DL.getTypeStoreSize(SI->getValueOperand()->getType());
        if (TS.isScalable() || !Inside(Off, TS.getFixedValue())) return false;
        continue;
      }
      if (isa<ICmpInst>(Usr)) continue;
      if (auto *MI = dyn_cast<MemIntrinsic>(Usr)) {
        auto *Len = dyn_cast<ConstantInt>(MI->getLength());
        if (!Len || MI->isVolatile() || !Inside(Off, Len->getZExtValue())) return false;
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(Usr)) {
        if (II->isLifetimeStartOrEnd() || II->isAssumeLikeIntrinsic()) continue;
        return false;
      }
      if (auto *CB = dyn_cast<CallBase>(Usr)) {
        if (!CB->isArgOperand(&U)) return false;
        unsigned ArgNo = CB->getArgOperandNo(&U);
        if (!CB->doesNotCapture(ArgNo) || !(CB->onlyReadsMemory(ArgNo) || CB->onlyReadsMemory()))
          return false;
        continue;
      }
      return false;
    }
  }
  return true;
}
