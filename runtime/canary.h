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

/* The canary as an 8-byte load at `at` reads it: the word's bytes from
 * byte (at mod 8) on. So any run of 8 or more canary bytes, aligned or not,
 * is filled and checked a word at a time (the slack after a buffer whose
 * size is not a multiple of its alignment, the lead below a buffer that is
 * not 8-byte aligned: byte loops there were most of a slot's cost). */
static inline uint64_t immune_canary_word_at(uintptr_t at) {
  unsigned r = (unsigned)(at & 7) * 8;
  uint64_t w = immune_canary_word();
  return r ? (w >> r) | (w << (64 - r)) : w;
}

/* Fills [from, to) with canary: words from `from` (the last one ending at
 * `to`, overlapping the one before), bytes when there are fewer than 8. */
static inline void immune_canary_fill(uintptr_t from, uintptr_t to) {
  if (to - from < 8 || to < from) {
    for (; from < to; ++from) *(unsigned char *)from = immune_canary_byte(from);
    return;
  }
  uint64_t w = immune_canary_word_at(from), last = immune_canary_word_at(to - 8);
  for (; from + 8 <= to; from += 8) __builtin_memcpy((void *)from, &w, 8);
  __builtin_memcpy((void *)(to - 8), &last, 8);
}

static inline int immune_canary_ok(uintptr_t from, uintptr_t to) {
  if (to - from < 8 || to < from) {
    for (; from < to; ++from)
      if (*(const unsigned char *)from != immune_canary_byte(from)) return 0;
    return 1;
  }
  uint64_t w = immune_canary_word_at(from), last = immune_canary_word_at(to - 8), v;
  for (; from + 8 <= to; from += 8) {
    __builtin_memcpy(&v, (const void *)from, 8);
    if (v != w) return 0;
  }
  __builtin_memcpy(&v, (const void *)(to - 8), 8);
  return v == last;
}

#endif
