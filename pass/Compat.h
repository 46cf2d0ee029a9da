// Every #if on the LLVM version lives here, so the rest of the pass is
// written against one API. Immune is built and tested against LLVM 19.
#ifndef IMMUNE_PASS_COMPAT_H
#define IMMUNE_PASS_COMPAT_H

#include "llvm/Config/llvm-config.h"

#if LLVM_VERSION_MAJOR != 19
#error "Immune's pass plugin is written for LLVM 19 (see CMakeLists.txt)"
#endif

#endif
