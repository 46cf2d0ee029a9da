// The per-module JSON manifest (-immune-manifest=DIR / IMMUNE_MANIFEST):
// what the pass knows statically about every function it saw, for people
// and for immune-heal. For each function defined in the module: whether it
// was protected and why (or why not), its error value and the reason for
// it, the calls a protected function makes whose effects an abort cannot
// roll back, and how this module's call sites use its return value (the
// evidence immune-heal ranks rescue points by). Schema: docs/reports.md.
#ifndef IMMUNE_PASS_MANIFEST_H
#define IMMUNE_PASS_MANIFEST_H

#include "ErrorValue.h"
#include "ReturnFacts.h"

#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace immune {

class Manifest {
public:
  // Reads the module as the front end produced it, before the pass changes
  // anything: how results are used, what each function returns.
  void observe(const llvm::Module &M);

  // With the transactions placed after the inliner, the observation is made
  // before it (InlineBoundary.h): stash() observes M into a manifest kept
  // for it, and take() hands that one to ImmunePass (nullptr when none was
  // made). Functions the optimizer inlined away are then still listed, as
  // not protected, with what a policy line naming them would do.
  static void stash(const llvm::Module &M);
  static std::unique_ptr<Manifest> take(const llvm::Module &M);
  void protectedFunction(const llvm::Function &F, const std::string &Reason,
                         const ErrorValue &EV,
                         const std::vector<std::string> &Buffers);
  void notProtected(const llvm::Function &F, const std::string &Reason);
  // Writes DIR/<source basename>-<hash>.immune.json; returns an error
  // message, or "" on success.
  std::string write(const llvm::Module &M, const std::string &Dir);

private:
  struct Entry {
    bool Protected = false;
    std::string Reason, ErrorText, ErrorWhy;
    std::vector<std::string> Buffers;
  };
  std::map<const llvm::Function *, Entry> Entries;
  struct CallerFacts {
    unsigned Calls = 0, Checked = 0, Used = 0, Ignored = 0;
  };
  std::map<std::string, CallerFacts> Callers;
  std::map<std::string, ReturnFacts> Returns; // by symbol, as observed
  // The functions as observed, in module order: symbol, and what a policy
  // line naming one would make it return (text, why).
  struct Seen {
    std::string Sym, File, Line, ErrorText, ErrorWhy;
    bool Void = false;
  };
  std::vector<Seen> Observed;
};

} // namespace immune

#endif
