// What a function's own code says about its error values (ASSURE's "imitate
// observed behaviour"): the constants it returns, and the constants this
// module's callers compare its result against. ErrorValue uses them to pick
// an error value the program already knows how to handle; the manifest
// records them as the evidence.
#ifndef IMMUNE_PASS_RETURNFACTS_H
#define IMMUNE_PASS_RETURNFACTS_H

#include "llvm/ADT/APInt.h"
#include "llvm/IR/Function.h"

#include <map>
#include <string>

namespace immune {

struct ReturnFacts {
  // Integer constants returned (as signed 64-bit), with how many return
  // paths return each; NullReturns counts `return NULL` paths.
  std::map<int64_t, unsigned> Returned;
  unsigned NullReturns = 0;
  // Integer constants callers in this module compare the result with
  // (==, !=, <, ...), with how many comparisons.
  std::map<int64_t, unsigned> TestedByCallers;
  unsigned CallersTestNull = 0;
  // Caller sites that combine the result with a bitwise and (`valid &=
  // f()`, `ok = ok & f()`): the result is a validity flag, and 0 is what
  // makes the caller fail.
  unsigned CallersAnd = 0;

  static ReturnFacts of(const llvm::Function &F);
  // "returns -1 on 2 paths; callers test -1 at 3 sites"
  std::string describe(int64_t V) const;
};

} // namespace immune

#endif
