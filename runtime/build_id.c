/* The main program's GNU build id, read once at start-up from its
 * NT_GNU_BUILD_ID note, so every JSON record says which binary it came
 * from: records collected from a fleet group by build, and a vaccine made
 * from one is tested against the same bytes (docs/live.md). Not fault-path
 * code: it runs before any handler is installed. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>

#include "event_log.h"

/* 20 bytes of SHA-1 are usual; up to 64 are kept. */
char immune_build_id[129];

static int first_object(struct dl_phdr_info *info, size_t size, void *unused) {
  (void)size;
  (void)unused;
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) continue;
    const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
      const char *name = p + sizeof *n;
      const unsigned char *desc = (const unsigned char *)name + ((n->n_namesz + 3) & ~3u);
      if ((const char *)desc + n->n_descsz > end) break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        size_t len = n->n_descsz < 64 ? n->n_descsz : 64;
        for (size_t k = 0; k < len; ++k) {
          immune_build_id[2 * k] = hex[desc[k] >> 4];
          immune_build_id[2 * k + 1] = hex[desc[k] & 15];
        }
        immune_build_id[2 * len] = 0;
        return 1;
      }
      p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
    }
  }
  return 1; /* the first object is the main program: stop either way */
}

void immune_build_id_init(void) { dl_iterate_phdr(first_object, NULL); }
