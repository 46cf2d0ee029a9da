/* Canary bytes: what the runtime writes into the slack around a guarded
 * buffer (a relocated stack buffer, guard_pool.c; a guarded heap block,
 * guard_heap.c) and checks when the buffer is given back. An overflow too
 * small to reach the guard page changes them. */
#ifndef IMMUNE_RT_CANARY_H
#define IMMUNE_RT_CANARY_H

#include <stdint.h>

/* The process key, from the kernel's per-process random bytes once
 * immune_canary_init() ran (a fixed key before). */
extern uint64_t immune_canary_key;
/* Sets the key, once (pthread_once: callers race freely). */
void immune_canary_init(void);

/* The canary byte at an address: byte (address mod 8) of the process key,
 * never 0 (a stray NUL terminator is a change too). An 8-byte aligned word
 * of canary is therefore always immune_canary_word(). */
static inline unsigned char immune_canary_byte(uintptr_t at) {
  return (unsigned char)(immune_canary_key >> ((at & 7) * 8)) | 1;
}
static inline uint64_t immune_canary_word(void) { return immune_canary_key | 0x0101010101010101ull; }

/* Fills [from, to) with canary: bytes up to the first aligned word, words,
 * then bytes. */
static inline void immune_canary_fill(uintptr_t from, uintptr_t to) {
  for (; from < to && (from & 7); ++from) *(unsigned char *)from = immune_canary_byte(from);
  for (; from + 8 <= to; from += 8) *(uint64_t *)from = immune_canary_word();
  for (; from < to; ++from) *(unsigned char *)from = immune_canary_byte(from);
}

static inline int immune_canary_ok(uintptr_t from, uintptr_t to) {
  for (; from < to && (from & 7); ++from)
    if (*(const unsigned char *)from != immune_canary_byte(from)) return 0;
  for (; from + 8 <= to; from += 8)
    if (*(const uint64_t *)from != immune_canary_word()) return 0;
  for (; from < to; ++from)
    if (*(const unsigned char *)from != immune_canary_byte(from)) return 0;
  return 1;
}

#endif
