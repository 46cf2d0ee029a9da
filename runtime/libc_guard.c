/* Faults a transaction must not be healed from, because libc was in the
 * middle of its own work: a fault or an abort() inside malloc, free and
 * friends happens with the allocator's arena lock held (glibc's heap
 * consistency checks abort from inside _int_free). Resuming the
 * transaction would leave that lock held, and the next malloc in this
 * thread would deadlock. Such a fault escalates instead: it is reported and
 * the process dies as it would have without Immune.
 *
 * At start-up the address ranges of the allocator's entry points are looked
 * up (dlsym + the symbol's size); at fault time, only when the faulting
 * instruction is in libc, the first frames are walked and checked against
 * them (internal functions such as _int_malloc are not exported, but their
 * caller, malloc, is on the stack). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <ucontext.h>

#include "backtrace.h"
#include "internal.h"

static const char *const allocator_names[] = {
    "malloc", "free", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc",
    "posix_memalign", "valloc", "pvalloc", "malloc_trim", "malloc_usable_size",
    "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc", "__libc_memalign",
    "malloc_stats", "mallinfo2", "mallopt",
};
#define NUM_ALLOC (sizeof allocator_names / sizeof allocator_names[0])

static struct {
  uintptr_t lo, hi;
  const char *name;
} ranges[NUM_ALLOC];
static unsigned nranges;
static uintptr_t libc_lo, libc_hi; /* libc's executable segment */

static int find_exec_segment(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  uintptr_t probe = (uintptr_t)data;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    if (probe >= lo && probe < hi) {
      libc_lo = lo;
      libc_hi = hi;
      return 1;
    }
  }
  return 0;
}

void immune_libc_guard_init(void) {
  for (unsigned i = 0; i < NUM_ALLOC; ++i) {
    void *f = dlsym(RTLD_DEFAULT, allocator_names[i]);
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!f || !dladdr1(f, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !sym->st_size) continue;
    ranges[nranges].lo = (uintptr_t)f;
    ranges[nranges].hi = (uintptr_t)f + sym->st_size;
    ranges[nranges].name = allocator_names[i];
    ++nranges;
  }
  void *m = dlsym(RTLD_DEFAULT, "memcpy");
  if (m) dl_iterate_phdr(find_exec_segment, m);
}

const char *immune_libc_unsafe(const struct ucontext_t *ucv) {
  const ucontext_t *uc = (const ucontext_t *)ucv;
  uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  if (!nranges || pc < libc_lo || pc >= libc_hi) return NULL;
  uint64_t pcs[16];
  size_t n = immune_backtrace(uc, pcs, 16);
  for (size_t i = 0; i < n; ++i) {
    uintptr_t at = (uintptr_t)pcs[i] - (i ? 1 : 0);
    for (unsigned r = 0; r < nranges; ++r)
      if (at >= ranges[r].lo && at < ranges[r].hi) return ranges[r].name;
  }
  return NULL;
}
