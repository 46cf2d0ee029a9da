// Error virtualization: the value a protected function returns when its
// transaction aborts. Either the user states it (annotate("immune.return", V)
// or a policy line "=return:V"), or it follows from the return type, as in
// the STEM paper: signed integer -1, unsigned 0, pointer NULL, bool false,
// floating NaN, aggregate (by value or sret) all-zero, void nothing.
#ifndef IMMUNE_PASS_ERRORVALUE_H
#define IMMUNE_PASS_ERRORVALUE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Constant.h"
#include "llvm/IR/Function.h"

#include <optional>
#include <string>

namespace immune {

struct ErrorValue {
  llvm::Constant *Value = nullptr; // null when nothing is returned (void, sret)
  bool ZeroSret = false;           // zero the sret buffer before returning
  bool Aggregate = false;          // an aggregate returned in registers (zeroed)
  std::string Text;                // for reports: "-1", "NULL", "nan", ...
  std::string Why;                 // where the choice came from
};

// Whether Text is a value a policy line may give after "return:"; Why says
// what is wrong when it is not.
bool validErrorValueText(llvm::StringRef Text, std::string &Why);

// An explicit value, from an annotation argument (Explicit) or from policy
// text (ExplicitText); neither given means the type heuristic. Returns
// nullopt and sets Error when the stated value cannot be returned from F.
std::optional<ErrorValue> chooseErrorValue(llvm::Function &F,
                                           const llvm::Constant *Explicit,
                                           std::optional<std::string> ExplicitText,
                                           llvm::StringRef ExplicitWhy,
                                           std::string &Error);

} // namespace immune

#endif
