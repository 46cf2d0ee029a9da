/* Descriptor rollback: files, sockets, pipes and FILE streams a transaction
 * opened and has not closed are closed when it aborts.
 *
 * Descriptor numbers are reused at once, often by another thread, so an
 * abort must never close a number that is no longer the transaction's.
 * Each logged descriptor gets a token in a process-wide table indexed by
 * the number; close(), fclose() and dup2() onto it — from any thread —
 * clear the token before the descriptor goes, and an abort closes only when
 * it can take the token back itself (compare-and-swap). A descriptor handed
 * to another thread and closed there is therefore never closed twice.
 *
 * A close inside a transaction is not undone (the descriptor is gone; the
 * kernel offers no way back): only what the aborted call opened is undone.
 * Interposed by symbol, forwarded through dlsym(RTLD_NEXT) like the other
 * interceptors; libc's internal opens (fopen's, tmpfile's) are not seen,
 * which is why fopen and fdopen are logged as streams themselves. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rollback.h"

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dir, const char *path, int flags);
int __openat64_2(int dir, const char *path, int flags);

static _Atomic uint32_t fd_token[RLOG_MAX_FD];
static _Atomic uint32_t last_token;

static struct {
  __typeof__(&open) open, open64;
  __typeof__(&openat) openat, openat64;
  __typeof__(&creat) creat, creat64;
  __typeof__(&__open_2) open_2, open64_2;
  __typeof__(&__openat_2) openat_2, openat64_2;
  __typeof__(&socket) socket;
  __typeof__(&socketpair) socketpair;
  __typeof__(&accept) accept;
  __typeof__(&accept4) accept4;
  __typeof__(&dup) dup;
  __typeof__(&dup2) dup2;
  __typeof__(&dup3) dup3;
  __typeof__(&pipe) pipe;
  __typeof__(&pipe2) pipe2;
  __typeof__(&close) close;
  __typeof__(&fopen) fopen, fopen64;
  __typeof__(&fdopen) fdopen;
  __typeof__(&fclose) fclose;
} real;

#define RESOLVE(field, name) \
  if (!real.field) real.field = (__typeof__(real.field))dlsym(RTLD_NEXT, name)

static const struct rlog_ops fds_ops;

int immune_fds_rollback_init(void) {
  immune_rlog_register(RLOG_FDS, &fds_ops);
  RESOLVE(open, "open");
  RESOLVE(open64, "open64");
  RESOLVE(openat, "openat");
  RESOLVE(openat64, "openat64");
  RESOLVE(creat, "creat");
  RESOLVE(creat64, "creat64");
  RESOLVE(open_2, "__open_2");
  RESOLVE(open64_2, "__open64_2");
  RESOLVE(openat_2, "__openat_2");
  RESOLVE(openat64_2, "__openat64_2");
  RESOLVE(socket, "socket");
  RESOLVE(socketpair, "socketpair");
  RESOLVE(accept, "accept");
  RESOLVE(accept4, "accept4");
  RESOLVE(dup, "dup");
  RESOLVE(dup2, "dup2");
  RESOLVE(dup3, "dup3");
  RESOLVE(pipe, "pipe");
  RESOLVE(pipe2, "pipe2");
  RESOLVE(close, "close");
  RESOLVE(fopen, "fopen");
  RESOLVE(fopen64, "fopen64");
  RESOLVE(fdopen, "fdopen");
  RESOLVE(fclose, "fclose");
  /* close, dup2 and fclose give tokens back: without them an abort could
   * close a number that is someone else's by then. */
  return immune_runtime_owns((const void *)open) && immune_runtime_owns((const void *)close) &&
         immune_runtime_owns((const void *)dup2) && immune_runtime_owns((const void *)fclose);
}

/* Resolved on first use when called before start-up (by a constructor). */
#define REAL(field) \
  (__builtin_expect(real.field != NULL, 1) ? real.field : (immune_fds_rollback_init(), real.field))
#define IN_TX() __builtin_expect(__immune_thread.tx_top != NULL, 0)

/* fd was opened inside a transaction (as `stream` when that is set). */
static void opened(int fd, FILE *stream) {
  if (fd < 0) return;
  struct rlog_thread *t = immune_rlog_enter(RLOG_FDS);
  if (!t) return;
  if (fd >= RLOG_MAX_FD) {
    immune_rlog_lost(t, __immune_thread.tx_top);
  } else {
    uint32_t token;
    do token = atomic_fetch_add(&last_token, 1) + 1;
    while (!token);
    uintptr_t obj = stream ? (uintptr_t)stream : (uintptr_t)fd;
    if (immune_rlog_append(t, __immune_thread.tx_top, RLOG_FDS, obj, stream ? RLOG_STREAM : RLOG_FD, token, fd) >= 0)
      atomic_store(&fd_token[fd], token);
  }
  immune_rlog_leave(t);
}

/* fd is closed or replaced: whoever logged it must not close it again.
 * Returns whether it had been logged. */
static int disown(int fd) {
  if (fd < 0 || fd >= RLOG_MAX_FD || !atomic_load_explicit(&fd_token[fd], memory_order_relaxed))
    return 0;
  return atomic_exchange(&fd_token[fd], 0) != 0;
}

/* Reclaims the log entry of a descriptor this transaction just closed when
 * it is among the last few (the usual open-use-close); any other goes at
 * the next compaction, its token being gone. */
static void forget(enum rlog_kind kind, uintptr_t obj) {
  if (!immune_rlog_self) return;
  struct rlog_thread *t = immune_rlog_enter(RLOG_FDS);
  if (!t) return;
  int64_t i = immune_rlog_find(t, RLOG_FDS, kind, obj, 8);
  if (i >= 0) immune_rlog_drop(t, RLOG_FDS, (uint32_t)i);
  immune_rlog_leave(t);
}

/* A descriptor out of a call inside a transaction is logged. */
static inline int log_opened(int fd) {
  if (IN_TX()) opened(fd, NULL);
  return fd;
}

/* open's third argument is there only when the flags create a file. Read
 * in the variadic interceptor itself (va_start must be). */
#define MODE_ARG(flags)                                                     \
  ({                                                                        \
    mode_t mode_ = 0;                                                       \
    if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {        \
      va_list ap_;                                                          \
      va_start(ap_, flags);                                                 \
      mode_ = va_arg(ap_, mode_t);                                          \
      va_end(ap_);                                                          \
    }                                                                       \
    mode_;                                                                  \
  })

/* ---- the interceptors ------------------------------------------------------ */

ROLLBACK_INTERCEPTOR int open(const char *path, int flags, ...) {
  return log_opened(REAL(open)(path, flags, MODE_ARG(flags)));
}
ROLLBACK_INTERCEPTOR int open64(const char *path, int flags, ...) {
  return log_opened(REAL(open64)(path, flags, MODE_ARG(flags)));
}
ROLLBACK_INTERCEPTOR int openat(int dir, const char *path, int flags, ...) {
  return log_opened(REAL(openat)(dir, path, flags, MODE_ARG(flags)));
}
ROLLBACK_INTERCEPTOR int openat64(int dir, const char *path, int flags, ...) {
  return log_opened(REAL(openat64)(dir, path, flags, MODE_ARG(flags)));
}

/* One descriptor out, whatever the arguments. */
#define FD_INTERCEPTOR(name, field, params, args) \
  ROLLBACK_INTERCEPTOR int name params { return log_opened(REAL(field) args); }
FD_INTERCEPTOR(creat, creat, (const char *path, mode_t mode), (path, mode))
FD_INTERCEPTOR(creat64, creat64, (const char *path, mode_t mode), (path, mode))
/* _FORTIFY_SOURCE's versions of open without a mode. */
FD_INTERCEPTOR(__open_2, open_2, (const char *path, int flags), (path, flags))
FD_INTERCEPTOR(__open64_2, open64_2, (const char *path, int flags), (path, flags))
FD_INTERCEPTOR(__openat_2, openat_2, (int dir, const char *path, int flags), (dir, path, flags))
FD_INTERCEPTOR(__openat64_2, openat64_2, (int dir, const char *path, int flags),
               (dir, path, flags))
FD_INTERCEPTOR(socket, socket, (int domain, int type, int protocol), (domain, type, protocol))
FD_INTERCEPTOR(accept, accept, (int sock, __SOCKADDR_ARG addr, socklen_t *len), (sock, addr, len))
FD_INTERCEPTOR(accept4, accept4, (int sock, __SOCKADDR_ARG addr, socklen_t *len, int flags),
               (sock, addr, len, flags))
FD_INTERCEPTOR(dup, dup, (int old), (old))

/* Two descriptors out. */
#define PAIR_INTERCEPTOR(name, field, params, args) \
  ROLLBACK_INTERCEPTOR int name params {                  \
    int rc = REAL(field) args;                      \
    if (IN_TX() && rc == 0) {                       \
      opened(fds[0], NULL);                         \
      opened(fds[1], NULL);                         \
    }                                               \
    return rc;                                      \
  }
PAIR_INTERCEPTOR(pipe, pipe, (int fds[2]), (fds))
PAIR_INTERCEPTOR(pipe2, pipe2, (int fds[2], int flags), (fds, flags))
PAIR_INTERCEPTOR(socketpair, socketpair, (int domain, int type, int protocol, int fds[2]),
                 (domain, type, protocol, fds))

/* dup2/dup3 onto a number closes what was there. The result is the
 * transaction's to close on abort only when that number was free before
 * (or logged itself): replacing a descriptor from before the transaction
 * cannot be undone, and closing it on abort would only make things worse. */
static int dup_onto(int old, int fd, int flags, int three) {
  int was_open = 0;
  if (IN_TX() && old != fd) {
    int saved = errno;
    was_open = fcntl(fd, F_GETFD) != -1;
    errno = saved;
  }
  int had_token = old != fd ? disown(fd) : 0;
  int rc = three ? REAL(dup3)(old, fd, flags) : REAL(dup2)(old, fd);
  if (IN_TX() && rc >= 0 && old != fd && (!was_open || had_token)) opened(rc, NULL);
  return rc;
}
ROLLBACK_INTERCEPTOR int dup2(int old, int fd) { return dup_onto(old, fd, 0, 0); }
ROLLBACK_INTERCEPTOR int dup3(int old, int fd, int flags) { return dup_onto(old, fd, flags, 1); }

ROLLBACK_INTERCEPTOR int close(int fd) {
  if (disown(fd) && IN_TX()) forget(RLOG_FD, (uintptr_t)fd);
  return REAL(close)(fd);
}

/* The descriptor under a stream, or -1 (memory streams have none; errno is
 * kept: fileno sets it for them). */
static int stream_fd(FILE *f) {
  int saved = errno, fd = fileno_unlocked(f);
  errno = saved;
  return fd;
}

ROLLBACK_INTERCEPTOR FILE *fopen(const char *path, const char *mode) {
  FILE *f = REAL(fopen)(path, mode);
  if (IN_TX() && f) opened(stream_fd(f), f);
  return f;
}

ROLLBACK_INTERCEPTOR FILE *fopen64(const char *path, const char *mode) {
  FILE *f = REAL(fopen64)(path, mode);
  if (IN_TX() && f) opened(stream_fd(f), f);
  return f;
}

/* A descriptor a transaction opened becomes a stream's: the stream is
 * logged with a new token, so the descriptor's own entry no longer closes
 * it (fclose will). A stream over a descriptor from before the transaction
 * is not logged: closing it on abort would close that descriptor. */
ROLLBACK_INTERCEPTOR FILE *fdopen(int fd, const char *mode) {
  FILE *f = REAL(fdopen)(fd, mode);
  if (IN_TX() && f && fd >= 0 && fd < RLOG_MAX_FD && atomic_load(&fd_token[fd])) opened(fd, f);
  return f;
}

ROLLBACK_INTERCEPTOR int fclose(FILE *f) {
  if (f && disown(stream_fd(f)) && IN_TX()) forget(RLOG_STREAM, (uintptr_t)f);
  return REAL(fclose)(f);
}

/* ---- log actions ------------------------------------------------------------- */

/* An entry is the descriptor's as long as the descriptor still carries
 * its token: a close, dup2 or fdopen since took it away. */
static int fds_live(const struct rlog_entry *e) {
  return atomic_load(&fd_token[e->fd]) == e->token;
}

static enum rlog_undone fds_undo(struct rlog_thread *t, struct rlog_entry *e) {
  (void)t;
  if (e->kind != RLOG_FD && e->kind != RLOG_STREAM) return RLOG_UNDID_NOTHING;
  uint32_t token = e->token;
  if (!atomic_compare_exchange_strong(&fd_token[e->fd], &token, 0)) return RLOG_UNDID_NOTHING;
  if (e->kind == RLOG_FD)
    REAL(close)(e->fd);
  else
    REAL(fclose)((FILE *)e->obj);
  return RLOG_UNDID_CLOSE;
}

/* Committed or given up: the descriptor is the program's, and no later
 * abort may close it. */
static void fds_commit(struct rlog_thread *t, struct rlog_entry *e) {
  (void)t;
  if (e->kind != RLOG_FD && e->kind != RLOG_STREAM) return;
  uint32_t token = e->token;
  atomic_compare_exchange_strong(&fd_token[e->fd], &token, 0);
}

static const struct rlog_ops fds_ops = {
    .undo = fds_undo,
    .commit = fds_commit,
    .give_up = fds_commit,
    .live = fds_live,
};
