/* The floor of an inline checkpoint on this machine: what the pieces of the
 * ABI v3 fast path cost on their own, in a plain C program (no Immune), so a
 * change to the fast path can be judged against what is physically there.
 *
 *   clang-19 -O2 -falign-functions=64 bench/checkpoint_floor.c -o floor
 *   taskset -c 1 ./floor          (best of 5 x 20M calls each, ns per call)
 *
 *   plain     a noinline one-load function
 *   setjmp    the same with __builtin_setjmp on a frame buffer: what the
 *             compiler adds when every register is clobbered at a resume
 *             point (callee-saved pushes, the arguments spilled to the frame)
 *   callbr    the same with an asm-goto checkpoint that stores rbx, rbp,
 *             r12-r15, rsp and the resume address and clobbers the rest
 *   tls       the transaction-stack push and pop alone (TLS block, record)
 *   both      setjmp + tls: the shape of ABI v3's fast path without its
 *             marks, site and return-address words
 * (docs/performance.md has the figures.) */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct rec {
  uint64_t w[8];
  struct rec *prev;
};
struct thread {
  struct rec *top, *base;
};
static __thread struct thread T __attribute__((tls_model("initial-exec")));
static struct rec records[64];
static struct rec asm_rec;

__attribute__((noinline)) int plain(const int *p, int i) { return p[i]; }

__attribute__((noinline)) int setjmp_only(const int *p, int i) {
  void *buf[5];
  buf[0] = __builtin_frame_address(0);
  if (__builtin_setjmp(buf)) return -1;
  return p[i];
}

__attribute__((noinline)) int callbr_only(const int *p, int i) {
  struct rec *r = &asm_rec;
  __asm__ goto("movq %%rbx, 0(%0)\n\tmovq %%rbp, 8(%0)\n\tmovq %%r12, 16(%0)\n\t"
               "movq %%r13, 24(%0)\n\tmovq %%r14, 32(%0)\n\tmovq %%r15, 40(%0)\n\t"
               "movq %%rsp, 48(%0)\n\tleaq %l[resume](%%rip), %%rax\n\tmovq %%rax, 56(%0)"
               : : "r"(r)
               : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc",
                 "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                 "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
               : resume);
  return p[i];
resume:
  return -1;
}

#define PUSH                                                                   \
  struct rec *top = T.top, *rec = top ? top + 1 : T.base;                      \
  T.top = rec;                                                                 \
  rec->prev = top;
#define POP                                                                    \
  {                                                                            \
    struct rec *self = T.top;                                                  \
    T.top = self == T.base ? NULL : self - 1;                                  \
  }

__attribute__((noinline)) int tls_only(const int *p, int i) {
  PUSH
  int v = p[i];
  POP
  return v;
}

__attribute__((noinline)) int both(const int *p, int i) {
  PUSH
  rec->w[0] = (uint64_t)__builtin_frame_address(0);
  if (__builtin_setjmp((void **)rec)) return -1;
  int v = p[i];
  POP
  return v;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static const int data[4] = {1, 2, 3, 4};
static volatile int sink;

static void run(const char *name, int (*fn)(const int *, int)) {
  double best = 1e18;
  for (int r = 0; r < 5; ++r) {
    double t0 = now_ns();
    int s = 0;
    for (int k = 0; k < 20000000; ++k) s += fn(data, k & 3);
    double t = (now_ns() - t0) / 20000000;
    if (t < best) best = t;
    sink += s;
  }
  printf("%-8s %.2f ns\n", name, best);
}

int main(void) {
  T.base = records;
  run("plain", plain);
  run("setjmp", setjmp_only);
  run("callbr", callbr_only);
  run("tls", tls_only);
  run("both", both);
  run("plain", plain);
  return 0;
}
