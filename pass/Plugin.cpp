// The plugin's entry point: how clang (-fpass-plugin=immune.so) and opt
// (-load-pass-plugin=immune.so -passes=immune) find the pass.
//
// Extension point: PipelineStart, i.e. before any inlining. A protected
// function then holds a returns_twice call, which the inliner refuses to
// inline, so no optimization level can dissolve a transaction into its
// caller. The O0 pipeline and the (Thin)LTO pre-link pipelines invoke the
// same callback, so -O0..-O3 and -flto all see the pass exactly once per
// module; a second run (e.g. a plugin also given to the LTO link) finds the
// functions marked "immune-protected" and leaves them alone.
#include "Compat.h"
#include "ImmunePass.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

static PassPluginLibraryInfo getImmunePluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "immune", LLVM_VERSION_STRING,
          [](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(immune::ImmunePass());
                });
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "immune") return false;
                  MPM.addPass(immune::ImmunePass());
                  return true;
                });
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return getImmunePluginInfo();
}
