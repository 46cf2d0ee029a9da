// See SiteTable.h.
#include "SiteTable.h"

#include "immune/abi.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;
using namespace immune;

Constant *SiteTable::str(StringRef S) {
  Constant *Init = ConstantDataArray::getString(M.getContext(), S);
  auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, Init,
                                IMMUNE_PREFIX "str");
  GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  GV->setAlignment(Align(1));
  return GV;
}

GlobalVariable *SiteTable::add(Function &F, const ErrorValue &EV,
                               StringRef File, bool HasSlots, uint64_t TimeoutMs,
                               bool Undo, bool GuardHeap) {
  LLVMContext &C = M.getContext();
  uint32_t Flags = 0;
  if (F.getReturnType()->isVoidTy() && !EV.ZeroSret) Flags |= IMMUNE_SITE_VOID;
  if (EV.ZeroSret) Flags |= IMMUNE_SITE_SRET;
  if (HasSlots) Flags |= IMMUNE_SITE_SLOTS;
  if (Undo) Flags |= IMMUNE_SITE_UNDO;
  if (GuardHeap) Flags |= IMMUNE_SITE_GUARD_HEAP;
  Type *I32 = Type::getInt32Ty(C), *I64 = Type::getInt64Ty(C);
  // What a live vaccine's return:V may be (runtime/vaccine.c checks it).
  Type *RetTy = F.getReturnType();
  uint32_t RetKind = IMMUNE_RET_OTHER, RetBits = 0;
  if (RetTy->isVoidTy() || RetTy->isAggregateType() || EV.ZeroSret || EV.Aggregate)
    RetKind = IMMUNE_RET_NONE;
  else if (RetTy->isIntegerTy())
    RetKind = IMMUNE_RET_INT, RetBits = RetTy->getIntegerBitWidth();
  else if (RetTy->isPointerTy())
    RetKind = IMMUNE_RET_PTR, RetBits = 64;
  else if (RetTy->isFloatTy())
    RetKind = IMMUNE_RET_FLOAT, RetBits = 32;
  else if (RetTy->isDoubleTy())
    RetKind = IMMUNE_RET_DOUBLE, RetBits = 64;
  if (RetKind == IMMUNE_RET_INT && RetBits > 64) RetKind = IMMUNE_RET_OTHER;
  Constant *Fields[] = {
      ConstantInt::get(I32, IMMUNE_ABI_VERSION),
      ConstantInt::get(I32, Flags),
      str(demangle(F.getName().str())),
      str(F.getName()),
      str(File),
      str(EV.Text),
      ConstantInt::get(I64, 0), // aborts
      ConstantInt::get(I64, 0), // window_start_ms
      ConstantInt::get(I64, 0), // window_count
      ConstantPointerNull::get(PointerType::getUnqual(C)),
      ConstantInt::get(I64, TimeoutMs),
      ConstantInt::get(I32, RetKind),
      ConstantInt::get(I32, RetBits),
      ConstantInt::get(I64, 0), // ret_value
      ConstantPointerNull::get(PointerType::getUnqual(C)), // ret_text
  };
  static_assert(IMMUNE_SITE_NUM_FIELDS == 15, "abi.h: site fields changed: update this list");
  // Writable and internal: the runtime counts aborts and links the registry
  // through it; one per function, even for linkonce functions (each copy
  // registers its own, the runtime sums them by name).
  auto *GV = new GlobalVariable(M, RT.SiteTy, /*isConstant=*/false,
                                GlobalValue::InternalLinkage,
                                ConstantStruct::get(RT.SiteTy, Fields),
                                IMMUNE_PREFIX "site." + F.getName());
  GV->setAlignment(Align(8));
  Sites.push_back(GV);
  return GV;
}

void SiteTable::finish() {
  if (Sites.empty()) return;
  LLVMContext &C = M.getContext();
  auto *ArrTy = ArrayType::get(PointerType::getUnqual(C), Sites.size());
  auto *Table = new GlobalVariable(M, ArrTy, /*isConstant=*/true,
                                   GlobalValue::PrivateLinkage,
                                   ConstantArray::get(ArrTy, Sites),
                                   IMMUNE_PREFIX "sites");
  // A function `Name() { Callee(table, count); }`.
  auto Hook = [&](const char *Name, FunctionCallee Callee) {
    auto *F = Function::Create(FunctionType::get(Type::getVoidTy(C), false),
                               GlobalValue::InternalLinkage, Name, M);
    F->addFnAttr(Attribute::NoUnwind);
    IRBuilder<> B(BasicBlock::Create(C, "", F));
    B.CreateCall(Callee, {Table, B.getInt64(Sites.size())});
    B.CreateRetVoid();
    return F;
  };
  appendToGlobalCtors(M, Hook(IMMUNE_PREFIX "module_ctor", RT.RegisterSites),
                      IMMUNE_CTOR_PRIORITY);
  // A module that is dlclose()d must leave the registry before it is
  // unmapped: the runtime walks the sites at exit (stats) and on request.
  appendToGlobalDtors(M, Hook(IMMUNE_PREFIX "module_dtor", RT.UnregisterSites),
                      IMMUNE_CTOR_PRIORITY);
  Sites.clear();
}
