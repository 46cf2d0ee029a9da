// Which stack buffers nothing can write past: those DYBOC need not move.
//
// A guard-paged slot costs a buffer's function a slot allocation at entry,
// canaries, and a check at every exit (~100 instructions); in protect-all
// most of the buffers that cost it are arrays of a few bytes written at
// fixed indices (`char stop[3]`) or a va_list. A buffer qualifies when every
// use of its address is an access at a constant offset that lies inside it
// (loads, stores, constant-length memset/memcpy/memmove), a comparison, a
// lifetime or debug marker, or an argument the callee may only read and
// does not keep (`readonly`/`readnone` and `nocapture`, as LLVM knows for
// strlen, strcspn, memcmp, ...). A va_list qualifies when it is only used
// by the va_* intrinsics and passed to calls (the vprintf family): only the
// va_arg machinery writes it, within its bounds. Anything else — a variable
// index, the address stored or converted to an integer, a phi, a call that
// may write through it — keeps the buffer relocated.
#ifndef IMMUNE_PASS_BUFFERSAFETY_H
#define IMMUNE_PASS_BUFFERSAFETY_H

#include "llvm/IR/Instructions.h"

namespace immune {

// Whether every write (and every read at a constant offset) through AI's
// address provably stays inside AI.
bool accessesStayInside(const llvm::AllocaInst &AI);

} // namespace immune

#endif
