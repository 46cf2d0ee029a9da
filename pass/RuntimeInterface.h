// The IR-side view of include/immune/abi.h: the struct types (generated
// from its field tables), the thread's TLS block and the runtime functions
// instrumented code refers to. Built once per module; every name comes from abi.h.
#ifndef IMMUNE_PASS_RUNTIMEINTERFACE_H
#define IMMUNE_PASS_RUNTIMEINTERFACE_H

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

namespace immune {

struct RuntimeInterface {
  explicit RuntimeInterface(llvm::Module &M);

  llvm::StructType *TxTy;     // struct __immune_tx (a transaction-stack record)
  llvm::StructType *SiteTy;   // struct __immune_site
  llvm::StructType *ThreadTy; // struct __immune_thread (the TLS block)
  llvm::GlobalVariable *Thread; // __immune_thread (thread_local)
  // The address of one field of the TLS block (IMMUNE_THREAD_FIELD_*).
  llvm::Constant *threadField(unsigned Field) const;
  llvm::FunctionCallee TxEnterSlow;   // __immune_tx_enter_slow (cold)
  llvm::FunctionCallee RegisterSites; // __immune_register_sites_v4
  llvm::FunctionCallee UnregisterSites; // __immune_unregister_sites_v4

  // DYBOC (BufferRelocation.cpp).
  llvm::StructType *BufferTy;          // struct __immune_buffer
  llvm::Constant *SlotTop;             // thread.slot_top
  llvm::FunctionCallee SlotAlloc;      // __immune_slot_alloc
  llvm::FunctionCallee SlotRelease;    // __immune_slot_release

  // Rollback (runtime/rollback.c).
  llvm::Constant *RollbackPending;       // thread.rollback_pending
  llvm::FunctionCallee TxCommit;         // __immune_tx_commit
  llvm::FunctionCallee TxRollback;       // __immune_tx_rollback

  // Watchdog (runtime/watchdog.c).
  llvm::Constant *WatchdogFlag;          // thread.watchdog_flag
  llvm::FunctionCallee WatchdogArm, WatchdogDisarm, WatchdogPoll;
  llvm::Constant *UndoCur, *UndoEnd; // thread.undo_cur, thread.undo_end
  llvm::FunctionCallee UndoWord, UndoRange; // its slow path and ranges
};

} // namespace immune

#endif
