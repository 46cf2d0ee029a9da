/* The runtime's own I/O, as raw system calls. The runtime interposes
 * open, close and friends (rollback_fds.c logs what a transaction opens);
 * its own files — the event log, syslog's socket, the symbol tables it
 * reads to name a frame — must not go through those interceptors, which
 * may take the rollback log (and the allocator) on the fault path. Raw
 * system calls are async-signal-safe; errno is set as libc would. */
#ifndef IMMUNE_RT_RAW_IO_H
#define IMMUNE_RT_RAW_IO_H

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int immune_raw_open(const char *path, int flags, int mode) {
  return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}
static inline int immune_raw_close(int fd) { return (int)syscall(SYS_close, fd); }
static inline int immune_raw_fstat(int fd, struct stat *st) {
  return (int)syscall(SYS_fstat, fd, st);
}
static inline long immune_raw_read(int fd, void *buf, size_t len) {
  return syscall(SYS_read, fd, buf, len);
}
static inline int immune_raw_socket(int domain, int type, int protocol) {
  return (int)syscall(SYS_socket, domain, type, protocol);
}
static inline int immune_raw_connect(int fd, const struct sockaddr *a, socklen_t len) {
  return (int)syscall(SYS_connect, fd, a, len);
}
static inline long immune_raw_send(int fd, const void *buf, size_t len, int flags) {
  return syscall(SYS_sendto, fd, buf, len, flags, (void *)0, 0);
}

#endif
