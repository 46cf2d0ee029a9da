// See RuntimeInterface.h.
#include "RuntimeInterface.h"

#include "immune/abi.h"

#include "llvm/IR/Attributes.h"
#include "llvm/Support/ErrorHandling.h"

#include <cstddef>

using namespace llvm;
using namespace immune;

// The IR structs below mirror abi.h field by field; these asserts tie the
// field indices the pass uses to the C layout the runtime reads.
static_assert(offsetof(__immune_tx, ctx) == 0, "abi.h: tx.ctx");
static_assert(offsetof(__immune_tx, prev) == 8 * IMMUNE_CTX_WORDS, "abi.h: tx.prev");
static_assert(offsetof(__immune_tx, site) == offsetof(__immune_tx, prev) + 8, "abi.h: tx.site");
static_assert(offsetof(__immune_tx, aux) == offsetof(__immune_tx, site) + 8, "abi.h: tx.aux");
static_assert(offsetof(__immune_site, next) == 8 * (IMMUNE_SITE_FIELD_NEXT - 1),
              "abi.h: site fields are 8 bytes each after the two u32");
static_assert(offsetof(__immune_tx, slot_mark) == offsetof(__immune_tx, aux) + 8, "abi.h: tx.slot_mark");
static_assert(offsetof(__immune_tx, undo_mark) == offsetof(__immune_tx, slot_mark) + 8 &&
                  IMMUNE_TX_FIELD_UNDO_MARK == 5,
              "abi.h: tx.undo_mark");
static_assert(offsetof(__immune_buffer, line) == 24 && sizeof(__immune_buffer) == 32,
              "abi.h: struct __immune_buffer layout");
static_assert(offsetof(__immune_site, timeout_ms) == 8 * (IMMUNE_SITE_FIELD_TIMEOUT - 1),
              "abi.h: site.timeout_ms");
static_assert(IMMUNE_TX_FIELD_SLOT_MARK == 4 && IMMUNE_SITE_FIELD_NEXT == 9,
              "abi.h field indices changed: update RuntimeInterface.cpp");

// A thread-local variable the runtime defines: initial-exec, because the
// runtime reads it in its signal handler (see runtime/internal.h).
static GlobalVariable *runtimeTLS(Module &M, StringRef Name, Type *Ty, Align A) {
  GlobalVariable *GV = M.getNamedGlobal(Name);
  if (!GV)
    GV = new GlobalVariable(M, Ty, /*isConstant=*/false, GlobalValue::ExternalLinkage,
                            nullptr, Name, nullptr, GlobalValue::InitialExecTLSModel);
  GV->setAlignment(A);
  return GV;
}

RuntimeInterface::RuntimeInterface(Module &M) {
  LLVMContext &C = M.getContext();
  Type *I32 = Type::getInt32Ty(C), *I64 = Type::getInt64Ty(C);
  PointerType *Ptr = PointerType::getUnqual(C);

  TxTy = StructType::getTypeByName(C, "struct.__immune_tx");
  if (!TxTy)
    TxTy = StructType::create(
        C, {ArrayType::get(I64, IMMUNE_CTX_WORDS), Ptr, Ptr, Ptr, I64, Ptr},
        "struct.__immune_tx");
  SiteTy = StructType::getTypeByName(C, "struct.__immune_site");
  if (!SiteTy)
    SiteTy = StructType::create(C, {I32, I32, Ptr, Ptr, Ptr, Ptr, I64, I64, I64, Ptr, I64},
                                "struct.__immune_site");

  TxTop = runtimeTLS(M, IMMUNE_SYM_TX_TOP, Ptr, Align(8));

  // returns_twice: the runtime resumes an aborted transaction by returning
  // from this call a second time, so the optimizer must treat it like setjmp.
  // nounwind: it never throws, so calls to it need no landing pad.
  // nonlazybind: called through the GOT, never a lazy-binding PLT stub,
  // whose resolver is free to clobber registers preserve_most promises.
  AttributeList CA = AttributeList()
                         .addFnAttribute(C, Attribute::ReturnsTwice)
                         .addFnAttribute(C, Attribute::NoUnwind)
                         .addFnAttribute(C, Attribute::NonLazyBind);
  Checkpoint = M.getOrInsertFunction(IMMUNE_SYM_CHECKPOINT, CA, I32, Ptr);
  // preserve_most: the checkpoint (assembly) writes nothing but rax, so the
  // protected function may keep its arguments and temporaries in
  // caller-saved registers across it instead of moving them to callee-saved
  // ones (pushes and pops in its prologue and epilogue). The checkpoint saves
  // those registers too and every resume restores them (abi.h: tx.ctx), so
  // the abort path may use them like any second return.
  if (auto *CF = dyn_cast<Function>(Checkpoint.getCallee()))
    CF->setCallingConv(CallingConv::PreserveMost);
  AttributeList RA = AttributeList().addFnAttribute(C, Attribute::NoUnwind);
  RegisterSites =
      M.getOrInsertFunction(IMMUNE_SYM_REGISTER, RA, Type::getVoidTy(C), Ptr, I64);
  UnregisterSites =
      M.getOrInsertFunction(IMMUNE_SYM_UNREGISTER, RA, Type::getVoidTy(C), Ptr, I64);

  BufferTy = StructType::getTypeByName(C, "struct.__immune_buffer");
  if (!BufferTy)
    BufferTy = StructType::create(C, {Ptr, Ptr, Ptr, I32, I32}, "struct.__immune_buffer");
  SlotTop = runtimeTLS(M, IMMUNE_SYM_SLOT_TOP, I64, Align(8));
  SlotAlloc = M.getOrInsertFunction(IMMUNE_SYM_SLOT_ALLOC, RA, Ptr, I64, I64, Ptr);
  // A broken canary aborts the transaction by resuming its checkpoint: to
  // the caller that is the checkpoint's second return, not an unwind.
  SlotRelease = M.getOrInsertFunction(IMMUNE_SYM_SLOT_RELEASE, RA,
                                      Type::getVoidTy(C), I64);

  RollbackPending = runtimeTLS(M, IMMUNE_SYM_ROLLBACK_PENDING, I64, Align(8));
  TxCommit = M.getOrInsertFunction(IMMUNE_SYM_TX_COMMIT, RA, Type::getVoidTy(C), Ptr);
  WatchdogFlag = runtimeTLS(M, IMMUNE_SYM_WATCHDOG_FLAG, I32, Align(4));
  WatchdogArm = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_ARM, RA, Type::getVoidTy(C), Ptr);
  WatchdogDisarm = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_DISARM, RA, Type::getVoidTy(C), Ptr);
  WatchdogPoll = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_POLL, RA, Type::getVoidTy(C));
  // preserve_most as well: the commit call sits on every exit path (taken
  // rarely), and with the C convention the function's live values would
  // move to callee-saved registers for it, costing pushes on every call.
  if (auto *CF = dyn_cast<Function>(TxCommit.getCallee()))
    CF->setCallingConv(CallingConv::PreserveMost);
  TxRollback = M.getOrInsertFunction(IMMUNE_SYM_TX_ROLLBACK, RA, Type::getVoidTy(C), Ptr);

  UndoCur = runtimeTLS(M, IMMUNE_SYM_UNDO_CUR, Ptr, Align(8));
  UndoEnd = runtimeTLS(M, IMMUNE_SYM_UNDO_END, Ptr, Align(8));
  UndoWord = M.getOrInsertFunction(IMMUNE_SYM_UNDO_WORD, RA, Type::getVoidTy(C), Ptr, I64, I64);
  UndoRange = M.getOrInsertFunction(IMMUNE_SYM_UNDO_RANGE, RA, Type::getVoidTy(C), Ptr, I64);
}
