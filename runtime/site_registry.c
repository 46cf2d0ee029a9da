/* The registry of protected functions. Each instrumented module registers
 * its table of sites from a constructor and unregisters it from its
 * destructor (a dlclose()d module is unmapped right after); the runtime
 * links the sites through their own `next` field, so registration never
 * allocates and the fault path can count aborts in place. The fault path
 * never walks the registry (it has tx->site), so the walks and the updates
 * share a spinlock: a plain flag, not a pthread mutex, which the rollback
 * interceptors would log. */
#include <stdatomic.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "event_log.h"
#include "internal.h"
#include "options.h"
#include "vaccine.h"
#include "immune/immune.h"

static struct __immune_site *registry;
static atomic_flag registry_busy = ATOMIC_FLAG_INIT;

void immune_registry_lock(void) {
  while (atomic_flag_test_and_set_explicit(&registry_busy, memory_order_acquire))
    sched_yield();
}
void immune_registry_unlock(void) {
  atomic_flag_clear_explicit(&registry_busy, memory_order_release);
}
struct __immune_site *immune_registry_first(void) { return registry; }

/* Whether `name` is in the comma-separated list `list`. */
static int listed(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

static void warn_abi(const struct __immune_site *s) {
  char line[256];
  struct immune_buf b = {line, 0, sizeof line};
  immune_buf_str(&b, "immune: ignoring site ");
  immune_buf_str(&b, s->function);
  immune_buf_str(&b, " built for ABI v");
  immune_buf_udec(&b, s->abi_version);
  immune_buf_str(&b, ", runtime is v");
  immune_buf_udec(&b, IMMUNE_ABI_VERSION);
  immune_buf_str(&b, "\n");
  immune_write_all(2, b.data, b.len);
}

IMMUNE_EXPORT void __immune_register_sites_v4(struct __immune_site **sites,
                                              uint64_t count) {
  immune_rt_init();
  immune_registry_lock();
  for (uint64_t i = 0; i < count; ++i) {
    struct __immune_site *s = sites[i];
    if (s->abi_version != IMMUNE_ABI_VERSION) {
      warn_abi(s);
      continue;
    }
    if (immune_opts.inject[0] &&
        (listed(immune_opts.inject, s->function) || listed(immune_opts.inject, s->symbol))) {
      __atomic_fetch_or(&s->flags, IMMUNE_SITE_INJECT, __ATOMIC_RELAXED);
      immune_tx_stack_arm_injection();
    }
    if (s->flags & IMMUNE_SITE_GUARD_HEAP)
      __atomic_fetch_or(&s->flags, IMMUNE_SITE_GUARD_HEAP_BUILT, __ATOMIC_RELAXED);
    immune_vaccine_site_registered(s);
    s->next = registry;
    registry = s;
  }
  immune_registry_unlock();
}

IMMUNE_EXPORT void __immune_unregister_sites_v4(struct __immune_site **sites,
                                                uint64_t count) {
  /* Mark, then one walk: a search per site made the exit of a program with
   * many protected functions quadratic (252 ms for 16,000). */
  immune_registry_lock();
  for (uint64_t i = 0; i < count; ++i)
    __atomic_fetch_or(&sites[i]->flags, IMMUNE_SITE_LEAVING, __ATOMIC_RELAXED);
  for (struct __immune_site **p = &registry; *p;) {
    struct __immune_site *s = *p;
    if (__atomic_load_n(&s->flags, __ATOMIC_RELAXED) & IMMUNE_SITE_LEAVING) {
      *p = s->next;
      __atomic_fetch_and(&s->flags, ~IMMUNE_SITE_LEAVING, __ATOMIC_RELAXED);
    } else {
      p = &s->next;
    }
  }
  /* A site of the table that was never linked (another ABI version). */
  for (uint64_t i = 0; i < count; ++i)
    __atomic_fetch_and(&sites[i]->flags, ~IMMUNE_SITE_LEAVING, __ATOMIC_RELAXED);
  immune_registry_unlock();
}

void immune_count_abort(struct __immune_site *site) {
  __atomic_fetch_add(&site->aborts, 1, __ATOMIC_RELAXED);
}

IMMUNE_EXPORT uint64_t immune_function_aborts(const char *function) {
  uint64_t total = 0;
  immune_registry_lock();
  for (struct __immune_site *s = registry; s; s = s->next)
    if (strcmp(s->function, function) == 0 || strcmp(s->symbol, function) == 0)
      total += __atomic_load_n(&s->aborts, __ATOMIC_RELAXED);
  immune_registry_unlock();
  return total;
}

IMMUNE_EXPORT int immune_function_armed(const char *function) {
  int armed = -1;
  immune_registry_lock();
  for (struct __immune_site *s = registry; s; s = s->next)
    if (strcmp(s->function, function) == 0 || strcmp(s->symbol, function) == 0)
      armed = armed == 1 || !immune_site_dormant(s);
  immune_registry_unlock();
  return armed;
}

IMMUNE_EXPORT size_t immune_stats(immune_stat *out, size_t max) {
  size_t n = 0;
  immune_registry_lock();
  for (struct __immune_site *s = registry; s; s = s->next, ++n) {
    if (n < max) {
      out[n].function = s->function;
      out[n].file = s->file;
      out[n].error_value = immune_site_error_text(s);
      out[n].aborts = __atomic_load_n(&s->aborts, __ATOMIC_RELAXED);
    }
  }
  immune_registry_unlock();
  return n;
}

void immune_dump_stats(void) {
  char line[1024];
  int header = 0;
  immune_registry_lock();
  for (struct __immune_site *s = registry; s; s = s->next) {
    uint64_t n = __atomic_load_n(&s->aborts, __ATOMIC_RELAXED);
    if (!n) continue;
    struct immune_buf b = {line, 0, sizeof line};
    if (!header) {
      immune_buf_str(&b, "immune: aborted transactions by function (pid ");
      immune_buf_dec(&b, getpid());
      immune_buf_str(&b, "):\n");
      header = 1;
    }
    immune_buf_str(&b, "immune:   ");
    immune_buf_str(&b, s->function);
    immune_buf_str(&b, ": ");
    immune_buf_udec(&b, n);
    immune_buf_str(&b, "\n");
    immune_write_all(2, b.data, b.len);
  }
  immune_registry_unlock();
}
