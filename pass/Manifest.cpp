// See Manifest.h.
#include "Manifest.h"
#include "UndoLog.h"
#include "Selection.h"

#include "immune/abi.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <set>

using namespace llvm;
using namespace immune;

void Manifest::protectedFunction(const Function &F, const std::string &Reason,
                                 const ErrorValue &EV,
                                 const std::vector<std::string> &Buffers) {
  Entry &E = Entries[&F];
  E.Protected = true;
  E.Reason = Reason;
  E.ErrorText = EV.Text;
  E.ErrorWhy = EV.Why;
  E.Buffers = Buffers;
}

void Manifest::notProtected(const Function &F, const std::string &Reason) {
  Entries[&F].Reason = Reason;
}

namespace {

// How a call's result is used: tested (compared, switched or branched on,
// directly or after a conversion or a trip through a local variable),
// otherwise used, or ignored.
enum class ResultUse { Ignored, Used, Checked };

ResultUse classify(const Value *V, SmallPtrSetImpl<const Value *> &Seen, unsigned Depth = 0) {
  if (Depth > 6 || !Seen.insert(V).second) return ResultUse::Used;
  ResultUse Best = ResultUse::Ignored;
  for (const User *U : V->users()) {
    ResultUse This = ResultUse::Used;
    if (isa<ICmpInst>(U) || isa<FCmpInst>(U) || isa<SwitchInst>(U) ||
        isa<BranchInst>(U) || isa<SelectInst>(U)) {
      This = ResultUse::Checked;
    } else if (isa<CastInst>(U) || isa<PHINode>(U) || isa<FreezeInst>(U)) {
      This = classify(U, Seen, Depth + 1);
      if (This == ResultUse::Ignored) This = ResultUse::Used;
    } else if (auto *St = dyn_cast<StoreInst>(U)) {
      // -O0 style: the result goes to a local, and the local is tested.
      if (St->getValueOperand() == V)
        if (auto *A = dyn_cast<AllocaInst>(St->getPointerOperand()))
          for (const User *AU : A->users())
            if (auto *L = dyn_cast<LoadInst>(AU)) {
              ResultUse LU = classify(L, Seen, Depth + 1);
              if (LU == ResultUse::Checked) This = ResultUse::Checked;
            }
    }
    if (This > Best) Best = This;
  }
  return Best;
}

std::string sourceLine(const Function &F) {
  if (DISubprogram *SP = F.getSubprogram()) return std::to_string(SP->getLine());
  return "";
}

} // namespace

void Manifest::observe(const Module &M) {
  std::map<std::string, CallerFacts> &Facts = Callers;
  for (const Function &F : M) {
    if (F.isDeclaration() || F.getName().starts_with(IMMUNE_PREFIX)) continue;
    Returns[F.getName().str()] = ReturnFacts::of(F);
    Seen S;
    S.Sym = F.getName().str();
    S.File = Selector::sourceFile(F);
    S.Line = sourceLine(F);
    S.Void = F.getReturnType()->isVoidTy();
    std::string Err;
    if (auto EV = chooseErrorValue(const_cast<Function &>(F), nullptr, std::nullopt, "", Err)) {
      S.ErrorText = EV->Text;
      S.ErrorWhy = EV->Why;
    }
    Observed.push_back(std::move(S));
  }
  for (const Function &Caller : M)
    for (const BasicBlock &BB : Caller)
      for (const Instruction &I : BB) {
        auto *CB = dyn_cast<CallBase>(&I);
        if (!CB || isa<IntrinsicInst>(CB)) continue;
        const Function *Callee = CB->getCalledFunction();
        if (!Callee || Callee->getName().starts_with(IMMUNE_PREFIX)) continue;
        CallerFacts &CF = Facts[Callee->getName().str()];
        ++CF.Calls;
        if (CB->getType()->isVoidTy()) continue;
        SmallPtrSet<const Value *, 16> Seen;
        switch (classify(CB, Seen)) {
        case ResultUse::Checked: ++CF.Checked; break;
        case ResultUse::Used: ++CF.Used; break;
        case ResultUse::Ignored: ++CF.Ignored; break;
        }
      }
}

static std::map<const Module *, std::unique_ptr<Manifest>> &stashed() {
  static std::map<const Module *, std::unique_ptr<Manifest>> S;
  return S;
}

void Manifest::stash(const Module &M) {
  auto Man = std::make_unique<Manifest>();
  Man->observe(M);
  stashed()[&M] = std::move(Man);
}

std::unique_ptr<Manifest> Manifest::take(const Module &M) {
  auto It = stashed().find(&M);
  if (It == stashed().end()) return nullptr;
  std::unique_ptr<Manifest> Man = std::move(It->second);
  stashed().erase(It);
  return Man;
}

std::string Manifest::write(const Module &M, const std::string &Dir) {
  const std::map<std::string, CallerFacts> &Facts = Callers;

  // How this module's callers use a function's result and the evidence for
  // inferred error values (ReturnFacts.h), by symbol.
  auto evidence = [&](json::Object &O, const std::string &Sym, bool Void) {
    auto FIt = Facts.find(Sym);
    CallerFacts CF = FIt == Facts.end() ? CallerFacts() : FIt->second;
    O["callers_in_module"] = json::Object{{"calls", CF.Calls},
                                          {"result_checked", CF.Checked},
                                          {"result_used", CF.Used},
                                          {"result_ignored", CF.Ignored}};
    O["returns"] = Void ? "void" : "value";
    if (auto RIt = Returns.find(Sym); RIt != Returns.end()) {
      const ReturnFacts &RF = RIt->second;
      json::Object Ret, Tested;
      for (auto [V, N] : RF.Returned) Ret[std::to_string(V)] = N;
      if (RF.NullReturns) Ret["NULL"] = RF.NullReturns;
      for (auto [V, N] : RF.TestedByCallers) Tested[std::to_string(V)] = N;
      if (RF.CallersTestNull) Tested["NULL"] = RF.CallersTestNull;
      O["returned_constants"] = std::move(Ret);
      O["callers_test_against"] = std::move(Tested);
    }
  };

  json::Array Functions;
  for (const Function &F : M) {
    if (F.isDeclaration() || F.getName().starts_with(IMMUNE_PREFIX) ||
        F.hasFnAttribute(UndoLog::CloneAttr))
      continue;
    json::Object O;
    std::string Sym = F.getName().str();
    O["symbol"] = Sym;
    O["function"] = demangle(Sym);
    O["file"] = Selector::sourceFile(F);
    std::string Line = sourceLine(F);
    if (!Line.empty()) O["line"] = std::stoi(Line);
    auto It = Entries.find(&F);
    bool Prot = It != Entries.end() && It->second.Protected;
    O["protected"] = Prot;
    if (It != Entries.end()) O["reason"] = It->second.Reason;
    if (Prot) {
      O["error_value"] = It->second.ErrorText;
      O["error_value_why"] = It->second.ErrorWhy;
      // Effects an abort cannot undo: calls leaving this module, from the
      // function itself and from the transactional clones it calls (their
      // stores are logged; what they call elsewhere is not).
      std::set<std::string> External;
      std::set<const Function *> Seen{&F};
      std::vector<const Function *> Work{&F};
      while (!Work.empty()) {
        const Function *G = Work.back();
        Work.pop_back();
        for (const BasicBlock &BB : *G)
          for (const Instruction &I : BB)
            if (auto *CB = dyn_cast<CallBase>(&I)) {
              if (isa<IntrinsicInst>(CB)) continue;
              const Function *Callee = CB->getCalledFunction();
              if (!Callee)
                External.insert("(indirect call)");
              else if (Callee->hasFnAttribute(UndoLog::CloneAttr)) {
                if (Seen.insert(Callee).second) Work.push_back(Callee);
              } else if (Callee->isDeclaration() &&
                         !Callee->getName().starts_with(IMMUNE_PREFIX))
                External.insert(Callee->getName().str());
              else if (Callee->isInterposable() && !Callee->hasFnAttribute("immune-protected"))
                External.insert(Callee->getName().str() + " (may be replaced at link time)");
            }
      }
      json::Array Calls;
      for (const std::string &C : External) Calls.push_back(C);
      O["not_rolled_back"] = std::move(Calls);
      json::Array Bufs;
      for (const std::string &B : It->second.Buffers) Bufs.push_back(B);
      O["relocated_buffers"] = std::move(Bufs);
    } else {
      // What it would return if a policy protected it: immune-heal's
      // candidates are usually functions nobody has protected yet.
      std::string Err;
      if (auto EV = chooseErrorValue(const_cast<Function &>(F), nullptr,
                                     std::nullopt, "", Err)) {
        O["error_value"] = EV->Text;
        O["error_value_why"] = EV->Why;
      }
    }
    evidence(O, Sym, F.getReturnType()->isVoidTy());
    Functions.push_back(std::move(O));
  }
  // Observed before the inliner and gone since: inlined into every caller
  // (or unused). Under protect-all their code runs inside their callers'
  // transactions; a policy line naming one keeps it a function of its own.
  for (const Seen &S : Observed) {
    if (const Function *F = M.getFunction(S.Sym); F && !F->isDeclaration()) continue;
    json::Object O{{"symbol", S.Sym}, {"function", demangle(S.Sym)}, {"file", S.File},
                   {"protected", false}, {"inlined", true},
                   {"reason", "inlined into its callers by the optimizer (or unused): no "
                              "transaction of its own in this build; a policy line naming "
                              "it keeps it a function with its own"}};
    if (!S.Line.empty()) O["line"] = std::stoi(S.Line);
    if (!S.ErrorText.empty()) {
      O["error_value"] = S.ErrorText;
      O["error_value_why"] = S.ErrorWhy;
    }
    evidence(O, S.Sym, S.Void);
    Functions.push_back(std::move(O));
  }

  // Calls into functions defined elsewhere, with how their results are used
  // here: immune-heal adds these up across manifests.
  json::Object ExternalFacts;
  for (const auto &[Name, CF] : Facts) {
    const Function *Callee = M.getFunction(Name);
    if (Callee && !Callee->isDeclaration()) continue;
    ExternalFacts[Name] = json::Object{{"calls", CF.Calls},
                                       {"result_checked", CF.Checked},
                                       {"result_used", CF.Used},
                                       {"result_ignored", CF.Ignored}};
  }

  json::Object Root{{"immune_manifest", 1},
                    {"module", M.getSourceFileName()},
                    {"functions", std::move(Functions)},
                    {"callees_elsewhere", std::move(ExternalFacts)}};

  if (std::error_code EC = sys::fs::create_directories(Dir))
    return "cannot create manifest directory '" + Dir + "': " + EC.message();
  // One file per module: the source's name plus a hash of its full path, so
  // two files named util.c in different directories do not collide.
  std::string Src = M.getSourceFileName();
  SmallString<256> Path(Dir);
  sys::path::append(Path, (sys::path::filename(Src) + "-" +
                           utohexstr(xxh3_64bits(Src), /*LowerCase=*/true) +
                           ".immune.json")
                              .str());
  std::error_code EC;
  raw_fd_ostream OS(Path, EC, sys::fs::OF_Text);
  if (EC) return "cannot write manifest '" + std::string(Path) + "': " + EC.message();
  OS << formatv("{0:2}", json::Value(std::move(Root))) << "\n";
  return "";
}
