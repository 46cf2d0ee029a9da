// See Options.h.
#include "Options.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <cstdlib>

using namespace llvm;

static cl::opt<std::string>
    PolicyOpt("immune-policy", cl::Hidden, cl::value_desc("path"),
              cl::desc("Immune policy file (special-case-list syntax) "
                       "selecting functions to protect; env IMMUNE_POLICY"));

static cl::opt<bool>
    ProtectAllOpt("immune-protect-all", cl::Hidden,
                  cl::desc("Protect every function that can be protected; "
                           "env IMMUNE_PROTECT_ALL=1"));

static cl::opt<std::string>
    ManifestOpt("immune-manifest", cl::Hidden, cl::value_desc("dir"),
                cl::desc("Write a JSON manifest of each module's functions "
                         "into this directory; env IMMUNE_MANIFEST"));

static cl::opt<bool>
    DybocOpt("immune-dyboc", cl::Hidden, cl::init(true),
             cl::desc("Move the stack buffers of protected functions to "
                      "guard-paged slots (default on); env IMMUNE_DYBOC=0"));

static cl::opt<bool>
    OracleOpt("immune-oracle", cl::Hidden,
              cl::desc("Oracle mode: move the stack buffers of every function "
                       "to guard-paged slots, without transactions; env "
                       "IMMUNE_ORACLE=1"));

static cl::opt<bool>
    UndoOpt("immune-undo", cl::Hidden, cl::init(true),
            cl::desc("Log the stores of protected functions (and of the "
                     "transactional clones of their callees in the module) so "
                     "an abort undoes them (default on); env IMMUNE_UNDO=0"));

static cl::opt<bool>
    ElideOpt("immune-elide", cl::Hidden, cl::init(true),
             cl::desc("Under protect-all, leaves with no stores outside their "
                      "frame and no buffers run inside their callers' "
                      "transactions (default on); env IMMUNE_ELIDE=0"));

static cl::opt<bool> AfterInliningOpt(
    "immune-after-inlining", cl::Hidden, cl::init(true),
    cl::desc("Place the transactions after the inliner, so a function inlined "
             "into a protected caller runs inside the caller's transaction "
             "(default on; off: every selected function keeps its own, as "
             "before the inliner); env IMMUNE_AFTER_INLINING=0"));

// An on/off environment variable: 1/true/yes/on, or 0/false/no/off or
// empty. Anything else is an error (IMMUNE_PROTECT_ALL=foo used to mean on)
// kept in *Error for the pass to report; the default stands meanwhile.
static bool envFlag(const char *Name, bool Default, std::string &Error) {
  const char *V = std::getenv(Name);
  if (!V) return Default;
  StringRef S(V);
  if (S == "1" || S.equals_insensitive("true") || S.equals_insensitive("yes") ||
      S.equals_insensitive("on"))
    return true;
  if (S.empty() || S == "0" || S.equals_insensitive("false") || S.equals_insensitive("no") ||
      S.equals_insensitive("off"))
    return false;
  if (Error.empty())
    Error = std::string(Name) + "=" + V +
            " in the environment: expected 1 or 0 (or true/false, yes/no, on/off)";
  return Default;
}

immune::PassOptions immune::currentOptions() {
  PassOptions O;
  if (PolicyOpt.getNumOccurrences())
    O.PolicyPath = PolicyOpt;
  else if (const char *P = std::getenv("IMMUNE_POLICY"))
    O.PolicyPath = P;
  O.ProtectAll = ProtectAllOpt.getNumOccurrences() ? bool(ProtectAllOpt)
                                                    : envFlag("IMMUNE_PROTECT_ALL", false, O.Error);
  O.Dyboc = DybocOpt.getNumOccurrences() ? bool(DybocOpt) : envFlag("IMMUNE_DYBOC", true, O.Error);
  O.Undo = UndoOpt.getNumOccurrences() ? bool(UndoOpt) : envFlag("IMMUNE_UNDO", true, O.Error);
  O.Elide = ElideOpt.getNumOccurrences() ? bool(ElideOpt) : envFlag("IMMUNE_ELIDE", true, O.Error);
  O.AfterInlining = AfterInliningOpt.getNumOccurrences() ? bool(AfterInliningOpt)
                                                          : envFlag("IMMUNE_AFTER_INLINING", true, O.Error);
  O.Oracle = OracleOpt.getNumOccurrences() ? bool(OracleOpt) : envFlag("IMMUNE_ORACLE", false, O.Error);
  if (ManifestOpt.getNumOccurrences())
    O.ManifestDir = ManifestOpt;
  else if (const char *D = std::getenv("IMMUNE_MANIFEST"))
    O.ManifestDir = D;
  return O;
}
