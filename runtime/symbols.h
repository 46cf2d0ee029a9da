/* Symbolization of code addresses on the fault path, without allocation. */
#ifndef IMMUNE_RT_SYMBOLS_H
#define IMMUNE_RT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct immune_symbol {
  const char *module;   /* path of the object file, "" when unknown */
  uint64_t offset;      /* pc - load base of the module */
  const char *name;     /* containing function's symbol, NULL when unknown */
  uint64_t name_offset; /* pc - start of that function */
};

/* How much of a symbol name to report, at most limit: a transactional
 * clone (pass/UndoLog.cpp) is NAME.immune.tx, and reports say NAME. */
size_t immune_symbol_name_len(const char *name, size_t limit);

/* At start-up: map the main executable's symbol table. */
void immune_symbols_init(void);
/* Async-signal-safe (raw syscalls; dladdr takes only the loader's
 * recursive lock). */
void immune_symbolize(uint64_t pc, struct immune_symbol *out);

#endif
