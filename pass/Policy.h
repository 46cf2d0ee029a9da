// The policy file: which functions Immune protects and what they return when
// a transaction aborts. The syntax is LLVM's sanitizer special-case list
// (parsed by llvm::SpecialCaseList, not by us):
//
//   # comment
//   fun:parse_*                 protect functions whose name matches the glob
//   src:*/net/*.c               protect every function defined in these files
//   fun:open_session=return:-22 protect, and return -22 on abort
//   fun:hot_loop=skip           never protect (wins over every other line)
//   fun:solve=timeout_ms:50     protect, and abort a call running past 50 ms
//   fun:grow=guard_heap         protect, and allocate its blocks (and its
//                               callees') from the guarded heap
//
// Only the prefixes fun and src and the categories (none), skip,
// return:VALUE, timeout_ms:N and guard_heap are meaningful; anything else is an error with file:line,
// never a silent no-op.
#ifndef IMMUNE_PASS_POLICY_H
#define IMMUNE_PASS_POLICY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SpecialCaseList.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace immune {

class Policy : public llvm::SpecialCaseList {
public:
  // Loads and validates Path. On failure returns null and sets Error to a
  // message of the form "PATH:LINE: what is wrong".
  static std::unique_ptr<Policy> load(llvm::StringRef Path, std::string &Error);

  struct Decision {
    bool Protect = false;
    bool Skip = false;
    std::optional<std::string> Return; // text after "return:"
    uint64_t TimeoutMs = 0;             // from "timeout_ms:N"
    bool GuardHeap = false;             // from "guard_heap"
    unsigned Line = 0;                  // the deciding line, for remarks
    std::vector<unsigned> Matched;      // every line that matched (link-time report)
  };
  // Names: the function's linkage name and its demangled name; File: the
  // source file it is defined in.
  Decision lookup(llvm::ArrayRef<std::string> Names, llvm::StringRef File) const;

  const std::string &path() const { return Path; }

private:
  Policy() = default;
  std::string Path;
};

} // namespace immune

#endif
