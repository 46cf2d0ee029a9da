/* Names for the frames of a fault report. dladdr gives the module and, for
 * exported functions, the name; the full ELF symbol table (.symtab, with
 * static and hidden functions) of each module is mapped read-only from its
 * file — the main executable's at start-up, others the first time a fault
 * needs them, with open/mmap, which are async-signal-safe system calls.
 * File and line are left to tools that run later (immune-symbolize), since
 * reading DWARF needs memory we may not allocate here. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "raw_io.h"
#include "symbols.h"

#define MAX_MODULES 32

struct module {
  _Atomic int state; /* 0 free, 1 loading, 2 ready, 3 failed */
  uintptr_t base;    /* dli_fbase: load address of the ELF header */
  const Elf64_Sym *syms;
  size_t nsyms;
  const char *strs;
  size_t strs_size;
  uint64_t vaddr_bias; /* st_value + bias = offset from base */
};

static struct module modules[MAX_MODULES];

static void load_symtab(struct module *m, const char *path) {
  int fd = immune_raw_open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return;
  struct stat st;
  void *map = MAP_FAILED;
  if (immune_raw_fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(Elf64_Ehdr))
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  immune_raw_close(fd);
  if (map == MAP_FAILED) return;
  const unsigned char *f = map;
  size_t size = (size_t)st.st_size;
  const Elf64_Ehdr *eh = map;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
    return;
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
  const Elf64_Shdr *best = NULL;
  for (unsigned i = 0; i < eh->e_shnum; ++i)
    if (sh[i].sh_type == SHT_SYMTAB || (!best && sh[i].sh_type == SHT_DYNSYM))
      if (!best || sh[i].sh_type == SHT_SYMTAB) best = &sh[i];
  if (!best || best->sh_link >= eh->e_shnum) return;
  const Elf64_Shdr *strsh = &sh[best->sh_link];
  if (best->sh_offset + best->sh_size > size || strsh->sh_offset + strsh->sh_size > size)
    return;
  /* Offsets of code from the load base: st_value minus the vaddr of the
   * first PT_LOAD (0 for PIE and shared objects, 0x400000 for non-PIE). */
  uint64_t first_load = 0;
  if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) <= size) {
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; ++i)
      if (ph[i].p_type == PT_LOAD) {
        first_load = ph[i].p_vaddr - ph[i].p_offset;
        break;
      }
  }
  m->syms = (const Elf64_Sym *)(f + best->sh_offset);
  m->nsyms = best->sh_size / sizeof(Elf64_Sym);
  m->strs = (const char *)(f + strsh->sh_offset);
  m->strs_size = strsh->sh_size;
  m->vaddr_bias = first_load;
}

static struct module *module_for(uintptr_t base, const char *path) {
  for (int i = 0; i < MAX_MODULES; ++i) {
    struct module *m = &modules[i];
    int s = atomic_load(&m->state);
    if (s != 0 && m->base == base) return s == 2 ? m : NULL;
    if (s == 0) {
      int expected = 0;
      if (!atomic_compare_exchange_strong(&m->state, &expected, 1)) {
        --i; /* somebody took this slot; look at it again */
        continue;
      }
      m->base = base;
      load_symtab(m, path);
      atomic_store(&m->state, m->syms ? 2 : 3);
      return m->syms ? m : NULL;
    }
  }
  return NULL;
}

static uintptr_t main_base;
static char main_path[4096];

void immune_symbols_init(void) {
  /* The executable's load base from its program headers (AT_PHDR) and the
   * PT_PHDR entry's link-time address: works for PIE and non-PIE alike. */
  const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
  unsigned long n = getauxval(AT_PHNUM);
  for (unsigned long i = 0; ph && i < n; ++i)
    if (ph[i].p_type == PT_PHDR) main_base = (uintptr_t)ph - ph[i].p_vaddr;
  ssize_t len = readlink("/proc/self/exe", main_path, sizeof main_path - 1);
  main_path[len > 0 ? len : 0] = '\0';
  if (main_base) module_for(main_base, "/proc/self/exe");
}

void immune_symbolize(uint64_t pc, struct immune_symbol *out) {
  memset(out, 0, sizeof *out);
  out->module = "";
  Dl_info info;
  if (!dladdr((void *)(uintptr_t)pc, &info) || !info.dli_fbase) return;
  uintptr_t base = (uintptr_t)info.dli_fbase;
  out->module = info.dli_fname ? info.dli_fname : "";
  out->offset = pc - base;
  if (info.dli_sname && info.dli_saddr) {
    out->name = info.dli_sname;
    out->name_offset = pc - (uint64_t)(uintptr_t)info.dli_saddr;
  }
  const char *path = out->module;
  if (base == main_base) {
    path = "/proc/self/exe";
    out->module = main_path;
  }
  struct module *m = module_for(base, path);
  if (!m) return;
  uint64_t off = out->offset + m->vaddr_bias;
  const Elf64_Sym *best = NULL;
  for (size_t i = 0; i < m->nsyms; ++i) {
    const Elf64_Sym *s = &m->syms[i];
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_value == 0) continue;
    if (off >= s->st_value && off < s->st_value + (s->st_size ? s->st_size : 1))
      if (!best || s->st_value > best->st_value) best = s;
  }
  if (best && best->st_name < m->strs_size) {
    out->name = m->strs + best->st_name;
    out->name_offset = off - best->st_value;
  }
}

size_t immune_symbol_name_len(const char *name, size_t limit) {
  const char *clone = strstr(name, ".immune.tx");
  size_t n = clone ? (size_t)(clone - name) : strlen(name);
  return n < limit ? n : limit;
}
