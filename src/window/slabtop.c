#include "slabtop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"

static const char PLUGIN_INSTANCE[] = "slab";

/* Enough for the top to change several times a window; past it a cache
 * waits for a slot to free, and the log says so. */
static size_t pool_limit(unsigned top_n, size_t nr_named) {
  return 4 * (size_t)top_n + nr_named + 4;
}

void slab_type_instance(char *dst, size_t cap, const char *name) {
  snprintf(dst, cap, "%s", name);
  for (char *c = dst; *c; c++)
    if (*c == '/')
      *c = '_';
}

/* A new slot for cache name, its series added (or found, for a name given
 * twice). Returns its index, or -1. */
static long slot_add(struct slab_top *t, struct series_set *set,
                     const char *name, bool named) {
  char ti[SERIES_NAME_LEN];

  if (t->nr >= t->limit ||
      array_reserve(&t->slot, &t->cap, t->nr + 1, sizeof(*t->slot)) != 0)
    return -1;
  slab_type_instance(ti, sizeof(ti), name);
  int bytes =
      series_add(set, PLUGIN_INSTANCE, "bytes", ti, SERIES_MAX, SERIES_GAUGE);
  int objects =
      series_add(set, PLUGIN_INSTANCE, "objects", ti, SERIES_MAX, SERIES_GAUGE);
  if (bytes < 0 || objects < 0)
    return -1;
  if (set->v[bytes].tag >= 0) /* a name given twice */
    return set->v[bytes].tag;
  struct slab_slot *s = &t->slot[t->nr];
  memset(s, 0, sizeof(*s));
  s->bytes = bytes;
  s->objects = objects;
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->cache = SIZE_MAX;
  s->named = named;
  s->held = named;
  set->v[bytes].tag = (int)t->nr;
  set->v[objects].tag = (int)t->nr;
  return (long)t->nr++;
}

int slab_top_init(struct slab_top *t, struct series_set *set, unsigned top_n,
                  char *const *named, size_t nr_named, uint64_t page_size) {
  memset(t, 0, sizeof(*t));
  t->top_n = top_n;
  t->page_size = page_size;
  t->limit = pool_limit(top_n, nr_named);
  for (size_t i = 0; i < nr_named; i++)
    if (slot_add(t, set, named[i], true) < 0)
      return -ENOMEM;
  return 0;
}

void slab_top_free(struct slab_top *t) {
  free(t->slot);
  free(t->rank);
  memset(t, 0, sizeof(*t));
}

/* The slot whose series are named after this cache, or -1. */
static long slot_of(const struct slab_top *t, const struct series_set *set,
                    const char *name) {
  char ti[SERIES_NAME_LEN];
  const char *key = name;

  if (strchr(name, '/') != NULL) {
    slab_type_instance(ti, sizeof(ti), name);
    key = ti;
  }
  int id = series_find(set, PLUGIN_INSTANCE, "bytes", key);
  if (id < 0 || set->v[id].tag < 0 || (size_t)set->v[id].tag >= t->nr)
    return -1;
  return set->v[id].tag;
}

/* The table's cache names changed: find each held slot's cache again. One
 * lookup per cache, only when the list changes. */
static void resolve(struct slab_top *t, const struct series_set *set,
                    const struct slabinfo *si) {
  for (size_t i = 0; i < t->nr; i++)
    t->slot[i].cache = SIZE_MAX;
  for (size_t c = 0; c < si->nr; c++) {
    long s = slot_of(t, set, si->caches[c].name);
    if (s >= 0 && strcmp(t->slot[s].name, si->caches[c].name) == 0)
      t->slot[s].cache = c;
  }
  t->generation = si->generation;
  t->resolved = true;
}

/* Inserts cache c into rank[] (n of them, most memory first, at most cap):
 * a short sorted list, cheaper than sorting every cache for ten. */
static void rank_insert(const struct slabinfo *si, uint64_t page, size_t *rank,
                        size_t *n, size_t cap, size_t c) {
  uint64_t v = slab_cache_bytes(&si->caches[c], page);
  size_t i = *n;

  if (cap == 0 ||
      (i == cap && v <= slab_cache_bytes(&si->caches[rank[cap - 1]], page)))
    return;
  if (i == cap)
    i--;
  for (; i > 0 && slab_cache_bytes(&si->caches[rank[i - 1]], page) < v; i--)
    rank[i] = rank[i - 1];
  rank[i] = c;
  if (*n < cap)
    (*n)++;
}

/* A slot for cache c of the table: its own, a free one renamed, or a new
 * one. -1 when there is none. */
static long slot_take(struct slab_top *t, struct series_set *set,
                      const struct slabinfo *si, size_t c) {
  const char *name = si->caches[c].name;
  long s = slot_of(t, set, name);

  if (s >= 0)
    /* Another cache whose name differs only by '/' holds it: skip. */
    return t->slot[s].held && strcmp(t->slot[s].name, name) != 0 ? -1 : s;
  for (size_t i = 0; i < t->nr; i++) {
    struct slab_slot *free_slot = &t->slot[i];
    char ti[SERIES_NAME_LEN];
    if (free_slot->held)
      continue;
    slab_type_instance(ti, sizeof(ti), name);
    if (series_rename(set, free_slot->bytes, PLUGIN_INSTANCE, "bytes", ti) !=
            0 ||
        series_rename(set, free_slot->objects, PLUGIN_INSTANCE, "objects",
                      ti) != 0)
      return -1;
    snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
    return (long)i;
  }
  return slot_add(t, set, name, false);
}

static void miss(struct slab_top *t, const char *name) {
  if (t->missed++ == 0)
    snprintf(t->first_missed, sizeof(t->first_missed), "%s", name);
}

static void rank_table(struct slab_top *t, struct series_set *set,
                       const struct slabinfo *si) {
  size_t cap = t->top_n < si->nr ? t->top_n : si->nr, n = 0;

  if (array_reserve(&t->rank, &t->rank_cap, cap ? cap : 1, sizeof(*t->rank)) !=
      0)
    return;
  for (size_t c = 0; c < si->nr; c++)
    rank_insert(si, t->page_size, t->rank, &n, cap, c);
  for (size_t i = 0; i < n; i++) {
    size_t c = t->rank[i];
    long s = slot_take(t, set, si, c);
    if (s < 0) {
      miss(t, si->caches[c].name);
      continue;
    }
    t->slot[s].held = true;
    t->slot[s].top = true;
    t->slot[s].cache = c;
  }
}

void slab_top_add(struct slab_top *t, struct series_set *set,
                  const struct slabinfo *si, bool fresh) {
  if (!t->resolved || t->generation != si->generation)
    resolve(t, set, si);
  if (fresh) {
    rank_table(t, set, si);
    t->read = true;
  }
  for (size_t i = 0; i < t->nr; i++) {
    const struct slab_slot *s = &t->slot[i];
    if (!s->held || s->cache >= si->nr)
      continue;
    const struct slab_cache *c = &si->caches[s->cache];
    series_gauge(set, s->bytes, (double)slab_cache_bytes(c, t->page_size));
    series_gauge(set, s->objects, (double)c->active_objs);
  }
}

/* Puts slot i into top[] (n of them, largest window maximum first). */
static void choose_insert(const struct slab_top *t,
                          const struct series_set *set, size_t *top, size_t *n,
                          size_t cap, size_t i) {
  double v = set->v[t->slot[i].bytes].gauge;
  size_t k = *n;

  if (cap == 0 || (k == cap && v <= set->v[t->slot[top[cap - 1]].bytes].gauge))
    return;
  if (k == cap)
    k--;
  for (; k > 0 && set->v[t->slot[top[k - 1]].bytes].gauge < v; k--)
    top[k] = top[k - 1];
  top[k] = i;
  if (*n < cap)
    (*n)++;
}

void slab_top_choose(struct slab_top *t, struct series_set *set) {
  size_t cap = t->top_n < t->nr ? t->top_n : t->nr, n = 0;

  if (array_reserve(&t->rank, &t->rank_cap, cap ? cap : 1, sizeof(*t->rank)) !=
      0)
    return;
  for (size_t i = 0; i < t->nr; i++) {
    const struct slab_slot *s = &t->slot[i];
    set->v[s->bytes].chosen = s->named;
    if (set->v[s->bytes].n > 0)
      choose_insert(t, set, t->rank, &n, cap, i);
  }
  for (size_t k = 0; k < n; k++)
    set->v[t->slot[t->rank[k]].bytes].chosen = true;
  /* Objects follow the choice made for their bytes. */
  for (size_t i = 0; i < t->nr; i++)
    set->v[t->slot[i].objects].chosen = set->v[t->slot[i].bytes].chosen;
}

void slab_top_reset(struct slab_top *t) {
  if (!t->read)
    return;
  t->read = false;
  for (size_t i = 0; i < t->nr; i++) {
    struct slab_slot *s = &t->slot[i];
    if (!s->named && !s->top)
      s->held = false;
    s->top = false;
  }
}
