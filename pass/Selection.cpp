// See Selection.h.
#include "Selection.h"

#include "immune/abi.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace immune;

Selector::Selector(Module &M, const PassOptions &O, const Policy *P)
    : Opts(O), Pol(P) {
  // llvm.global.annotations: [N x { ptr fn, ptr str, ptr file, i32 line,
  // ptr args }], args pointing to a constant struct of the folded arguments.
  GlobalVariable *GA = M.getNamedGlobal("llvm.global.annotations");
  if (!GA || !GA->hasInitializer()) return;
  auto *Arr = dyn_cast<ConstantArray>(GA->getInitializer());
  if (!Arr) return;
  for (const Use &U : Arr->operands()) {
    auto *E = dyn_cast<ConstantStruct>(U.get());
    if (!E || E->getNumOperands() < 2) continue;
    auto *F = dyn_cast<Function>(E->getOperand(0)->stripPointerCasts());
    auto *StrGV = dyn_cast<GlobalVariable>(E->getOperand(1)->stripPointerCasts());
    if (!F || !StrGV || !StrGV->hasInitializer()) continue;
    auto *Str = dyn_cast<ConstantDataSequential>(StrGV->getInitializer());
    if (!Str || !Str->isCString()) continue;
    StringRef S = Str->getAsCString();
    Annot &A = Annots[F];
    if (S == IMMUNE_ANNOTATION_PROTECT) {
      A.Protect = true;
    } else if (S == IMMUNE_ANNOTATION_SKIP) {
      A.Skip = true;
    } else if (S == IMMUNE_ANNOTATION_GUARD_HEAP) {
      A.Protect = A.GuardHeap = true;
    } else if (S == IMMUNE_ANNOTATION_TIMEOUT) {
      A.Protect = true;
      if (E->getNumOperands() >= 5)
        if (auto *ArgsGV = dyn_cast<GlobalVariable>(E->getOperand(4)->stripPointerCasts()))
          if (auto *Args = dyn_cast_or_null<ConstantStruct>(ArgsGV->getInitializer()))
            if (Args->getNumOperands() >= 1)
              if (auto *CI = dyn_cast<ConstantInt>(Args->getOperand(0)))
                if (!CI->isNegative()) A.TimeoutMs = CI->getZExtValue();
    } else if (S == IMMUNE_ANNOTATION_RETURN) {
      A.Protect = true;
      if (E->getNumOperands() >= 5)
        if (auto *ArgsGV = dyn_cast<GlobalVariable>(
                E->getOperand(4)->stripPointerCasts()))
          if (auto *Args = dyn_cast_or_null<ConstantStruct>(
                  ArgsGV->getInitializer()))
            if (Args->getNumOperands() >= 1) A.Return = Args->getOperand(0);
    }
  }
}

std::string Selector::sourceFile(const Function &F) {
  if (DISubprogram *SP = F.getSubprogram()) {
    StringRef Dir = SP->getDirectory(), File = SP->getFilename();
    if (!File.empty()) {
      if (sys::path::is_absolute(File) || Dir.empty()) return File.str();
      SmallString<256> P(Dir);
      sys::path::append(P, File);
      return std::string(P);
    }
  }
  return F.getParent()->getSourceFileName();
}

// The source type a function returns through memory (sret), from debug
// info: typedefs and qualifiers looked through. Null without debug info.
static const DICompositeType *sretSourceType(const Function &F) {
  const DISubprogram *SP = F.getSubprogram();
  if (!SP || !SP->getType()) return nullptr;
  DITypeRefArray Types = SP->getType()->getTypeArray();
  if (Types.size() == 0) return nullptr;
  const DIType *T = Types[0];
  while (auto *D = dyn_cast_or_null<DIDerivedType>(T)) {
    if (D->getTag() != dwarf::DW_TAG_typedef && D->getTag() != dwarf::DW_TAG_const_type &&
        D->getTag() != dwarf::DW_TAG_volatile_type)
      break;
    T = D->getBaseType();
  }
  return dyn_cast_or_null<DICompositeType>(T);
}

// Why a function that returns an object through memory cannot return a
// zeroed one on abort, or "": a C++ class that is not trivially copyable
// (std::string, std::vector) zeroed is not a valid object — its c_str() is
// NULL, its destructor may free a wild pointer. Without the type in the
// debug info a C++ function's type cannot be told from a plain struct's, so
// it is left out too. Left unprotected, a fault in it aborts the caller's transaction.
static std::string nonTrivialReturn(const Function &F) {
  if (!F.hasStructRetAttr()) return "";
  if (const DICompositeType *T = sretSourceType(F)) {
    if (!(T->getFlags() & (DINode::FlagNonTrivial | DINode::FlagTypePassByReference)))
      return "";
    std::string Name = T->getName().str();
    if (Name.empty()) Name = T->getIdentifier().str();
    return "it returns a C++ object of a non-trivial type (" + Name +
           ") through memory: a zeroed one is not a valid object, and no constructor can be "
           "called for it here; a fault in it aborts the enclosing transaction instead";
  }
  // No type in the debug info (none, or -gline-tables-only, which the
  // wrappers add): a C++ function's object may be a non-trivial class.
  if (!F.getName().starts_with("_Z")) return "";
  return "it returns a C++ object through memory and, without debug info, its type cannot "
         "be told trivial (a zeroed std::string is not a valid object); build with -g to "
         "protect it if the type is a plain struct; a fault in it aborts the enclosing "
         "transaction instead";
}

std::string Selector::unsupportedReason(const Function &F) {
  if (F.hasFnAttribute(Attribute::Naked))
    return "naked functions have no prologue to place a checkpoint in";
  // A noreturn function's callers treat what follows the call as
  // unreachable: an error value returned there runs into code the compiler
  // deleted (at -O2 it fell into main again, millions of reports a second).
  // Left unprotected, a fault in it aborts the enclosing transaction.
  if (F.doesNotReturn())
    return "it never returns (noreturn): an error return would run into code its callers "
           "treat as unreachable; a fault in it aborts the enclosing transaction instead";
  if (std::string Why = nonTrivialReturn(F); !Why.empty()) return Why;
  if (F.isPresplitCoroutine())
    return "coroutines are not supported (the frame outlives the call)";
  if (F.getCallingConv() == CallingConv::GHC ||
      F.getCallingConv() == CallingConv::Tail)
    return "its calling convention does not preserve the registers the "
           "checkpoint restores";
  for (const BasicBlock &BB : F)
    for (const Instruction &I : BB)
      if (auto *CI = dyn_cast<CallInst>(&I)) {
        if (CI->isMustTailCall())
          return "it contains a musttail call, which must stay the last "
                 "thing before return";
      }
  return "";
}

Choice Selector::choose(Function &F) const {
  Choice C;
  if (F.isDeclaration() || F.hasAvailableExternallyLinkage()) return C;
  if (F.getName().starts_with(IMMUNE_PREFIX)) return C;
  if (F.hasFnAttribute("immune-protected")) return C; // already transformed
  if (F.hasFnAttribute(Attribute::DisableSanitizerInstrumentation)) return C;

  Annot A;
  auto It = Annots.find(&F);
  if (It != Annots.end()) A = It->second;
  if (A.Skip) return C;

  Policy::Decision D;
  if (Pol) {
    std::string Sym = F.getName().str();
    std::string Dem = demangle(Sym);
    D = Pol->lookup(Dem == Sym ? std::vector<std::string>{Sym}
                               : std::vector<std::string>{Sym, Dem},
                    sourceFile(F));
    Matched.insert(D.Matched.begin(), D.Matched.end());
    if (D.Skip) return C;
  }

  if (A.Protect) {
    C.Protect = C.Explicit = true;
    C.Reason = A.Return      ? "annotate(\"immune.return\")"
               : A.GuardHeap ? "annotate(\"immune.guard_heap\")"
                             : "annotate(\"immune\")";
  } else if (D.Protect) {
    C.Protect = C.Explicit = true;
    C.Reason = "policy " + Pol->path() + ":" + std::to_string(D.Line);
  } else if (Opts.ProtectAll && F.getName() != "main") {
    // main is left alone in protect-all mode: a fault that reaches it ends
    // the process as it would have, instead of becoming exit status -1.
    C.Protect = true;
    C.Reason = "protect-all";
  }
  if (!C.Protect) return C;

  C.TimeoutMs = A.TimeoutMs ? A.TimeoutMs : D.TimeoutMs;
  C.GuardHeap = A.GuardHeap || D.GuardHeap;
  if (A.Return) {
    C.ReturnArg = A.Return;
    C.ReturnWhy = "annotate(\"immune.return\")";
  } else if (D.Return) {
    C.ReturnText = D.Return;
    C.ReturnWhy = "policy " + Pol->path() + " return:" + *D.Return;
  }
  return C;
}
