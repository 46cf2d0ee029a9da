/* See rollback_log.h: the rollback log's storage, segments and walks. What
 * an entry means is its log's operations table; when to undo or commit,
 * and whose segments are whose, is rollback.c's. */
#include <string.h>

#include "rollback_log.h"
#include "rollback_report.h"

static size_t page_round(size_t n) { return (n + 4095) & ~(size_t)4095; }

/* The mapping: the header, then the entries of each log, then the
 * segments, each part page-aligned. */
struct layout {
  size_t entries, segs, bytes;
};
static struct layout layout_of(uint32_t log_cap, uint32_t seg_cap) {
  struct layout l;
  l.entries = page_round(sizeof(struct rlog_thread));
  l.segs = l.entries + page_round((size_t)RLOG_NLOGS * log_cap * sizeof(struct rlog_entry));
  l.bytes = l.segs + page_round((size_t)seg_cap * sizeof(struct rlog_segment));
  return l;
}

size_t immune_rlog_bytes(uint32_t log_cap, uint32_t seg_cap) {
  return layout_of(log_cap, seg_cap).bytes;
}

struct rlog_thread *immune_rlog_init(void *mem, uint32_t log_cap, uint32_t seg_cap,
                                     const struct rlog_ops *const *ops) {
  struct layout l = layout_of(log_cap, seg_cap);
  struct rlog_thread *t = mem;
  for (int id = 0; id < RLOG_NLOGS; ++id) {
    t->log[id].e = (struct rlog_entry *)((char *)mem + l.entries) + (size_t)id * log_cap;
    t->log[id].cap = log_cap;
  }
  t->segs = (struct rlog_segment *)((char *)mem + l.segs);
  t->seg_cap = seg_cap;
  t->ops = ops;
  return t;
}

static const struct rlog_ops *ops_of(const struct rlog_thread *t, enum rlog_id id) {
  return t->ops ? t->ops[id] : NULL;
}

/* ---- segments ------------------------------------------------------------ */

static struct rlog_segment *top_segment(struct rlog_thread *t) {
  return t->nsegs ? &t->segs[t->nsegs - 1] : NULL;
}

/* tx's segment, made on its first entry; tx is the innermost live
 * transaction, so its segment is (or becomes) the newest. */
static struct rlog_segment *current_segment(struct rlog_thread *t, const struct __immune_tx *tx) {
  struct rlog_segment *s = top_segment(t);
  if (s && s->tx == tx) return s;
  if (t->nsegs == t->seg_cap) return NULL;
  s = &t->segs[t->nsegs];
  s->tx = (struct __immune_tx *)tx;
  for (int id = 0; id < RLOG_NLOGS; ++id) s->start[id] = t->log[id].n;
  s->flags = s->lost = 0;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  ++t->nsegs;
  return s;
}

/* Drops empty, unmarked segments from the top. */
static void trim_top(struct rlog_thread *t) {
  while (t->nsegs) {
    struct rlog_segment *s = &t->segs[t->nsegs - 1];
    if (s->flags) return;
    for (int id = 0; id < RLOG_NLOGS; ++id)
      if (s->start[id] != t->log[id].n) return;
    --t->nsegs;
  }
}

void immune_rlog_merge(struct rlog_thread *t, uint32_t j, struct __immune_tx *target) {
  if (j >= t->nsegs) return;
  uint32_t flags = 0, lost = 0, start[RLOG_NLOGS];
  memcpy(start, t->segs[j].start, sizeof start);
  for (uint32_t i = j; i < t->nsegs; ++i) {
    flags |= t->segs[i].flags & RLOG_SEG_OVERFLOW;
    lost += t->segs[i].lost;
  }
  t->nsegs = j;
  struct rlog_segment *below = top_segment(t);
  if (below && below->tx == target) {
    below->flags |= flags;
    below->lost += lost;
  } else {
    struct rlog_segment *s = &t->segs[t->nsegs++];
    s->tx = target;
    memcpy(s->start, start, sizeof start);
    s->flags = flags;
    s->lost = lost;
  }
  trim_top(t);
}

void immune_rlog_commit_into(struct rlog_thread *t, uint32_t j, struct __immune_tx *target) {
  uint32_t from[RLOG_NLOGS];
  for (int id = 0; id < RLOG_NLOGS; ++id)
    from[id] = j < t->nsegs ? t->segs[j].start[id] : t->log[id].n;
  immune_rlog_merge(t, j, target);
  struct rlog_segment *owner = top_segment(t);
  if (!owner || owner->tx != target) return;
  for (int id = 0; id < RLOG_NLOGS; ++id) {
    const struct rlog_ops *ops = ops_of(t, id);
    if (ops && ops->merged) ops->merged(t, from[id], owner->start[id]);
  }
}

/* ---- entries --------------------------------------------------------------- */

/* Removes dropped entries (and those their log's `live` says no longer
 * matter) from log id; returns how many went. */
static uint32_t compact(struct rlog_thread *t, enum rlog_id id) {
  const struct rlog_ops *ops = ops_of(t, id);
  struct rlog_entries *l = &t->log[id];
  uint32_t w = 0, s = 0;
  for (uint32_t r = 0; r < l->n; ++r) {
    while (s < t->nsegs && t->segs[s].start[id] <= r) t->segs[s++].start[id] = w;
    struct rlog_entry *e = &l->e[r];
    if (e->kind == RLOG_NONE || (ops && ops->live && !ops->live(e))) continue;
    if (w != r) {
      l->e[w] = *e;
      if (ops && ops->moved) ops->moved(&l->e[w], w);
    }
    ++w;
  }
  while (s < t->nsegs) t->segs[s++].start[id] = w;
  uint32_t gone = l->n - w;
  l->n = w;
  l->tombs = 0;
  return gone;
}

void immune_rlog_lost(struct rlog_thread *t, const struct __immune_tx *tx) {
  struct rlog_segment *s = current_segment(t, tx);
  if (!s) s = top_segment(t); /* no room for a segment: mark the enclosing one */
  if (!s) return;
  s->flags |= RLOG_SEG_OVERFLOW;
  ++s->lost;
  immune_rollback_warn_full(s, tx, t->log[0].cap);
}

/* Log id is full, compacted, and the innermost transaction needs room. The
 * transactions around it give up their entries of that log: the entries
 * take effect now, as at a commit (give_up), and those transactions are
 * marked overflowed, so an abort of theirs reports an incomplete rollback.
 * A transaction that never ends (a server's main loop under protect-all)
 * fills the log once; without this, nothing any request inside it did
 * afterwards would be logged. Returns whether room was made. */
static int give_up_outer(struct rlog_thread *t, enum rlog_id id) {
  if (t->nsegs < 2) return 0;
  const struct rlog_ops *ops = ops_of(t, id);
  struct rlog_entries *l = &t->log[id];
  uint32_t top = t->nsegs - 1, end = t->segs[top].start[id];
  if (!end) return 0;
  int was_walking = t->walking;
  t->walking = 1;
  for (uint32_t j = 0, i = 0; j < top; ++j) {
    uint32_t stop = j + 1 < top ? t->segs[j + 1].start[id] : end, given = 0;
    for (; i < stop; ++i) {
      struct rlog_entry *e = &l->e[i];
      if (e->kind == RLOG_NONE) continue;
      if (ops && ops->give_up) ops->give_up(t, e);
      e->kind = RLOG_NONE;
      ++l->tombs;
      ++given;
    }
    if (given) {
      t->segs[j].flags |= RLOG_SEG_OVERFLOW;
      t->segs[j].lost += given;
      immune_rollback_warn_given_up(&t->segs[j], l->cap);
    }
  }
  t->walking = was_walking;
  compact(t, id);
  return l->n < l->cap;
}

int64_t immune_rlog_append(struct rlog_thread *t, const struct __immune_tx *tx, enum rlog_id id,
                           uintptr_t obj, enum rlog_kind kind, uint32_t token, int fd) {
  struct rlog_segment *s = current_segment(t, tx);
  if (!s) {
    immune_rlog_lost(t, tx);
    return -1;
  }
  struct rlog_entries *l = &t->log[id];
  if (l->n == l->cap) {
    /* Once the transaction overflowed, compacting on every call would make
     * each operation cost a pass over the log: only with many holes. A log
     * whose entries die on their own (live) is always worth a pass. */
    const struct rlog_ops *ops = ops_of(t, id);
    int worth = !(s->flags & RLOG_SEG_OVERFLOW) ? (l->tombs > 0 || (ops && ops->live))
                                                : l->tombs >= l->cap / 16;
    if (worth) compact(t, id);
    if (l->n == l->cap && !give_up_outer(t, id)) {
      immune_rlog_lost(t, tx);
      return -1;
    }
  }
  struct rlog_entry *e = &l->e[l->n];
  e->obj = obj;
  e->token = token;
  e->kind = (uint8_t)kind;
  e->fd = (uint16_t)fd;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  return l->n++;
}

void immune_rlog_drop(struct rlog_thread *t, enum rlog_id id, uint32_t idx) {
  struct rlog_entries *l = &t->log[id];
  if (idx >= l->n || l->e[idx].kind == RLOG_NONE) return;
  l->e[idx].kind = RLOG_NONE;
  ++l->tombs;
  if (t->walking) return;
  while (l->n && l->e[l->n - 1].kind == RLOG_NONE) {
    --l->n;
    --l->tombs;
  }
  for (uint32_t i = t->nsegs; i-- > 0 && t->segs[i].start[id] > l->n;) t->segs[i].start[id] = l->n;
  trim_top(t);
}

int immune_rlog_in_current(const struct rlog_thread *t, const struct __immune_tx *tx,
                           enum rlog_id id, uint32_t idx) {
  if (!t->nsegs) return 0;
  const struct rlog_segment *s = &t->segs[t->nsegs - 1];
  return s->tx == tx && idx >= s->start[id] && idx < t->log[id].n;
}

int64_t immune_rlog_find(const struct rlog_thread *t, enum rlog_id id, enum rlog_kind kind,
                         uintptr_t obj, uint32_t window) {
  const struct rlog_entries *l = &t->log[id];
  uint32_t lo = window && l->n > window ? l->n - window : 0;
  for (uint32_t i = l->n; i-- > lo;)
    if (l->e[i].kind == kind && l->e[i].obj == obj) return i;
  return -1;
}

/* ---- walks ------------------------------------------------------------------ */

void immune_rlog_take_effect_all(struct rlog_thread *t) {
  t->walking = 1;
  for (int id = 0; id < RLOG_NLOGS; ++id) {
    const struct rlog_ops *ops = ops_of(t, id);
    if (!ops || !ops->commit) continue;
    for (uint32_t i = 0; i < t->log[id].n; ++i)
      if (t->log[id].e[i].kind != RLOG_NONE) ops->commit(t, &t->log[id].e[i]);
  }
  t->walking = 0;
  for (int id = 0; id < RLOG_NLOGS; ++id) t->log[id].n = t->log[id].tombs = 0;
  t->nsegs = 0;
}

void immune_rlog_undo_from(struct rlog_thread *t, uint32_t k, uint32_t *undone) {
  static const enum rlog_id order[RLOG_NLOGS] = {RLOG_LOCKS, RLOG_FDS, RLOG_HEAP};
  t->walking = 1;
  for (int o = 0; o < RLOG_NLOGS; ++o) {
    enum rlog_id id = order[o];
    const struct rlog_ops *ops = ops_of(t, id);
    struct rlog_entries *l = &t->log[id];
    for (uint32_t i = l->n; i-- > t->segs[k].start[id];) {
      /* Re-read: undoing one entry (fclose) may drop another (its FILE). */
      struct rlog_entry *e = &l->e[i];
      if (e->kind == RLOG_NONE || !ops || !ops->undo) continue;
      enum rlog_undone what = ops->undo(t, e);
      if (what < RLOG_UNDID_KINDS) ++undone[what];
    }
  }
  t->walking = 0;
  for (int id = 0; id < RLOG_NLOGS; ++id) {
    struct rlog_entries *l = &t->log[id];
    uint32_t start = t->segs[k].start[id];
    for (uint32_t i = start; i < l->n; ++i)
      if (l->e[i].kind == RLOG_NONE) --l->tombs;
    l->n = start;
  }
  t->nsegs = k;
}
