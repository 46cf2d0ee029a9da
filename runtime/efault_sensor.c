/* The system-call sensor: an overflow that goes through the kernel never
 * faults. recv() into a relocated buffer with a length past its end writes
 * up to the guard page and returns EFAULT (or a short count), the program's
 * own error handling runs, and nothing would say that an overflow was
 * stopped (nginx's discarded-body overflow). The receiving calls are
 * interposed; when one transferred less than it was asked to into a buffer
 * the request ran past, an event record says so (kind "stopped").
 *
 * The fast path is one compare: the check runs only when the call returned
 * less than asked (an error or a short transfer), and only the calling
 * thread's own guard slots are looked at. The real functions are resolved
 * at start-up; a call before that (an early constructor) is made as a raw
 * system call. Weak, like the rollback interceptors: a program that defines
 * its own read keeps it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "event_log.h"
#include "guard_pool.h"
#include "internal.h"
#include "options.h"

typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);

static read_fn real_read;
static pread_fn real_pread;
static recv_fn real_recv;
static recvfrom_fn real_recvfrom;

void immune_efault_sensor_init(void) {
  real_read = (read_fn)dlsym(RTLD_NEXT, "read");
  real_pread = (pread_fn)dlsym(RTLD_NEXT, "pread");
  real_recv = (recv_fn)dlsym(RTLD_NEXT, "recv");
  real_recvfrom = (recvfrom_fn)dlsym(RTLD_NEXT, "recvfrom");
}

/* The call `what` asked for len bytes into buf and got n (or -1). */
static void check(const char *what, void *buf, size_t len, ssize_t n, void *caller) {
  if (n >= 0 && (size_t)n >= len) return;
  int saved = errno;
  const struct __immune_buffer *b = immune_guard_overrun((uintptr_t)buf, len);
  if (b && immune_opts.mode != IMMUNE_MODE_OFF) {
    ucontext_t uc;
    getcontext(&uc);
    /* The report's pc is the call site in the program, not this file. */
    uc.uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)caller;
    struct immune_event ev = {IMMUNE_EV_STOPPED, 0, NULL, &uc, NULL, b, "EFAULT", what,
                              (uintptr_t)buf, NULL};
    struct __immune_tx *owner = immune_guard_owner((uintptr_t)buf);
    ev.site = owner ? owner->site : NULL;
    immune_log_event(&ev);
  }
  errno = saved;
}

#define SENSOR IMMUNE_EXPORT __attribute__((weak))

SENSOR ssize_t read(int fd, void *buf, size_t len) {
  ssize_t n = real_read ? real_read(fd, buf, len) : syscall(SYS_read, fd, buf, len);
  if (__builtin_expect(n < 0 || (size_t)n < len, 0))
    check("read() asked to write past the buffer; the kernel stopped at its guard page", buf,
          len, n, __builtin_return_address(0));
  return n;
}

SENSOR ssize_t pread(int fd, void *buf, size_t len, off_t off) {
  ssize_t n = real_pread ? real_pread(fd, buf, len, off) : syscall(SYS_pread64, fd, buf, len, off);
  if (__builtin_expect(n < 0 || (size_t)n < len, 0))
    check("pread() asked to write past the buffer; the kernel stopped at its guard page", buf,
          len, n, __builtin_return_address(0));
  return n;
}

/* The same function on x86-64 (off_t is 64 bits). */
SENSOR ssize_t pread64(int fd, void *buf, size_t len, off_t off) __attribute__((alias("pread")));

SENSOR ssize_t recv(int fd, void *buf, size_t len, int flags) {
  ssize_t n = real_recv ? real_recv(fd, buf, len, flags)
                        : syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
  if (__builtin_expect(n < 0 || (size_t)n < len, 0))
    check("recv() asked to write past the buffer; the kernel stopped at its guard page", buf,
          len, n, __builtin_return_address(0));
  return n;
}

SENSOR ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                        socklen_t *fromlen) {
  ssize_t n = real_recvfrom ? real_recvfrom(fd, buf, len, flags, from, fromlen)
                            : syscall(SYS_recvfrom, fd, buf, len, flags, from, fromlen);
  if (__builtin_expect(n < 0 || (size_t)n < len, 0))
    check("recvfrom() asked to write past the buffer; the kernel stopped at its guard page",
          buf, len, n, __builtin_return_address(0));
  return n;
}
