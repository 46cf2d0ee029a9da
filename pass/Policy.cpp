// See Policy.h. Parsing is llvm::SpecialCaseList's; this file adds the
// validation of prefixes and categories that SpecialCaseList leaves to its
// users, and turns its messages into "file:line:" diagnostics.
#include "Policy.h"
#include "ErrorValue.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace immune;

static constexpr const char *PolicySection = "immune";

// The first line of Text that contains Needle as a "prefix:" or "=category",
// for error messages about entries SpecialCaseList accepted but we do not.
static unsigned lineOf(StringRef Text, StringRef Needle) {
  unsigned No = 0;
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');
  for (StringRef L : Lines) {
    ++No;
    StringRef T = L.trim();
    if (T.starts_with("#")) continue;
    if (T.contains(Needle)) return No;
  }
  return 0;
}

// SpecialCaseList says "malformed line 3: 'x'" or "... on line 3 ..."; pull
// the number out so the message can lead with file:line like a compiler's.
static std::string withLocation(StringRef Path, StringRef Msg) {
  size_t At = Msg.find("line ");
  if (At != StringRef::npos) {
    StringRef Rest = Msg.drop_front(At + 5);
    StringRef Digits = Rest.take_while(isDigit);
    if (!Digits.empty())
      return (Path + ":" + Digits + ": " + Msg).str();
  }
  return (Path + ": " + Msg).str();
}

std::unique_ptr<Policy> Policy::load(StringRef Path, std::string &Error) {
  auto BufOr = MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!BufOr) {
    Error = (Path + ": cannot read policy file: " + BufOr.getError().message()).str();
    return nullptr;
  }
  // LLVM's line reader stops at a NUL byte, which would silently drop every
  // line after it: refuse such a file instead.
  StringRef Raw = (*BufOr)->getBuffer();
  size_t Nul = Raw.find('\0');
  if (Nul != StringRef::npos) {
    Error = (Path + ":" + Twine(Raw.take_front(Nul).count('\n') + 1) +
             ": NUL byte in the policy file (is it a text file?)")
                .str();
    return nullptr;
  }
  std::unique_ptr<Policy> P(new Policy());
  P->Path = Path.str();
  std::string ParseError;
  if (!P->createInternal(BufOr->get(), ParseError)) {
    Error = withLocation(Path, ParseError);
    return nullptr;
  }
  StringRef Text = (*BufOr)->getBuffer();
  for (const auto &Sec : P->Sections) {
    for (const auto &PrefixEntry : Sec.getValue().Entries) {
      StringRef Prefix = PrefixEntry.getKey();
      if (Prefix != "fun" && Prefix != "src") {
        Error = (Path + ":" + Twine(lineOf(Text, (Prefix + ":").str())) +
                 ": unknown prefix '" + Prefix +
                 "' (expected 'fun:' or 'src:')")
                    .str();
        return nullptr;
      }
      for (const auto &Cat : PrefixEntry.getValue()) {
        StringRef C = Cat.getKey();
        if (C.empty() || C == "skip" || C == "guard_heap") continue;
        std::string Why;
        uint64_t Ms;
        if (C.consume_front("return:")) {
          if (validErrorValueText(C, Why)) continue;
        } else if (C.consume_front("timeout_ms:")) {
          if (!C.getAsInteger(10, Ms) && Ms > 0) continue;
          Why = "timeout_ms needs a positive number of milliseconds";
        }
        if (Why.empty())
          Why = "unknown category (expected nothing, 'skip', 'return:VALUE', "
                "'timeout_ms:N' or 'guard_heap')";
        Error = (Path + ":" + Twine(lineOf(Text, ("=" + Cat.getKey()).str())) +
                 ": '" + Cat.getKey() + "': " + Why)
                    .str();
        return nullptr;
      }
    }
  }
  return P;
}

Policy::Decision Policy::lookup(ArrayRef<std::string> Names,
                                StringRef File) const {
  Decision D;
  unsigned ReturnLine = 0;
  auto Consider = [&](const SectionEntries &Entries, StringRef Prefix,
                      StringRef Query) {
    auto It = Entries.find(Prefix);
    if (It == Entries.end() || Query.empty()) return;
    for (const auto &Cat : It->getValue()) {
      unsigned Line = inSectionBlame(Entries, Prefix, Query, Cat.getKey());
      if (!Line) continue;
      D.Matched.push_back(Line);
      StringRef C = Cat.getKey();
      if (C == "skip") {
        D.Skip = true;
        D.Line = Line;
        continue;
      }
      D.Protect = true;
      if (!D.Line) D.Line = Line;
      if (C == "guard_heap") {
        D.GuardHeap = true;
        continue;
      }
      uint64_t Ms;
      if (C.consume_front("timeout_ms:") && !C.getAsInteger(10, Ms)) {
        D.TimeoutMs = Ms;
        continue;
      }
      if (C.consume_front("return:") && Line > ReturnLine) {
        ReturnLine = Line;
        D.Return = C.str();
      }
    }
  };
  for (const auto &Sec : Sections) {
    if (!Sec.getValue().SectionMatcher->match(PolicySection)) continue;
    const SectionEntries &E = Sec.getValue().Entries;
    for (const std::string &N : Names) Consider(E, "fun", N);
    Consider(E, "src", File);
  }
  if (D.Skip) {
    D.Protect = D.GuardHeap = false;
    D.Return.reset();
  }
  return D;
}
