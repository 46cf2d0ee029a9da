// DYBOC for the pass: every stack allocation of a function that can
// overflow — arrays, structs or unions holding arrays, VLAs, alloca() — is
// served from the runtime's guard-paged slot pool instead (runtime/
// guard_pool.c), so the first byte written past its end faults on a guard
// page rather than smashing the frame.
//
// In a protected function this happens inside the transaction: the slot
// mark is read before the checkpoint (the runtime restores it on abort), the
// slots are taken after it, and every exit releases back to the mark before
// committing. In oracle mode (-immune-oracle) the same is done in every
// function, without transactions, so an overflow anywhere stops at its first
// bad byte with a report naming the buffer.
#ifndef IMMUNE_PASS_BUFFERRELOCATION_H
#define IMMUNE_PASS_BUFFERRELOCATION_H

#include "RuntimeInterface.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"

#include <string>
#include <vector>

namespace immune {

class BufferRelocation {
public:
  // Finds the allocations of F to relocate (before anything else changes F);
  // none when !Enabled (DYBOC off).
  BufferRelocation(llvm::Function &F, RuntimeInterface &RT, bool Enabled = true);
  bool empty() const { return Allocas.empty(); }


  // The slot mark, read at B's position (before any slot is taken).
  llvm::Value *emitMark(llvm::IRBuilder<> &B);
  // Replaces the allocations; static ones get their slots at the start of
  // At, dynamic ones where they were.
  void relocate(llvm::BasicBlock *At, llvm::DebugLoc Loc);
  // Releases every slot taken since Mark (call before each exit).
  void emitRelease(llvm::IRBuilder<> &B, llvm::Value *Mark);

  // Source names of the relocated buffers, for the manifest.
  const std::vector<std::string> &names() const { return Names; }

  // Oracle mode: relocation without a transaction.
  static bool relocateWithoutTransaction(llvm::Function &F, RuntimeInterface &RT);

private:
  llvm::GlobalVariable *descriptor(llvm::AllocaInst *AI, bool Dynamic);
  void relocateStatic(llvm::AllocaInst *AI, llvm::IRBuilder<> &B);
  void relocateDynamic(llvm::AllocaInst *AI);
  void releaseAtStackRestores();

  llvm::Function &F;
  RuntimeInterface &RT;
  std::vector<llvm::AllocaInst *> Allocas;
  std::vector<std::string> Names;
  bool HasDynamic = false;
};

} // namespace immune

#endif
