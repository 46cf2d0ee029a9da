// See RuntimeInterface.h.
#include "RuntimeInterface.h"

#include "immune/abi.h"

#include "llvm/IR/Attributes.h"
#include "llvm/IR/Constants.h"
#include "llvm/Support/ErrorHandling.h"

#include <cstddef>
#include <type_traits>

using namespace llvm;
using namespace immune;

// struct __immune_tx and struct __immune_thread are generated from abi.h's
// field tables (one 8-byte word per field: a pointer or an i64); these
// asserts tie the remaining hand-built layouts to the C the runtime reads.
static_assert(sizeof(__immune_tx) == IMMUNE_TX_SIZE, "abi.h: tx fields are one word each");
static_assert(sizeof(__immune_thread) == 8 * IMMUNE_THREAD_NUM_FIELDS,
              "abi.h: thread fields are one word each");
static_assert(offsetof(__immune_buffer, line) == 24 && sizeof(__immune_buffer) == 32,
              "abi.h: struct __immune_buffer layout");
// struct __immune_site pairs its 32-bit fields, so the IR struct built
// from the table has no padding the C struct lacks.
static_assert(offsetof(__immune_site, function) == 8 &&
                  offsetof(__immune_site, ret_value) == 8 * (IMMUNE_SITE_FIELD_RET_VALUE - 2),
              "abi.h: site fields are words, 32-bit ones in pairs");

// The IR type of one table field: a pointer, an i64 or (site only) an i32.
template <typename T> static Type *wordType(LLVMContext &C) {
  if constexpr (std::is_pointer_v<T>)
    return PointerType::getUnqual(C);
  else if constexpr (sizeof(T) == 4)
    return Type::getInt32Ty(C);
  else
    return Type::getInt64Ty(C);
}

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
  if (!TxTy) {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) wordType<TYPE>(C),
    TxTy = StructType::create(C, {IMMUNE_TX_FIELDS(IMMUNE_X_FIELD)}, "struct.__immune_tx");
#undef IMMUNE_X_FIELD
  }
  SiteTy = StructType::getTypeByName(C, "struct.__immune_site");
  if (!SiteTy) {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) wordType<TYPE>(C),
    SiteTy = StructType::create(C, {IMMUNE_SITE_FIELDS(IMMUNE_X_FIELD)}, "struct.__immune_site");
#undef IMMUNE_X_FIELD
  }
  ThreadTy = StructType::getTypeByName(C, "struct.__immune_thread");
  if (!ThreadTy) {
#define IMMUNE_X_FIELD(ID, TYPE, NAME) wordType<TYPE>(C),
    ThreadTy = StructType::create(C, {IMMUNE_THREAD_FIELDS(IMMUNE_X_FIELD)},
                                  "struct.__immune_thread");
#undef IMMUNE_X_FIELD
  }
  // Align(8): what any runtime guarantees (it aligns the block to a cache
  // line, tx_stack.c); the code generator may rely on what is stated here.
  Thread = runtimeTLS(M, IMMUNE_SYM_THREAD, ThreadTy, Align(8));

  // The entry's cold path: maps the thread's transaction stack, handles a
  // full one and fault injection (abi.h). cold: the block calling it is
  // laid out away from the fast path.
  AttributeList SA = AttributeList()
                         .addFnAttribute(C, Attribute::NoUnwind)
                         .addFnAttribute(C, Attribute::Cold);
  TxEnterSlow = M.getOrInsertFunction(IMMUNE_SYM_TX_ENTER_SLOW, SA, Ptr, Ptr);
  AttributeList RA = AttributeList().addFnAttribute(C, Attribute::NoUnwind);
  RegisterSites =
      M.getOrInsertFunction(IMMUNE_SYM_REGISTER, RA, Type::getVoidTy(C), Ptr, I64);
  UnregisterSites =
      M.getOrInsertFunction(IMMUNE_SYM_UNREGISTER, RA, Type::getVoidTy(C), Ptr, I64);

  BufferTy = StructType::getTypeByName(C, "struct.__immune_buffer");
  if (!BufferTy)
    BufferTy = StructType::create(C, {Ptr, Ptr, Ptr, I32, I32}, "struct.__immune_buffer");
  SlotTop = threadField(IMMUNE_THREAD_FIELD_SLOT_TOP);
  SlotAlloc = M.getOrInsertFunction(IMMUNE_SYM_SLOT_ALLOC, RA, Ptr, I64, I64, Ptr);
  // A broken canary aborts the transaction by resuming its checkpoint: to
  // the caller that is the checkpoint's second return, not an unwind.
  SlotRelease = M.getOrInsertFunction(IMMUNE_SYM_SLOT_RELEASE, RA,
                                      Type::getVoidTy(C), I64);

  RollbackPending = threadField(IMMUNE_THREAD_FIELD_ROLLBACK_PENDING);
  TxCommit = M.getOrInsertFunction(IMMUNE_SYM_TX_COMMIT, RA, Type::getVoidTy(C), Ptr);
  WatchdogFlag = threadField(IMMUNE_THREAD_FIELD_WATCHDOG_FLAG);
  WatchdogArm = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_ARM, RA, Type::getVoidTy(C), Ptr);
  WatchdogDisarm = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_DISARM, RA, Type::getVoidTy(C), Ptr);
  WatchdogPoll = M.getOrInsertFunction(IMMUNE_SYM_WATCHDOG_POLL, RA, Type::getVoidTy(C));
  // preserve_most as well: the commit call sits on every exit path (taken
  // rarely), and with the C convention the function's live values would
  // move to callee-saved registers for it, costing pushes on every call.
  if (auto *CF = dyn_cast<Function>(TxCommit.getCallee()))
    CF->setCallingConv(CallingConv::PreserveMost);
  TxRollback = M.getOrInsertFunction(IMMUNE_SYM_TX_ROLLBACK, RA, Ptr);

  UndoCur = threadField(IMMUNE_THREAD_FIELD_UNDO_CUR);
  UndoEnd = threadField(IMMUNE_THREAD_FIELD_UNDO_END);
  UndoWord = M.getOrInsertFunction(IMMUNE_SYM_UNDO_WORD, RA, Type::getVoidTy(C), Ptr, I64, I64);
  UndoRange = M.getOrInsertFunction(IMMUNE_SYM_UNDO_RANGE, RA, Type::getVoidTy(C), Ptr, I64);
}

Constant *RuntimeInterface::threadField(unsigned Field) const {
  Type *I32 = Type::getInt32Ty(Thread->getContext());
  Constant *Idx[] = {ConstantInt::get(I32, 0), ConstantInt::get(I32, Field)};
  return ConstantExpr::getInBoundsGetElementPtr(ThreadTy, Thread, Idx);
}
