// The plugin's entry point: how clang (-fpass-plugin=immune.so) and opt
// (-load-pass-plugin=immune.so -passes=immune) find the pass.
//
// Extension points. The transactions are placed after the inliner
// (OptimizerEarly: the module is simplified and inlined, the function
// optimizations that clean up the pass's code are still to come), so a
// function inlined into a protected caller runs inside the caller's
// transaction and costs nothing of its own, and its buffers are relocated
// with the caller's. Before the inliner (PipelineStart), InlineBoundary.h
// keeps the functions chosen by name out of their callers and keeps
// protect-all's unprotected functions from absorbing protected ones. A
// protected function holds a returns_twice call, which no later inliner
// (the LTO link's) inlines into a caller that is not returns_twice itself.
//
// -O0 inlines nothing but always_inline functions, and the pass runs at
// PipelineStart there, as it does everywhere with IMMUNE_AFTER_INLINING=0.
// The (Thin)LTO pre-link pipelines invoke the same callbacks, so -O0..-O3
// and -flto see the pass exactly once per module; a second run (e.g. a
// plugin also given to the LTO link) finds the functions marked
// "immune-protected" and leaves them alone.
#include "Compat.h"
#include "ImmunePass.h"
#include "InlineBoundary.h"
#include "Options.h"
#include "UndoLog.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Transforms/Scalar/GVN.h"

using namespace llvm;

namespace {
// Runs P only on the functions the pass changed (transactions and the undo
// log's clones): the others have been through it already.
template <typename P> struct ChangedOnly : PassInfoMixin<ChangedOnly<P>> {
  PreservedAnalyses run(Function &F, FunctionAnalysisManager &FAM) {
    if (!F.hasFnAttribute("immune-protected") && !F.hasFnAttribute(immune::UndoLog::CloneAttr))
      return PreservedAnalyses::all();
    return P().run(F, FAM);
  }
};
} // namespace

static bool afterInlining(OptimizationLevel Level) {
  return Level != OptimizationLevel::O0 && immune::currentOptions().AfterInlining;
}

static PassPluginLibraryInfo getImmunePluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "immune", LLVM_VERSION_STRING,
          [](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel Level) {
                  if (afterInlining(Level))
                    MPM.addPass(immune::InlineBoundaryPass());
                  else
                    MPM.addPass(immune::ImmunePass());
                });
            PB.registerOptimizerEarlyEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel Level) {
                  if (!afterInlining(Level)) return;
                  MPM.addPass(immune::ImmunePass());
                  // The module optimization pipeline that follows has no GVN
                  // (it ran before the inliner finished): the pass's loads of
                  // the undo log's position would be redone at every store.
                  MPM.addPass(createModuleToFunctionPassAdaptor(ChangedOnly<GVNPass>()));
                });
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name == "immune-inline-boundary") {
                    MPM.addPass(immune::InlineBoundaryPass());
                    return true;
                  }
                  if (Name != "immune") return false;
                  MPM.addPass(immune::ImmunePass());
                  return true;
                });
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return getImmunePluginInfo();
}
