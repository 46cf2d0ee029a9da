// See ImmunePass.h.
#include "ImmunePass.h"

#include "Elision.h"
#include "InlineBoundary.h"
#include "Compat.h"
#include "ErrorValue.h"
#include "BufferRelocation.h"
#include "Manifest.h"
#include "Options.h"
#include "Policy.h"
#include "RuntimeInterface.h"
#include "Selection.h"
#include "SiteTable.h"
#include "Transaction.h"
#include "UndoLog.h"

#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Module.h"

#include "immune/abi.h"

#include <memory>
#include <optional>

using namespace llvm;
using namespace immune;

namespace {

// A module-level error (a bad policy file): clang prints it as
// "error: <message>" and fails the compilation.
class ModuleError : public DiagnosticInfo {
  const std::string &Msg;

public:
  static int kind() {
    static int K = getNextAvailablePluginDiagnosticKind();
    return K;
  }
  explicit ModuleError(const std::string &M)
      : DiagnosticInfo(kind(), DS_Error), Msg(M) {}
  void print(DiagnosticPrinter &DP) const override { DP << "immune: " << Msg; }
};

// A function as its source spells it: the demangled name of a C++ symbol.
std::string shownName(const Function &F) { return demangle(F.getName().str()); }

void warnAt(Function &F, const Twine &Msg, DiagnosticSeverity Sev = DS_Warning) {
  F.getContext().diagnose(DiagnosticInfoUnsupported(
      F, Msg, DiagnosticLocation(F.getSubprogram()), Sev));
}

} // namespace

PreservedAnalyses ImmunePass::run(Module &M, ModuleAnalysisManager &) {
  PassOptions Opts = currentOptions();
  if (!Opts.Error.empty()) M.getContext().diagnose(ModuleError(Opts.Error));
  // After the inliner: the error values chosen before it, then the
  // placeholders of the abort paths out of the way (InlineBoundary.h).
  DenseMap<const Function *, ErrorValue> Planned;
  for (Function &F : M)
    if (std::optional<ErrorValue> EV = plannedErrorValue(F)) Planned[&F] = std::move(*EV);
  bool HadPlaceholders = resolvePlaceholders(M);
  std::unique_ptr<Policy> Pol;
  if (!Opts.PolicyPath.empty()) {
    std::string Err;
    Pol = Policy::load(Opts.PolicyPath, Err);
    if (!Pol) {
      M.getContext().diagnose(ModuleError(Err));
      return HadPlaceholders ? PreservedAnalyses::none() : PreservedAnalyses::all();
    }
  }

  Selector Sel(M, Opts, Pol.get());
  std::optional<RuntimeInterface> RT;
  std::optional<SiteTable> Sites;
  // Observed before the inliner when the transactions come after it.
  std::unique_ptr<Manifest> ManP = Manifest::take(M);
  if (!ManP) {
    ManP = std::make_unique<Manifest>();
    if (!Opts.ManifestDir.empty()) ManP->observe(M);
  }
  Manifest &Man = *ManP;
  bool Changed = HadPlaceholders;

  // First decide (on the functions as they came), then transform: the undo
  // log adds clones to the module and must know every transaction first.
  struct Chosen {
    Function *F;
    Choice Ch;
    ErrorValue EV;
  };
  std::vector<Chosen> Todo;
  for (Function &F : M) {
    Choice Ch = Sel.choose(F);
    if (!Ch.Protect) continue;
    OptimizationRemarkEmitter ORE(&F);

    std::string Unsupported = Selector::unsupportedReason(F);
    if (!Unsupported.empty()) {
      std::string Msg = "immune: cannot protect '" + shownName(F) +
                        "' (" + Ch.Reason + "): " + Unsupported;
      if (Ch.Explicit) warnAt(F, Msg);
      ORE.emit([&] {
        return OptimizationRemarkMissed("immune", "NotProtected", &F) << Msg;
      });
      Man.notProtected(F, Unsupported);
      continue;
    }

    std::string Err;
    std::optional<ErrorValue> EV;
    if (auto It = Planned.find(&F); It != Planned.end()) EV = It->second;
    else EV = chooseErrorValue(F, Ch.ReturnArg, Ch.ReturnText, Ch.ReturnWhy, Err);
    if (!EV) {
      // A value the user stated that does not fit the type is their error:
      // the build fails, naming the function and where the value came from,
      // instead of leaving the function silently unprotected.
      warnAt(F, "immune: cannot protect '" + shownName(F) + "' (" + Ch.Reason + "): " + Err,
             Ch.ReturnText || Ch.ReturnArg ? DS_Error : DS_Warning);
      Man.notProtected(F, Err);
      continue;
    }

    Todo.push_back({&F, std::move(Ch), std::move(*EV)});
  }

  // Protect-all: leaves that need no transaction of their own run inside
  // their callers' (Elision.h). Their callers are never elided themselves
  // (a leaf calls nothing), so one pass over the set decides.
  if (Opts.Elide) {
    SmallPtrSet<const Function *, 32> Protected;
    for (Chosen &T : Todo) Protected.insert(T.F);
    llvm::erase_if(Todo, [&](Chosen &T) {
      Function &F = *T.F;
      if (T.Ch.Explicit || T.Ch.TimeoutMs || !elisionBlocker(F, Opts.Undo).empty() ||
          !onlyCalledFrom(F, Protected))
        return false;
      OptimizationRemarkEmitter ORE(&F);
      ORE.emit([&] {
        return OptimizationRemark("immune", "Elided", &F)
               << "'" << ore::NV("Function", shownName(F))
               << "' runs inside its callers' transactions (protect-all: a leaf without "
                  "buffers whose stores the undo log undoes with its caller's; a fault in "
                  "it aborts the caller's transaction; IMMUNE_ELIDE=0 gives it its own)";
      });
      Man.notProtected(F, "runs inside its callers' transactions (protect-all leaf)");
      return true;
    });
  }

  if (!Todo.empty()) {
    RT.emplace(M);
    Sites.emplace(M, *RT);
  }
  if (Opts.Undo && !Todo.empty()) {
    SmallPtrSet<Function *, 32> Protected;
    for (Chosen &T : Todo) Protected.insert(T.F);
    UndoLog Undo(M, *RT, Protected);
    for (Chosen &T : Todo) Undo.instrument(*T.F);
    // A clone runs only inside a transaction: its buffers go to guard slots
    // too (taken after the caller's mark, so an abort gives them back), and
    // a callee's overflow at -O0, where nothing is inlined, stops at a guard
    // page instead of smashing the protected caller's frame.
    if (Opts.Dyboc)
      for (auto &[Orig, Clone] : Undo.clones())
        if (BufferRelocation::relocateWithoutTransaction(*Clone, *RT)) Changed = true;
  }
  for (Chosen &T : Todo) {
    Function &F = *T.F;
    OptimizationRemarkEmitter ORE(&F);
    std::string File = Selector::sourceFile(F);
    BufferRelocation Buffers(F, *RT, Opts.Dyboc);
    GlobalVariable *Site =
        Sites->add(F, T.EV, File, !Buffers.empty(), T.Ch.TimeoutMs, Opts.Undo, T.Ch.GuardHeap);
    makeTransaction(F, T.EV, Site, *RT, Buffers, T.Ch.TimeoutMs, Opts.Undo);
    Man.protectedFunction(F, T.Ch.Reason, T.EV, Buffers.names());
    Changed = true;
    ORE.emit([&] {
      return OptimizationRemark("immune", "Protected", &F)
             << "protected '" << ore::NV("Function", shownName(F)) << "' ("
             << T.Ch.Reason << "); returns " << ore::NV("ErrorValue", T.EV.Text)
             << " on fault (" << T.EV.Why << ")";
    });
  }
  // Oracle mode: every other function gets guard-paged buffers, without a
  // transaction, so an overflow anywhere stops at its first bad byte.
  if (Opts.Oracle)
    for (Function &F : M) {
      if (F.isDeclaration() || F.hasFnAttribute("immune-protected") ||
          F.hasFnAttribute("immune-oracle") ||
          F.getName().starts_with(IMMUNE_PREFIX) ||
          !Selector::unsupportedReason(F).empty())
        continue;
      if (!RT) {
        RT.emplace(M);
        Sites.emplace(M, *RT);
      }
      if (BufferRelocation::relocateWithoutTransaction(F, *RT)) {
        F.addFnAttr("immune-oracle");
        Changed = true;
      }
    }
  if (Sites) Sites->finish();
  if (Pol) {
    // Which policy lines matched a function of this module, in a section
    // the program never loads (flags ""): the wrappers read the linked
    // output's and name the lines that matched nothing in the whole link
    // (a typo like fun:parse_lnie would otherwise protect nothing, silently).
    std::string Lines;
    for (unsigned L : Sel.matchedPolicyLines()) Lines += (Lines.empty() ? "" : ",") + std::to_string(L);
    M.appendModuleInlineAsm(".pushsection " IMMUNE_POLICY_LINES_SECTION ",\"\",@progbits\n"
                            ".ascii \"" + Lines + ";\"\n.popsection");
    Changed = true;
  }
  if (!Opts.ManifestDir.empty()) {
    std::string Err = Man.write(M, Opts.ManifestDir);
    if (!Err.empty()) M.getContext().diagnose(ModuleError(Err));
  }
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}
