// libFuzzer target: policy files (--immune-policy, IMMUNE_POLICY), as the
// pass reads them: immune::Policy::load (pass/Policy.cpp, on top of LLVM's
// SpecialCaseList), then lookups, then the error values a `=return:` line
// states (pass/ErrorValue.cpp). Linked against libLLVM.so, like opt.
//
// Besides memory errors and undefined behaviour (ASan, UBSan), it checks what
// the pass relies on, whatever the text:
//   - load() either succeeds or fails with a message that starts with the
//     file's path (the compiler prints it as a diagnostic);
//   - a decision is consistent: skip means neither protect nor a return
//     value; a return value means protect; the deciding line is a line of
//     the file;
//   - a plain `fun:NAME` line (no glob characters, no sections) selects NAME;
//   - a return value the policy accepted is valid error-value text, and
//     chooseErrorValue() on functions of every return type either gives a
//     constant of that type (none for void) or refuses with a message;
//   - the same holds for the input's first line taken as a value directly.
#include "ErrorValue.h"
#include "Policy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace llvm;

extern "C" void __sanitizer_report_error_summary(const char *summary);
#define STR2(x) #x
#define STR(x) STR2(x)
// A broken promise is a crash with a one-line summary (which reaches the
// terminal even with -close_fd_mask).
#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      __sanitizer_report_error_summary("policy_fuzzer.cpp:" STR(__LINE__)     \
                                       ": " #cond " does not hold");           \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static LLVMContext *Ctx;
static Module *M;
static std::vector<Function *> Functions; // one per return type
static int PolicyFd = -1;
static std::string PolicyPath;

// Functions returning each kind of value the pass handles (and a few it
// refuses): integers of odd widths, floating point, pointers, vectors,
// aggregates, void, and an sret function.
static void makeFunctions() {
  Ctx = new LLVMContext();
  M = new Module("policy_fuzzer", *Ctx);
  Type *Ptr = PointerType::get(*Ctx, 0);
  std::vector<Type *> Types = {
      Type::getInt1Ty(*Ctx), Type::getInt8Ty(*Ctx), Type::getInt16Ty(*Ctx),
      Type::getInt32Ty(*Ctx), Type::getInt64Ty(*Ctx), Type::getInt128Ty(*Ctx),
      IntegerType::get(*Ctx, 17), Type::getHalfTy(*Ctx), Type::getFloatTy(*Ctx),
      Type::getDoubleTy(*Ctx), Type::getX86_FP80Ty(*Ctx), Type::getFP128Ty(*Ctx),
      Ptr, FixedVectorType::get(Type::getInt32Ty(*Ctx), 4),
      FixedVectorType::get(Type::getDoubleTy(*Ctx), 2),
      StructType::get(*Ctx, {Type::getInt32Ty(*Ctx), Type::getInt64Ty(*Ctx)}),
      ArrayType::get(Type::getInt8Ty(*Ctx), 3), Type::getVoidTy(*Ctx)};
  unsigned N = 0;
  for (Type *RT : Types) {
    auto *FT = FunctionType::get(RT, {Ptr}, false);
    Function *F = Function::Create(FT, Function::ExternalLinkage,
                                   "f" + std::to_string(N++), M);
    IRBuilder<> B(BasicBlock::Create(*Ctx, "entry", F));
    if (RT->isVoidTy())
      B.CreateRetVoid();
    else
      B.CreateRet(Constant::getNullValue(RT));
    Functions.push_back(F);
  }
  // sret: the value goes into the caller's buffer.
  auto *FT = FunctionType::get(Type::getVoidTy(*Ctx), {Ptr}, false);
  Function *S = Function::Create(FT, Function::ExternalLinkage, "sret", M);
  S->addParamAttr(0, Attribute::getWithStructRetType(
                         *Ctx, ArrayType::get(Type::getInt64Ty(*Ctx), 8)));
  IRBuilder<> B(BasicBlock::Create(*Ctx, "entry", S));
  B.CreateRetVoid();
  Functions.push_back(S);
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  makeFunctions();
  // The policy text goes into an anonymous file the parser reads by path.
  PolicyFd = memfd_create("policy", 0);
  if (PolicyFd < 0) {
    perror("memfd_create");
    exit(1);
  }
  PolicyPath = "/proc/self/fd/" + std::to_string(PolicyFd);
  return 0;
}

// chooseErrorValue on every function for Text: a constant of the return
// type, nothing for void/sret, or a refusal with a reason.
static void checkValue(const std::string &Text) {
  for (Function *F : Functions) {
    std::string Error;
    std::optional<immune::ErrorValue> EV =
        immune::chooseErrorValue(*F, nullptr, Text, "policy", Error);
    if (!EV) {
      REQUIRE(!Error.empty());
      continue;
    }
    Type *RT = F->getReturnType();
    if (RT->isVoidTy())
      REQUIRE(EV->Value == nullptr);
    else
      REQUIRE(EV->Value != nullptr && EV->Value->getType() == RT);
    REQUIRE(!EV->Text.empty());
  }
}

static bool plainName(StringRef S) {
  if (S.empty())
    return false;
  for (char C : S)
    if (!llvm::isAlnum(C) && C != '_')
      return false;
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (ftruncate(PolicyFd, 0) != 0 ||
      pwrite(PolicyFd, Data, Size, 0) != static_cast<ssize_t>(Size))
    return 0;
  StringRef Text(reinterpret_cast<const char *>(Data), Size);
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');

  // The first line as an error value, straight to the value parser.
  std::string First = Lines.empty() ? "" : Lines[0].str();
  std::string Why;
  if (immune::validErrorValueText(First, Why))
    checkValue(First);
  else
    REQUIRE(!Why.empty());

  std::string Error;
  std::unique_ptr<immune::Policy> P = immune::Policy::load(PolicyPath, Error);
  if (!P) {
    REQUIRE(StringRef(Error).starts_with(PolicyPath));
    return 0;
  }
  REQUIRE(P->path() == PolicyPath);

  // Queries: every fun: pattern taken literally, a few fixed names, and the
  // src: patterns as files.
  bool Sections = Text.contains('[') || Text.contains("#!");
  std::vector<std::pair<std::string, bool>> Names = {{"main", false}, {"", false},
                                                     {"parse_query", false}};
  std::vector<std::string> Files = {"", "/src/httpd.c"};
  for (StringRef L : Lines) {
    L = L.trim();
    if (L.consume_front("fun:")) {
      StringRef Pat = L.split('=').first;
      Names.push_back({Pat.str(), !Sections && plainName(Pat)});
    } else if (L.consume_front("src:")) {
      Files.push_back(L.split('=').first.str());
    }
    if (Names.size() > 64)
      break;
  }
  for (const auto &[Name, MustSelect] : Names) {
    for (const std::string &File : Files) {
      std::vector<std::string> Q = {Name, Name};
      immune::Policy::Decision D = P->lookup(Q, File);
      if (D.Skip)
        REQUIRE(!D.Protect && !D.Return);
      if (D.Return)
        REQUIRE(D.Protect);
      if (D.Protect || D.Skip)
        REQUIRE(D.Line >= 1 && D.Line <= Lines.size());
      if (MustSelect)
        REQUIRE(D.Protect || D.Skip);
      if (D.Return) {
        std::string W;
        REQUIRE(immune::validErrorValueText(*D.Return, W));
        checkValue(*D.Return);
      }
    }
  }
  return 0;
}
