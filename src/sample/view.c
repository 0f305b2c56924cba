#include "view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"

void view_init(struct view *v, const struct view_config *c) {
  memset(v, 0, sizeof(*v));
  v->config = *c;
}

void view_destroy(struct view *v) {
  free(v->zones);
  free(v->vm);
  free(v->vm_map);
  memset(v, 0, sizeof(*v));
}

/* --- zones -------------------------------------------------------------*/

static void zone_label(char *buf, size_t cap, const struct zone_info *z) {
  snprintf(buf, cap, "node%u-%s", z->node, z->name);
}

/* Free blocks of the lists a request may take from: buddyinfo's, less the
 * latest pagetypeinfo's counts of the types it may not. skip[t] names
 * those types. */
static void usable_blocks(uint64_t *out, const struct buddy_zone *b,
                          const struct pagetypeinfo *pt,
                          const struct pagetype_zone *types,
                          bool (*skip)(enum pagetype_kind)) {
  for (size_t o = 0; o < b->nr_orders; o++) {
    uint64_t n = b->nr_free[o];
    for (size_t t = 0; types != NULL && t < pt->nr_types; t++)
      if (skip(pt->type_kind[t]) && o < pt->nr_orders) {
        uint64_t other = types->nr_free[t][o];
        n = n > other ? n - other : 0;
      }
    out[o] = n;
  }
}

/* Ordinary requests take blocks of the unmovable, movable and reclaimable
 * lists alone (MIGRATE_PCPTYPES; mm/page_alloc.c __zone_watermark_ok,
 * 4.4+). */
static bool kernel_skips(enum pagetype_kind kind) {
  return kind != PAGETYPE_UNMOVABLE && kind != PAGETYPE_MOVABLE &&
         kind != PAGETYPE_RECLAIMABLE;
}

/* Atomic requests may also take the high-order atomic reserve's blocks;
 * neither takes CMA (not movable) or isolated blocks. */
static bool atomic_skips(enum pagetype_kind kind) {
  return kernel_skips(kind) && kind != PAGETYPE_HIGHATOMIC;
}

/* Pages of the high-order atomic reserve an ordinary request must leave:
 * the whole reserve (nr_reserved_highatomic, whole pageblocks), or from
 * 6.12 ("mm/page_alloc: keep track of free highatomic") only its free
 * pages, when fewer. */
static uint64_t highatomic_unusable(const struct view *v,
                                    const struct pagetypeinfo *pt,
                                    const struct pagetype_zone *types,
                                    uint64_t *reserved) {
  int t = pagetypeinfo_type(pt, PAGETYPE_HIGHATOMIC);

  *reserved = 0;
  if (t < 0 || !types->has_blocks || !pt->has_pageblock)
    return 0;
  *reserved = types->nr_blocks[t] * pt->pages_per_block;
  if (!v->config.kernel_known ||
      kernel_version_cmp(&v->config.kernel, 6, 12) < 0)
    return *reserved;
  uint64_t free = 0;
  for (size_t o = 0; o < pt->nr_orders && o < 63; o++)
    free += types->nr_free[t][o] << o;
  return free < *reserved ? free : *reserved;
}

/* What each request may count as free in z at this sample. */
static void zone_usable(struct view *v, struct zone_view *z,
                        const struct sample *s) {
  const struct pagetypeinfo *pt = &s->pagetypeinfo;
  /* Only the free-block check of 4.4+ looks at migrate types. */
  bool typed = z->types != NULL &&
               v->config.check == WATERMARK_CHECK_FREE_BLOCK;

  z->highatomic = 0;
  z->kernel.unusable = 0;
  z->atomic.unusable = 0;
  usable_blocks(z->kernel.nr_free, z->buddy, pt, typed ? z->types : NULL,
                kernel_skips);
  usable_blocks(z->atomic.nr_free, z->buddy, pt, typed ? z->types : NULL,
                atomic_skips);
  if (typed)
    z->kernel.unusable = highatomic_unusable(v, pt, z->types, &z->highatomic);
}

static void zone_input(const struct zone_view *z, bool atomic,
                       struct headroom_zone *in) {
  const struct zone_info *info = z->info;
  const struct zone_usable *u = atomic ? &z->atomic : &z->kernel;

  in->free = info->free;
  in->free_cma = info->has & ZONE_HAS_NR_FREE_CMA ? info->nr_free_cma : 0;
  in->reserve = z->reserve;
  in->unusable = u->unusable;
  in->nr_free = u->nr_free;
  in->nr_orders = z->buddy->nr_orders;
}

bool view_headroom(const struct view *v, const struct zone_view *z,
                   bool atomic, uint64_t mark, unsigned order,
                   int64_t *pages) {
  struct headroom_zone in;

  if (!z->has_headroom)
    return false;
  zone_input(z, atomic, &in);
  *pages = headroom_zone_pages(v->config.check, &in, mark, order);
  return true;
}

static void zone_headroom(struct view *v, struct zone_view *z) {
  const struct zone_info *info = z->info;
  uint64_t atomic_mark = headroom_atomic_mark(info->min);

  for (size_t o = 0; o < v->config.nr_orders; o++) {
    unsigned order = v->config.orders[o];
    view_headroom(v, z, false, info->min, order, &z->headroom_min[o]);
    view_headroom(v, z, false, info->low, order, &z->headroom_low[o]);
    view_headroom(v, z, true, atomic_mark, order, &z->headroom_atomic[o]);
  }
}

/* The zone list follows zoneinfo's: rebuilt (labels) when its names
 * change. */
static int build_zones(struct view *v, const struct zoneinfo *zi) {
  if (array_reserve(&v->zones, &v->cap, zi->nr, sizeof(*v->zones)) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < zi->nr; i++) {
    memset(&v->zones[i], 0, sizeof(v->zones[i]));
    zone_label(v->zones[i].label, sizeof(v->zones[i].label), &zi->zones[i]);
  }
  v->zoneinfo_generation = zi->generation;
  v->zone_generation++;
  v->zones_built = true;
  return 0;
}

static void update_zones(struct view *v, const struct sample *s) {
  const struct zoneinfo *zi = &s->zoneinfo;
  bool have_buddy = s->ok & (1u << SOURCE_BUDDYINFO);
  bool have_types = s->ok & (1u << SOURCE_PAGETYPEINFO);

  v->types_known = have_types;
  if (!(s->ok & (1u << SOURCE_ZONEINFO))) {
    v->nr = 0;
    return;
  }
  if ((!v->zones_built || v->zoneinfo_generation != zi->generation) &&
      build_zones(v, zi) != 0) {
    v->zones_built = false;
    v->nr = 0;
    return;
  }
  v->nr = zi->nr;
  bool have_stack = (s->ok & (1u << SOURCE_MEMINFO)) &&
                    meminfo_has(&s->meminfo, MEMINFO_KERNEL_STACK);
  uint64_t stack_unit = occupancy_stack_unit(
      zi, have_stack ? s->meminfo.value[MEMINFO_KERNEL_STACK] : 0, have_stack);
  for (size_t i = 0; i < zi->nr; i++) {
    struct zone_view *z = &v->zones[i];
    const struct zone_info *info = &zi->zones[i];
    const unsigned both =
        ZONE_HAS_NR_SLAB_RECLAIMABLE | ZONE_HAS_NR_SLAB_UNRECLAIMABLE;

    z->info = info;
    z->populated = info->present > 0;
    z->buddy = have_buddy
                   ? buddyinfo_find(&s->buddyinfo, info->node, info->name)
                   : NULL;
    z->types = have_types ? pagetypeinfo_find(&s->pagetypeinfo, info->node,
                                              info->name)
                          : NULL;
    z->has_reserve = headroom_reserve(zi, info, &z->reserve) == 0;
    uint64_t pages = info->has & ZONE_HAS_MANAGED ? info->managed
                                                  : info->present;
    z->kernel_zone = z->has_reserve && pages > info->min + z->reserve;
    z->has_slab = (info->has & both) == both;
    z->slab = z->has_slab
                  ? info->nr_slab_reclaimable + info->nr_slab_unreclaimable
                  : 0;
    occupancy_of(info, v->config.page_size, stack_unit, &z->occupancy);
    z->has_headroom = z->has_reserve && z->buddy != NULL;
    if (!z->has_headroom)
      continue;
    zone_usable(v, z, s);
    zone_headroom(v, z);
  }
}

const struct zone_view *view_tightest(const struct view *v, unsigned order,
                                      int64_t *headroom) {
  const struct zone_view *best = NULL;

  /* First the zones GFP_KERNEL lives on; if none qualifies, any zone. */
  for (int pass = 0; pass < 2 && best == NULL; pass++)
    for (size_t i = 0; i < v->nr; i++) {
      const struct zone_view *z = &v->zones[i];
      int64_t h;
      if (!z->populated || (pass == 0 && !z->kernel_zone) ||
          !view_headroom(v, z, false, z->info->min, order, &h))
        continue;
      if (best == NULL || h < *headroom) {
        best = z;
        *headroom = h;
      }
    }
  return best;
}

bool view_near_wall(const struct view *v) {
  for (size_t i = 0; i < v->nr; i++) {
    const struct zone_view *z = &v->zones[i];
    if (!z->populated || !z->kernel_zone || !z->has_headroom)
      continue;
    for (size_t o = 0; o < v->config.nr_orders; o++)
      if (z->headroom_low[o] <= 0)
        return true;
  }
  return false;
}

/* --- counters ----------------------------------------------------------*/

/* vmstat counters lowmem reports, by prefix: reclaim (scan, steal, refill,
 * slab shrinking, kswapd), direct reclaim stalls, compaction, OOM kills,
 * and pages dirtied and written. */
static const char *const wanted_prefix[] = {
    "pgscan",     "pgsteal",      "pgrefill",       "allocstall",
    "compact_",   "oom_kill",     "slabs_scanned",  "kswapd_",
    "pageoutrun", "pginodesteal", "drop_pagecache", "drop_slab",
    "nr_dirtied", "nr_written",   "pgmajfault",     "workingset_refault",
};

/* Zone suffixes of old per-zone counter names (pgscan_kswapd_normal). */
static const char *const zone_suffix[] = {"_dma",  "_dma32",   "_normal",
                                          "_high", "_movable", "_device"};

bool view_counter_wanted(const char *name) {
  for (size_t i = 0; i < sizeof(wanted_prefix) / sizeof(wanted_prefix[0]);
       i++)
    if (strncmp(name, wanted_prefix[i], strlen(wanted_prefix[i])) == 0)
      return true;
  return false;
}

/* The name without its zone suffix, when it has one ("allocstall_normal"
 * -> "allocstall"); false otherwise. */
static bool counter_base(const char *name, char *base, size_t cap) {
  size_t len = strlen(name);
  for (size_t i = 0; i < sizeof(zone_suffix) / sizeof(zone_suffix[0]); i++) {
    size_t sl = strlen(zone_suffix[i]);
    if (len > sl && strcmp(name + len - sl, zone_suffix[i]) == 0 &&
        len - sl < cap) {
      memcpy(base, name, len - sl);
      base[len - sl] = '\0';
      return true;
    }
  }
  return false;
}

int view_counter(const struct view *v, const char *name) {
  for (size_t i = 0; i < v->nr_vm; i++)
    if (strcmp(v->vm[i].name, name) == 0)
      return (int)i;
  return -1;
}

static int add_counter(struct view *v, const char *name, bool summed) {
  int i = view_counter(v, name);
  if (i >= 0)
    return i;
  if (array_reserve(&v->vm, &v->cap_vm, v->nr_vm + 1, sizeof(*v->vm)) != 0)
    return -1;
  struct vm_counter *c = &v->vm[v->nr_vm];
  snprintf(c->name, sizeof(c->name), "%s", name);
  c->value = 0;
  c->summed = summed;
  return (int)v->nr_vm++;
}

/* Which item feeds which counter, redone when vmstat's names change. */
static int build_counters(struct view *v, const struct vmstat *vs) {
  if (array_reserve(&v->vm_map, &v->cap_vm_map, vs->nr ? vs->nr : 1,
                    sizeof(*v->vm_map)) != 0)
    return -ENOMEM;
  v->nr_vm = 0;
  for (size_t i = 0; i < vs->nr; i++) {
    const char *name = vs->items[i].name;
    char base[VMSTAT_NAME_LEN];

    struct vm_map *m = &v->vm_map[i];
    m->self = -1;
    m->sum = -1;
    if (!view_counter_wanted(name))
      continue;
    m->self = add_counter(v, name, false);
    /* Old kernels count per zone (pgscan_kswapd_normal, allocstall_dma32);
     * where the kernel does not also print the plain name, lowmem reports
     * the sum under it, so one name means the same on every kernel. */
    if (counter_base(name, base, sizeof(base)) && vmstat_find(vs, base) < 0)
      m->sum = add_counter(v, base, true);
  }
  v->vmstat_generation = vs->generation;
  v->vm_generation++;
  v->vm_built = true;
  return 0;
}

static void update_counters(struct view *v, const struct sample *s) {
  const struct vmstat *vs = &s->vmstat;

  if (!(s->ok & (1u << SOURCE_VMSTAT)))
    return;
  if ((!v->vm_built || v->vmstat_generation != vs->generation) &&
      build_counters(v, vs) != 0) {
    v->vm_built = false;
    v->nr_vm = 0;
    return;
  }
  for (size_t c = 0; c < v->nr_vm; c++)
    if (v->vm[c].summed)
      v->vm[c].value = 0;
  for (size_t i = 0; i < vs->nr; i++) {
    const struct vm_map *m = &v->vm_map[i];
    if (m->self >= 0)
      v->vm[m->self].value = vs->items[i].value;
    if (m->sum >= 0)
      v->vm[m->sum].value += vs->items[i].value;
  }
}

void view_update(struct view *v, const struct sample *s) {
  update_zones(v, s);
  update_counters(v, s);
}
