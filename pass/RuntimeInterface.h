// The IR-side view of include/immune/abi.h: the struct types, the TLS
// transaction-stack pointer and the runtime functions instrumented code
// refers to. Built once per module; every name comes from abi.h.
#ifndef IMMUNE_PASS_RUNTIMEINTERFACE_H
#define IMMUNE_PASS_RUNTIMEINTERFACE_H

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

namespace immune {

struct RuntimeInterface {
  explicit RuntimeInterface(llvm::Module &M);

  llvm::StructType *TxTy;   // struct __immune_tx
  llvm::StructType *SiteTy; // struct __immune_site
  llvm::GlobalVariable *TxTop;      // __immune_tx_top (thread_local)
  llvm::FunctionCallee Checkpoint;  // __immune_checkpoint (returns_twice)
  llvm::FunctionCallee RegisterSites; // __immune_register_sites_v2
  llvm::FunctionCallee UnregisterSites; // __immune_unregister_sites_v2

  // DYBOC (BufferRelocation.cpp).
  llvm::StructType *BufferTy;          // struct __immune_buffer
  llvm::GlobalVariable *SlotTop;       // __immune_slot_top (thread_local)
  llvm::FunctionCallee SlotAlloc;      // __immune_slot_alloc
  llvm::FunctionCallee SlotRelease;    // __immune_slot_release

  // Rollback (runtime/rollback.c).
  llvm::GlobalVariable *RollbackPending; // __immune_rollback_pending (TLS)
  llvm::FunctionCallee TxCommit;         // __immune_tx_commit
  llvm::FunctionCallee TxRollback;       // __immune_tx_rollback

  // Watchdog (runtime/watchdog.c).
  llvm::GlobalVariable *WatchdogFlag;    // __immune_watchdog_flag (TLS)
  llvm::FunctionCallee WatchdogArm, WatchdogDisarm, WatchdogPoll;
  llvm::GlobalVariable *UndoCur, *UndoEnd; // memory undo log (thread_local)
  llvm::FunctionCallee UndoWord, UndoRange; // its slow path and ranges
};

} // namespace immune

#endif
