// See ErrorValue.h.
#include "ErrorValue.h"
#include "ReturnFacts.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;
using namespace immune;

namespace {

// A user-stated value before it is converted to the return type.
struct Stated {
  enum Kind { Int, Float, Null, NaN } K = Int;
  APSInt I{64, /*isUnsigned=*/false};
  double D = 0;
};

std::optional<Stated> parseText(StringRef T, std::string &Why) {
  Stated S;
  T = T.trim();
  if (T.empty()) {
    Why = "empty error value";
    return std::nullopt;
  }
  if (T == "NULL" || T == "null" || T == "nullptr") {
    S.K = Stated::Null;
    return S;
  }
  if (T.equals_insensitive("nan")) {
    S.K = Stated::NaN;
    return S;
  }
  if (T == "true" || T == "false") {
    S.I = APSInt(APInt(64, T == "true"), false);
    return S;
  }
  APInt V;
  bool Neg = T.consume_front("-");
  if (!T.getAsInteger(0, V)) {
    if (V.getActiveBits() > 64) {
      Why = "integer error value does not fit in 64 bits";
      return std::nullopt;
    }
    V = V.zextOrTrunc(64);
    S.I = APSInt(Neg ? -V : V, false);
    return S;
  }
  APFloat F(APFloat::IEEEdouble());
  auto St = F.convertFromString(T, APFloat::rmNearestTiesToEven);
  if (St && *St != APFloat::opInvalidOp) {
    S.K = Stated::Float;
    S.D = Neg ? -F.convertToDouble() : F.convertToDouble();
    return S;
  }
  Why = "not an error value (expected an integer, a floating-point number, "
        "NULL, nan, true or false)";
  return std::nullopt;
}

std::optional<Stated> fromConstant(const Constant *C) {
  Stated S;
  if (auto *CI = dyn_cast<ConstantInt>(C)) {
    S.I = APSInt(CI->getValue().sextOrTrunc(64), false);
    return S;
  }
  if (auto *CF = dyn_cast<ConstantFP>(C)) {
    S.K = CF->getValueAPF().isNaN() ? Stated::NaN : Stated::Float;
    APFloat F = CF->getValueAPF();
    bool Lost;
    F.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &Lost);
    S.D = F.convertToDouble();
    return S;
  }
  if (isa<ConstantPointerNull>(C)) {
    S.K = Stated::Null;
    return S;
  }
  return std::nullopt;
}

// The source-level return type from debug info, typedefs and cv-qualifiers
// stripped; null without debug info.
DIType *debugReturnType(const Function &F) {
  DISubprogram *SP = F.getSubprogram();
  if (!SP || !SP->getType()) return nullptr;
  auto Types = SP->getType()->getTypeArray();
  if (Types.size() == 0) return nullptr;
  DIType *R = Types[0];
  while (auto *D = dyn_cast_or_null<DIDerivedType>(R)) {
    unsigned Tag = D->getTag();
    if (Tag != dwarf::DW_TAG_typedef && Tag != dwarf::DW_TAG_const_type &&
        Tag != dwarf::DW_TAG_volatile_type)
      break;
    R = D->getBaseType();
  }
  return R;
}

// Signedness of the source-level return type, from debug info when present.
enum class Sign { Unknown, Signed, Unsigned, Bool };
Sign returnSign(const Function &F) {
  if (auto *B = dyn_cast_or_null<DIBasicType>(debugReturnType(F))) {
    switch (B->getEncoding()) {
    case dwarf::DW_ATE_boolean: return Sign::Bool;
    case dwarf::DW_ATE_unsigned:
    case dwarf::DW_ATE_unsigned_char: return Sign::Unsigned;
    case dwarf::DW_ATE_signed:
    case dwarf::DW_ATE_signed_char: return Sign::Signed;
    default: break;
    }
  }
  AttributeList A = F.getAttributes();
  if (A.hasRetAttr(Attribute::ZExt)) return Sign::Unsigned;
  if (A.hasRetAttr(Attribute::SExt)) return Sign::Signed;
  return Sign::Unknown;
}

// For a function returning an enum (debug info): an enumerator named like
// an error (ERROR, ERR, FAIL, INVALID, BAD), the one most of the function's
// own return paths use if several are. Not found: nothing.
std::optional<std::pair<int64_t, std::string>> errorEnumerator(const Function &F) {
  auto *C = dyn_cast_or_null<DICompositeType>(debugReturnType(F));
  if (!C || C->getTag() != dwarf::DW_TAG_enumeration_type) return std::nullopt;
  ReturnFacts RF = ReturnFacts::of(F);
  std::optional<std::pair<int64_t, std::string>> Best;
  unsigned BestPaths = 0;
  for (DINode *N : C->getElements()) {
    auto *E = dyn_cast<DIEnumerator>(N);
    if (!E) continue;
    std::string Name = E->getName().lower();
    if (Name.find("err") == std::string::npos && Name.find("fail") == std::string::npos &&
        Name.find("invalid") == std::string::npos && Name.find("bad") == std::string::npos)
      continue;
    int64_t V = E->getValue().getSExtValue();
    auto R = RF.Returned.find(V);
    unsigned Paths = R == RF.Returned.end() ? 0 : R->second;
    if (!Best || Paths > BestPaths) {
      Best = {V, E->getName().str()};
      BestPaths = Paths;
    }
  }
  return Best;
}

// Whether the source-level return type is a struct, union or array that the
// ABI returns in registers as a scalar (struct {int a, b;} comes back as an
// i64, struct {double d;} as a double). Debug info says so directly; without
// it, clang's own code says so: at the pipeline start, before any
// optimization, the returned value is a coerced load from the aggregate's
// stack slot.
bool returnsCoercedAggregate(const Function &F) {
  if (DIType *R = debugReturnType(F)) {
    auto *C = dyn_cast<DICompositeType>(R);
    return C && (C->getTag() == dwarf::DW_TAG_structure_type ||
                 C->getTag() == dwarf::DW_TAG_union_type ||
                 C->getTag() == dwarf::DW_TAG_class_type ||
                 C->getTag() == dwarf::DW_TAG_array_type);
  }
  for (const BasicBlock &BB : F)
    if (auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator()))
      if (auto *L = dyn_cast_or_null<LoadInst>(Ret->getReturnValue()))
        if (auto *A = dyn_cast<AllocaInst>(L->getPointerOperand()->stripPointerCasts()))
          if (A->getAllocatedType()->isAggregateType()) return true;
  return false;
}

// ASSURE's rule, made safe: a failure value the function itself already
// returns, so callers already handle it. Only negative constants count (a
// returned 0 or a positive code may just as well mean success): the one
// callers test most, then the one most return paths use. For an unsigned
// type a "negative" constant (an all-ones code like (size_t)-1) counts only
// when callers test for it.
std::optional<int64_t> inferredFailure(const Function &F, bool Unsigned) {
  ReturnFacts RF = ReturnFacts::of(F);
  std::optional<int64_t> Best;
  std::pair<unsigned, unsigned> BestScore{0, 0};
  for (auto [V, Paths] : RF.Returned) {
    if (V >= 0) continue;
    auto T = RF.TestedByCallers.find(V);
    unsigned Tested = T == RF.TestedByCallers.end() ? 0 : T->second;
    if (Unsigned && !Tested) continue;
    std::pair<unsigned, unsigned> Score{Tested, Paths};
    if (!Best || Score > BestScore) {
      Best = V;
      BestScore = Score;
    }
  }
  return Best;
}

std::string intText(const APInt &V, bool Signed) {
  SmallString<24> S;
  V.toString(S, 10, Signed);
  return std::string(S);
}

} // namespace

bool immune::validErrorValueText(StringRef Text, std::string &Why) {
  return parseText(Text, Why).has_value();
}

std::optional<ErrorValue>
immune::chooseErrorValue(Function &F, const Constant *Explicit,
                         std::optional<std::string> ExplicitText,
                         StringRef ExplicitWhy, std::string &Error) {
  ErrorValue EV;
  Type *RT = F.getReturnType();
  std::optional<Stated> S;
  if (Explicit) {
    S = fromConstant(Explicit);
    if (!S) {
      Error = "annotate(\"immune.return\", ...) needs an integer, floating or "
              "null-pointer constant";
      return std::nullopt;
    }
  } else if (ExplicitText) {
    std::string Why;
    S = parseText(*ExplicitText, Why);
    if (!S) {
      Error = Why;
      return std::nullopt;
    }
  }
  if (S) EV.Why = ExplicitWhy.str();

  // sret: the aggregate is returned through memory; zero it.
  if (F.hasStructRetAttr()) {
    if (S && !(S->K == Stated::Int && S->I == 0)) {
      Error = "a function returning an aggregate through memory can only return "
              "a zeroed value on abort";
      return std::nullopt;
    }
    EV.ZeroSret = true;
    EV.Text = "{0}";
    if (!S) EV.Why = "aggregate returned through memory: zeroed";
    return EV;
  }
  // A small aggregate returned in registers: all zero, like any aggregate.
  if (!RT->isVoidTy() && !RT->isAggregateType() && !RT->isVectorTy() &&
      returnsCoercedAggregate(F)) {
    if (S && !(S->K == Stated::Int && S->I == 0)) {
      Error = "an aggregate return type can only return a zeroed value on abort";
      return std::nullopt;
    }
    EV.Value = Constant::getNullValue(RT);
    EV.Aggregate = true;
    EV.Text = "{0}";
    if (!S) EV.Why = "aggregate returned in registers: zeroed";
    return EV;
  }
  if (RT->isVoidTy()) {
    if (S) {
      Error = "a void function cannot return an error value";
      return std::nullopt;
    }
    EV.Text = "void";
    EV.Why = "void function: returns nothing";
    return EV;
  }
  if (auto *IT = dyn_cast<IntegerType>(RT)) {
    unsigned W = IT->getBitWidth();
    Sign Sg = returnSign(F);
    if (S) {
      if (S->K == Stated::Float || S->K == Stated::NaN) {
        Error = "a floating-point error value for an integer return type";
        return std::nullopt;
      }
      APInt V = S->K == Stated::Null ? APInt(W, 0) : S->I.sextOrTrunc(W);
      EV.Value = ConstantInt::get(IT, V);
      EV.Text = W == 1 ? (V.isZero() ? "false" : "true")
                       : intText(V, Sg != Sign::Unsigned);
      return EV;
    }
    if (W == 1 || Sg == Sign::Bool) {
      EV.Value = ConstantInt::get(IT, 0);
      EV.Text = "false";
      EV.Why = "bool: false";
    } else if (auto En = errorEnumerator(F)) {
      EV.Value = ConstantInt::get(IT, APInt(W, uint64_t(En->first), /*isSigned=*/true));
      EV.Text = std::to_string(En->first);
      EV.Why = "enum: " + En->second + ", the enumerator named like an error";
    } else if (ReturnFacts RF = ReturnFacts::of(F); RF.CallersAnd && RF.Returned.count(0)) {
      // `valid &= f()`: any nonzero value but one with the flag's bit clear
      // would leave the caller's flag set; 0, which f itself returns, clears
      // it (libxml2's xmlValidateElementContent got -1 and the invalid
      // document was accepted).
      EV.Value = ConstantInt::get(IT, 0);
      EV.Text = "0";
      EV.Why = "callers combine the result with & at " + std::to_string(RF.CallersAnd) +
               (RF.CallersAnd == 1 ? " site" : " sites") +
               " (a validity flag) and it returns 0 itself: 0";
    } else if (std::optional<int64_t> V = inferredFailure(F, Sg == Sign::Unsigned)) {
      EV.Value = ConstantInt::get(IT, APInt(W, uint64_t(*V), /*isSigned=*/true));
      EV.Text = intText(APInt(W, uint64_t(*V), true), Sg != Sign::Unsigned);
      EV.Why = "inferred from its own error paths: " + ReturnFacts::of(F).describe(*V);
    } else if (Sg == Sign::Unsigned) {
      EV.Value = ConstantInt::get(IT, 0);
      EV.Text = "0";
      EV.Why = "unsigned integer: 0";
    } else {
      EV.Value = ConstantInt::getSigned(IT, -1);
      EV.Text = "-1";
      EV.Why = Sg == Sign::Signed
                   ? "signed integer: -1"
                   : "integer of unknown signedness (no debug info): -1";
    }
    return EV;
  }
  if (auto *PT = dyn_cast<PointerType>(RT)) {
    if (S && (S->K == Stated::Float || S->K == Stated::NaN)) {
      Error = "a floating-point error value for a pointer return type";
      return std::nullopt;
    }
    if (!S || S->K == Stated::Null || S->I == 0) {
      EV.Value = ConstantPointerNull::get(PT);
      EV.Text = "NULL";
      if (!S) {
        ReturnFacts RF = ReturnFacts::of(F);
        EV.Why = RF.NullReturns
                     ? "pointer: NULL, as it returns on " + std::to_string(RF.NullReturns) +
                           (RF.NullReturns == 1 ? " path" : " paths")
                     : "pointer: NULL";
      }
      return EV;
    }
    EV.Value = ConstantExpr::getIntToPtr(
        ConstantInt::get(Type::getInt64Ty(F.getContext()), S->I), PT);
    EV.Text = "(void *)" + intText(S->I, true);
    return EV;
  }
  if (RT->isFloatingPointTy()) {
    if (!S || S->K == Stated::NaN) {
      EV.Value = ConstantFP::getQNaN(RT);
      EV.Text = "nan";
      if (!S) EV.Why = "floating point: NaN";
      return EV;
    }
    if (S->K == Stated::Null) {
      Error = "NULL error value for a floating-point return type";
      return std::nullopt;
    }
    double D = S->K == Stated::Float ? S->D : double(S->I.getSExtValue());
    EV.Value = ConstantFP::get(RT, D);
    SmallString<32> Str;
    APFloat(D).toString(Str);
    EV.Text = std::string(Str);
    return EV;
  }
  // Aggregates and vectors returned in registers.
  if (S && !(S->K == Stated::Int && S->I == 0)) {
    Error = "an aggregate or vector return type can only return a zeroed "
            "value on abort";
    return std::nullopt;
  }
  EV.Value = Constant::getNullValue(RT);
  EV.Text = "{0}";
  if (!S) EV.Why = "aggregate: zeroed";
  return EV;
}
