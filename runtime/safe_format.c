/* Async-signal-safe formatting: the fault path may not call snprintf (it can
 * allocate and take locks), so reports are built with these helpers into a
 * fixed buffer owned by the caller and written with one write(2). */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "internal.h"

void immune_buf_str(struct immune_buf *b, const char *s) {
  if (!s) s = "(null)";
  while (*s && b->len + 1 < b->cap) b->data[b->len++] = *s++;
  b->data[b->len] = '\0';
}

void immune_buf_udec(struct immune_buf *b, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n > 0 && b->len + 1 < b->cap) b->data[b->len++] = tmp[--n];
  b->data[b->len] = '\0';
}

void immune_buf_dec(struct immune_buf *b, int64_t v) {
  if (v < 0) {
    immune_buf_str(b, "-");
    immune_buf_udec(b, (uint64_t)0 - (uint64_t)v);
  } else {
    immune_buf_udec(b, (uint64_t)v);
  }
}

void immune_buf_hex(struct immune_buf *b, uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = digits[v & 0xf];
    v >>= 4;
  } while (v);
  immune_buf_str(b, "0x");
  while (n > 0 && b->len + 1 < b->cap) b->data[b->len++] = tmp[--n];
  b->data[b->len] = '\0';
}

void immune_write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    len -= (size_t)n;
  }
}

const char *immune_signal_name(int sig) {
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGABRT: return "SIGABRT";
  default: return "signal";
  }
}

const char *immune_si_code_name(int sig, int code) {
  switch (code) {
  case SI_USER: return "SI_USER";
  case SI_TKILL: return "SI_TKILL";
  case SI_QUEUE: return "SI_QUEUE";
  default: break;
  }
  if (code <= 0) return "SI_OTHER";
  switch (sig) {
  case SIGSEGV:
    switch (code) {
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    default: return "SEGV_OTHER";
    }
  case SIGBUS:
    switch (code) {
    case BUS_ADRALN: return "BUS_ADRALN";
    case BUS_ADRERR: return "BUS_ADRERR";
    case BUS_OBJERR: return "BUS_OBJERR";
    default: return "BUS_OTHER";
    }
  case SIGFPE:
    switch (code) {
    case FPE_INTDIV: return "FPE_INTDIV";
    case FPE_INTOVF: return "FPE_INTOVF";
    case FPE_FLTDIV: return "FPE_FLTDIV";
    case FPE_FLTINV: return "FPE_FLTINV";
    default: return "FPE_OTHER";
    }
  case SIGILL:
    switch (code) {
    case ILL_ILLOPC: return "ILL_ILLOPC";
    case ILL_ILLOPN: return "ILL_ILLOPN";
    case ILL_PRVOPC: return "ILL_PRVOPC";
    default: return "ILL_OTHER";
    }
  default: return "CODE";
  }
}
