// The pass's options, in the layers STYLE.md asks for: compile-time defaults,
// hidden cl::opts named immune-* (reachable with -mllvm when the plugin is
// also loaded with -Xclang -load, and directly from opt in lit tests), and
// environment variables read by the plugin itself, which is what the
// compiler wrappers use because clang 19 parses -mllvm before it loads
// -fpass-plugin plugins.
#ifndef IMMUNE_PASS_OPTIONS_H
#define IMMUNE_PASS_OPTIONS_H

#include <string>

namespace immune {

struct PassOptions {
  std::string PolicyPath; // -immune-policy / IMMUNE_POLICY
  bool ProtectAll = false; // -immune-protect-all / IMMUNE_PROTECT_ALL=1
  std::string ManifestDir; // -immune-manifest / IMMUNE_MANIFEST
  bool Dyboc = true;       // -immune-dyboc=false / IMMUNE_DYBOC=0: keep buffers on the stack
  bool Oracle = false;     // -immune-oracle / IMMUNE_ORACLE=1: relocate in every function
  bool Undo = true;        // -immune-undo=false / IMMUNE_UNDO=0: no memory undo log
  bool Elide = true;       // -immune-elide=false / IMMUNE_ELIDE=0: protect-all gives
                           // every function its own transaction (Elision.h)
  bool AfterInlining = true; // -immune-after-inlining=false / IMMUNE_AFTER_INLINING=0:
                             // transactions placed before the inliner (Plugin.cpp)
  // Not empty when an environment variable has a value that is neither on
  // nor off (IMMUNE_PROTECT_ALL=foo): the compilation fails with it.
  std::string Error;
};

// The options in force: a cl::opt given on the command line wins over the
// environment variable.
PassOptions currentOptions();

} // namespace immune

#endif
