#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A lowmem instance of collectd holds a few thousand series at most; past
 * this something produces names without end, and lowmem stops adding. */
enum { METRICS_SERIES_LIMIT = 20000 };

/* Plugin instance of the system-wide values ("lowmem/memory-dirty"). */
static const char SYSTEM[] = "";

/* --- the names -------------------------------------------------------------*/

struct meminfo_metric {
  const char *type_instance;
  enum series_worst worst;
};

/* Worst case per window: the least of what should stay high, the most of
 * what should stay low. */
static const struct meminfo_metric meminfo_metric[MEMINFO_NR] = {
    [MEMINFO_MEM_TOTAL] = {"total", SERIES_LAST},
    [MEMINFO_MEM_FREE] = {"free", SERIES_MIN},
    [MEMINFO_MEM_AVAILABLE] = {"available", SERIES_MIN},
    [MEMINFO_HIGH_TOTAL] = {"high_total", SERIES_LAST},
    [MEMINFO_HIGH_FREE] = {"high_free", SERIES_MIN},
    [MEMINFO_LOW_TOTAL] = {"low_total", SERIES_LAST},
    [MEMINFO_LOW_FREE] = {"low_free", SERIES_MIN},
    [MEMINFO_SLAB] = {"slab", SERIES_MAX},
    [MEMINFO_SRECLAIMABLE] = {"slab_reclaimable", SERIES_MAX},
    [MEMINFO_SUNRECLAIM] = {"slab_unreclaimable", SERIES_MAX},
    [MEMINFO_KERNEL_STACK] = {"kernel_stack", SERIES_MAX},
    [MEMINFO_PAGE_TABLES] = {"page_tables", SERIES_MAX},
    [MEMINFO_DIRTY] = {"dirty", SERIES_MAX},
    [MEMINFO_WRITEBACK] = {"writeback", SERIES_MAX},
    [MEMINFO_COMMITTED_AS] = {"committed_as", SERIES_MAX},
    [MEMINFO_COMMIT_LIMIT] = {"commit_limit", SERIES_MIN},
    [MEMINFO_SWAP_TOTAL] = {"swap_total", SERIES_LAST},
    [MEMINFO_SWAP_FREE] = {"swap_free", SERIES_MIN},
};
_Static_assert(sizeof(meminfo_metric) / sizeof(meminfo_metric[0]) == MEMINFO_NR,
               "one name per meminfo field");

struct zone_metric {
  const char *type, *type_instance;
  enum series_worst worst;
};

static const struct zone_metric zone_metric[ZS_HEADROOM] = {
    [ZS_FREE] = {"memory", "free", SERIES_MIN},
    [ZS_MIN] = {"memory", "min", SERIES_MAX},
    [ZS_LOW] = {"memory", "low", SERIES_MAX},
    [ZS_HIGH] = {"memory", "high", SERIES_MAX},
    [ZS_PRESENT] = {"memory", "present", SERIES_LAST},
    [ZS_MANAGED] = {"memory", "managed", SERIES_LAST},
    [ZS_SLAB_RECLAIMABLE] = {"memory", "slab_reclaimable", SERIES_MAX},
    [ZS_SLAB_UNRECLAIMABLE] = {"memory", "slab_unreclaimable", SERIES_MAX},
    [ZS_RESERVE] = {"memory", "reserve", SERIES_LAST},
};

struct psi_metric {
  const char *type, *type_instance;
  enum series_worst worst;
  enum series_ds ds;
};

static const struct psi_metric psi_metric[PSI_NR] = {
    [PSI_SOME_AVG10] = {"pressure", "some_avg10", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_AVG60] = {"pressure", "some_avg60", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_AVG300] = {"pressure", "some_avg300", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_AVG10] = {"pressure", "full_avg10", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_AVG60] = {"pressure", "full_avg60", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_AVG300] = {"pressure", "full_avg300", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_PERCENT] = {"percent", "some", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_PERCENT] = {"percent", "full", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_TOTAL] = {"total_time_in_ms", "some", SERIES_LAST, SERIES_DERIVE},
    [PSI_FULL_TOTAL] = {"total_time_in_ms", "full", SERIES_LAST, SERIES_DERIVE},
};

/* vmstat counters lowmem reports, by prefix: reclaim (scan, steal, refill,
 * slab shrinking, kswapd), direct reclaim stalls, compaction, OOM kills,
 * and pages dirtied and written. */
static const char *const vmstat_prefix[] = {
    "pgscan",     "pgsteal",      "pgrefill",       "allocstall",
    "compact_",   "oom_kill",     "slabs_scanned",  "kswapd_",
    "pageoutrun", "pginodesteal", "drop_pagecache", "drop_slab",
    "nr_dirtied", "nr_written",   "pgmajfault",     "workingset_refault",
};

/* Zone suffixes of old per-zone counter names (pgscan_kswapd_normal). */
static const char *const zone_suffix[] = {"_dma",  "_dma32",   "_normal",
                                          "_high", "_movable", "_device"};

static const char *const dirty_name[DIRTY_NR] = {
    [DIRTY_THRESHOLD] = "nr_dirty_threshold",
    [DIRTY_BACKGROUND_THRESHOLD] = "nr_dirty_background_threshold",
};
static const char *const dirty_type_instance[DIRTY_NR] = {
    [DIRTY_THRESHOLD] = "dirty_threshold",
    [DIRTY_BACKGROUND_THRESHOLD] = "dirty_background_threshold",
};

bool metrics_vmstat_wanted(const char *name) {
  for (size_t i = 0; i < sizeof(vmstat_prefix) / sizeof(vmstat_prefix[0]); i++)
    if (strncmp(name, vmstat_prefix[i], strlen(vmstat_prefix[i])) == 0)
      return true;
  return false;
}

/* --- set up ----------------------------------------------------------------*/

static int metrics_add_series(struct metrics *m, const char *pi,
                              const char *type, const char *ti,
                              enum series_worst worst, enum series_ds ds) {
  int id = series_add(&m->set, pi, type, ti, worst, ds);
  if (id < 0)
    m->failed_adds++;
  return id;
}

int metrics_init(struct metrics *m, const struct metrics_config *config) {
  memset(m, 0, sizeof(*m));
  m->config = *config;
  m->config.slab_caches = NULL;
  m->config.nr_slab_caches = 0;
  series_init(&m->set, METRICS_SERIES_LIMIT);

  if (config->nr_slab_caches) {
    m->config.slab_caches = calloc(config->nr_slab_caches, sizeof(char *));
    if (m->config.slab_caches == NULL)
      return -ENOMEM;
    for (size_t i = 0; i < config->nr_slab_caches; i++) {
      m->config.slab_caches[i] = strdup(config->slab_caches[i]);
      if (m->config.slab_caches[i] == NULL)
        return -ENOMEM;
      m->config.nr_slab_caches++;
    }
  }

  for (int f = 0; f < MEMINFO_NR; f++)
    m->meminfo_ids[f] =
        metrics_add_series(m, SYSTEM, "memory", meminfo_metric[f].type_instance,
                           meminfo_metric[f].worst, SERIES_GAUGE);
  for (int d = 0; d < DIRTY_NR; d++)
    m->dirty_ids[d] = metrics_add_series(
        m, SYSTEM, "memory", dirty_type_instance[d], SERIES_MIN, SERIES_GAUGE);
  for (int p = 0; p < PSI_NR; p++)
    m->psi_ids[p] = metrics_add_series(m, "pressure", psi_metric[p].type,
                                       psi_metric[p].type_instance,
                                       psi_metric[p].worst, psi_metric[p].ds);
  return m->failed_adds ? -ENOMEM : 0;
}

void metrics_destroy(struct metrics *m) {
  for (size_t i = 0; i < m->config.nr_slab_caches; i++)
    free(m->config.slab_caches[i]);
  free(m->config.slab_caches);
  free(m->zone_ids);
  free(m->buddy_ids);
  free(m->slab_ids);
  free(m->slab_named);
  free(m->rank);
  free(m->vmstat_pick);
  free(m->sums);
  series_free(&m->set);
  memset(m, 0, sizeof(*m));
}

/* Grows *arr to hold n elements of size each; keeps contents. */
static int grow(void *arr, size_t *cap, size_t n, size_t size) {
  if (n <= *cap)
    return 0;
  void *p = realloc(*(void **)arr, n * size);
  if (p == NULL)
    return -ENOMEM;
  *(void **)arr = p;
  *cap = n;
  return 0;
}

static void zone_instance(char *buf, size_t cap, unsigned node,
                          const char *name) {
  snprintf(buf, cap, "node%u-%s", node, name);
}

/* --- layouts: names to ids, redone when a source's shape changes
 * ------------*/

static int build_zones(struct metrics *m, const struct zoneinfo *zi) {
  if (grow(&m->zone_ids, &m->zone_ids_cap, zi->nr * ZS_PER_ZONE, sizeof(int)) !=
      0)
    return -ENOMEM;
  for (size_t z = 0; z < zi->nr; z++) {
    char pi[SERIES_NAME_LEN];
    int *ids = &m->zone_ids[z * ZS_PER_ZONE];

    zone_instance(pi, sizeof(pi), zi->zones[z].node, zi->zones[z].name);
    for (int f = 0; f < ZS_HEADROOM; f++)
      ids[f] = metrics_add_series(m, pi, zone_metric[f].type,
                                  zone_metric[f].type_instance,
                                  zone_metric[f].worst, SERIES_GAUGE);
    for (size_t o = 0; o < m->config.nr_orders; o++) {
      char ti[32];
      snprintf(ti, sizeof(ti), "headroom_order%u", m->config.orders[o]);
      ids[ZS_HEADROOM + o] =
          metrics_add_series(m, pi, "gauge", ti, SERIES_MIN, SERIES_GAUGE);
    }
  }
  m->zone_gen = zi->generation;
  m->zone_built = true;
  return 0;
}

static int build_buddies(struct metrics *m, const struct buddyinfo *bi) {
  if (grow(&m->buddy_ids, &m->buddy_ids_cap, bi->nr * BUDDYINFO_MAX_ORDERS,
           sizeof(int)) != 0)
    return -ENOMEM;
  for (size_t z = 0; z < bi->nr; z++) {
    char pi[SERIES_NAME_LEN];
    int *ids = &m->buddy_ids[z * BUDDYINFO_MAX_ORDERS];

    zone_instance(pi, sizeof(pi), bi->zones[z].node, bi->zones[z].name);
    for (size_t o = 0; o < bi->zones[z].nr_orders; o++) {
      char ti[32];
      snprintf(ti, sizeof(ti), "order%zu", o);
      ids[o] =
          metrics_add_series(m, pi, "freepages", ti, SERIES_MIN, SERIES_GAUGE);
    }
  }
  m->buddy_gen = bi->generation;
  m->buddy_built = true;
  return 0;
}

/* A slab cache name as a type instance: collectd identifiers and the files
 * its writers make cannot hold '/'. */
static void slab_type_instance(char *dst, size_t cap, const char *name) {
  snprintf(dst, cap, "%s", name);
  for (char *c = dst; *c; c++)
    if (*c == '/')
      *c = '_';
}

static bool slab_is_named(const struct metrics *m, const char *name) {
  for (size_t i = 0; i < m->config.nr_slab_caches; i++)
    if (strcmp(m->config.slab_caches[i], name) == 0)
      return true;
  return false;
}

static int build_slabs(struct metrics *m, const struct slabinfo *si) {
  size_t n = si->nr;
  if (grow(&m->slab_ids, &m->slab_ids_cap, n * 2, sizeof(int)) != 0 ||
      grow(&m->slab_named, &m->slab_named_cap, n, sizeof(bool)) != 0 ||
      grow(&m->rank, &m->rank_cap, n, sizeof(int)) != 0)
    return -ENOMEM;

  for (size_t c = 0; c < n; c++) {
    char ti[SERIES_NAME_LEN];
    slab_type_instance(ti, sizeof(ti), si->caches[c].name);
    int bytes =
        metrics_add_series(m, "slab", "bytes", ti, SERIES_MAX, SERIES_GAUGE);
    int objects =
        metrics_add_series(m, "slab", "objects", ti, SERIES_MAX, SERIES_GAUGE);
    if (bytes >= 0)
      m->set.v[bytes].rank_by = bytes;
    if (objects >= 0)
      m->set.v[objects].rank_by = bytes;
    m->slab_ids[2 * c] = bytes;
    m->slab_ids[2 * c + 1] = objects;
    m->slab_named[c] = slab_is_named(m, si->caches[c].name);
  }
  m->nr_slabs = n;
  m->slab_gen = si->generation;
  m->slab_built = true;
  return 0;
}

/* The name without its zone suffix, when it has one ("allocstall_normal"
 * -> "allocstall"); false otherwise. */
static bool vmstat_base(const char *name, char *base, size_t cap) {
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

/* Old kernels count per zone (pgscan_kswapd_normal, allocstall_dma32);
 * where the kernel does not also print the plain name, lowmem reports the
 * sum under it, so one identifier means the same on every kernel. */
static int vmstat_sum_slot(struct metrics *m, const struct vmstat *vs,
                           const char *name) {
  char base[VMSTAT_NAME_LEN];

  if (!vmstat_base(name, base, sizeof(base)) || vmstat_find(vs, base) >= 0)
    return -1;
  int id = metrics_add_series(m, SYSTEM, "vmpage_action", base, SERIES_LAST,
                              SERIES_DERIVE);
  if (id < 0)
    return -1;
  for (size_t i = 0; i < m->nr_sums; i++)
    if (m->sums[i].id == id)
      return (int)i;
  if (grow(&m->sums, &m->sums_cap, m->nr_sums + 1, sizeof(*m->sums)) != 0)
    return -1;
  m->sums[m->nr_sums].id = id;
  return (int)m->nr_sums++;
}

static int build_vmstat(struct metrics *m, const struct vmstat *vs) {
  if (grow(&m->vmstat_pick, &m->vmstat_pick_cap, vs->nr ? vs->nr : 1,
           sizeof(struct vmstat_pick)) != 0)
    return -ENOMEM;
  m->nr_sums = 0;
  for (size_t i = 0; i < vs->nr; i++) {
    const char *name = vs->items[i].name;
    struct vmstat_pick *pick = &m->vmstat_pick[i];

    pick->id = -1;
    pick->sum = -1;
    if (!metrics_vmstat_wanted(name))
      continue;
    pick->id = metrics_add_series(m, SYSTEM, "vmpage_action", name, SERIES_LAST,
                                  SERIES_DERIVE);
    pick->sum = vmstat_sum_slot(m, vs, name);
  }
  for (int d = 0; d < DIRTY_NR; d++)
    m->dirty_item[d] = vmstat_find(vs, dirty_name[d]);
  m->vmstat_gen = vs->generation;
  m->vmstat_built = true;
  return 0;
}

/* --- per sample ------------------------------------------------------------*/

static void add_zones(struct metrics *m, const struct sample *s) {
  const struct zoneinfo *zi = &s->zoneinfo;
  uint64_t page = m->config.page_size;

  if ((!m->zone_built || m->zone_gen != zi->generation) &&
      build_zones(m, zi) != 0) {
    m->zone_built = false;
    return;
  }
  for (size_t z = 0; z < zi->nr; z++) {
    const struct zone_info *zone = &zi->zones[z];
    const int *ids = &m->zone_ids[z * ZS_PER_ZONE];

    /* Zones without pages (Movable, Device on most machines) are printed by
     * new kernels but hold nothing worth a graph. */
    if (zone->present == 0)
      continue;
    series_gauge(&m->set, ids[ZS_FREE], (double)(zone->free * page));
    series_gauge(&m->set, ids[ZS_MIN], (double)(zone->min * page));
    series_gauge(&m->set, ids[ZS_LOW], (double)(zone->low * page));
    series_gauge(&m->set, ids[ZS_HIGH], (double)(zone->high * page));
    series_gauge(&m->set, ids[ZS_PRESENT], (double)(zone->present * page));
    if (zone->has & ZONE_HAS_MANAGED)
      series_gauge(&m->set, ids[ZS_MANAGED], (double)(zone->managed * page));
    if (zone->has & ZONE_HAS_NR_SLAB_RECLAIMABLE)
      series_gauge(&m->set, ids[ZS_SLAB_RECLAIMABLE],
                   (double)(zone->nr_slab_reclaimable * page));
    if (zone->has & ZONE_HAS_NR_SLAB_UNRECLAIMABLE)
      series_gauge(&m->set, ids[ZS_SLAB_UNRECLAIMABLE],
                   (double)(zone->nr_slab_unreclaimable * page));

    if (z >= s->headroom_cap || !s->headroom[z].valid)
      continue;
    const struct zone_headroom *h = &s->headroom[z];
    series_gauge(&m->set, ids[ZS_RESERVE], (double)(h->reserve * page));
    for (size_t o = 0; o < m->config.nr_orders; o++)
      series_gauge(&m->set, ids[ZS_HEADROOM + o],
                   (double)h->pages[o] * (double)page);
  }
}

static void add_buddies(struct metrics *m, const struct buddyinfo *bi) {
  if ((!m->buddy_built || m->buddy_gen != bi->generation) &&
      build_buddies(m, bi) != 0) {
    m->buddy_built = false;
    return;
  }
  for (size_t z = 0; z < bi->nr; z++) {
    const int *ids = &m->buddy_ids[z * BUDDYINFO_MAX_ORDERS];
    for (size_t o = 0; o < bi->zones[z].nr_orders; o++)
      series_gauge(&m->set, ids[o], (double)bi->zones[z].nr_free[o]);
  }
}

static void add_slabs(struct metrics *m, const struct slabinfo *si) {
  if ((!m->slab_built || m->slab_gen != si->generation) &&
      build_slabs(m, si) != 0) {
    m->slab_built = false;
    return;
  }
  for (size_t c = 0; c < si->nr; c++) {
    const struct slab_cache *cache = &si->caches[c];
    series_gauge(&m->set, m->slab_ids[2 * c],
                 (double)slab_cache_bytes(cache, m->config.page_size));
    series_gauge(&m->set, m->slab_ids[2 * c + 1], (double)cache->active_objs);
  }
}

static void add_vmstat(struct metrics *m, const struct vmstat *vs) {
  if ((!m->vmstat_built || m->vmstat_gen != vs->generation) &&
      build_vmstat(m, vs) != 0) {
    m->vmstat_built = false;
    return;
  }
  for (size_t i = 0; i < m->nr_sums; i++)
    m->sums[i].value = 0;
  for (size_t i = 0; i < vs->nr; i++) {
    const struct vmstat_pick *pick = &m->vmstat_pick[i];
    /* derive_t is signed: a counter past 2^63 wraps, as collectd expects. */
    int64_t v = (int64_t)vs->items[i].value;
    if (pick->id >= 0)
      series_derive(&m->set, pick->id, v);
    if (pick->sum >= 0)
      m->sums[pick->sum].value += v;
  }
  for (size_t i = 0; i < m->nr_sums; i++)
    series_derive(&m->set, m->sums[i].id, m->sums[i].value);
  for (int d = 0; d < DIRTY_NR; d++)
    if (m->dirty_item[d] >= 0)
      series_gauge(
          &m->set, m->dirty_ids[d],
          (double)(vs->items[m->dirty_item[d]].value * m->config.page_size));
}

static void add_meminfo(struct metrics *m, const struct meminfo *mi) {
  for (int f = 0; f < MEMINFO_NR; f++)
    if (meminfo_has(mi, f))
      series_gauge(&m->set, m->meminfo_ids[f], (double)mi->value[f]);
}

/* Share of the time between two samples that tasks stalled on memory:
 * PSI's own averages cover 10 s at best, this sees a 100 ms stall. */
static double stall_percent(uint64_t total, uint64_t prev, double seconds) {
  if (total < prev || seconds <= 0)
    return 0;
  double p = (double)(total - prev) / (seconds * 1e6) * 100.0;
  return p > 100.0 ? 100.0 : p;
}

static void add_pressure(struct metrics *m, const struct pressure *ps,
                         double now) {
  const struct psi_line *line[2] = {&ps->some, &ps->full};
  const int first[2] = {PSI_SOME_AVG10, PSI_FULL_AVG10};
  const int percent[2] = {PSI_SOME_PERCENT, PSI_FULL_PERCENT};
  const int total[2] = {PSI_SOME_TOTAL, PSI_FULL_TOTAL};
  uint64_t *prev[2] = {&m->psi_prev_some, &m->psi_prev_full};

  for (int k = 0; k < 2; k++) {
    if (!line[k]->present)
      continue;
    series_gauge(&m->set, m->psi_ids[first[k]], line[k]->avg10);
    series_gauge(&m->set, m->psi_ids[first[k] + 1], line[k]->avg60);
    series_gauge(&m->set, m->psi_ids[first[k] + 2], line[k]->avg300);
    series_derive(&m->set, m->psi_ids[total[k]],
                  (int64_t)(line[k]->total / 1000));
    if (m->psi_prev_ok)
      series_gauge(
          &m->set, m->psi_ids[percent[k]],
          stall_percent(line[k]->total, *prev[k], now - m->psi_prev_time));
    *prev[k] = line[k]->total;
  }
  m->psi_prev_time = now;
  m->psi_prev_ok = true;
}

void metrics_add(struct metrics *m, const struct sample *s, double now) {
  if (s->ok & (1u << SOURCE_ZONEINFO))
    add_zones(m, s);
  if (s->ok & (1u << SOURCE_BUDDYINFO))
    add_buddies(m, &s->buddyinfo);
  if (s->ok & (1u << SOURCE_SLABINFO))
    add_slabs(m, &s->slabinfo);
  if (s->ok & (1u << SOURCE_VMSTAT))
    add_vmstat(m, &s->vmstat);
  if (s->ok & (1u << SOURCE_MEMINFO))
    add_meminfo(m, &s->meminfo);
  if (s->ok & (1u << SOURCE_PRESSURE))
    add_pressure(m, &s->pressure, now);
  else
    m->psi_prev_ok = false;
}

/* --- choosing what leaves
 * ---------------------------------------------------*/

/* Puts series id into top[] (n of them, largest gauge first, at most cap),
 * dropping the smallest when full. An insertion into a short sorted list:
 * no allocation, and cheaper than sorting every cache for ten of them. */
static void rank_insert(const struct series_set *set, int *top, size_t *n,
                        size_t cap, int id) {
  double v = set->v[id].gauge;
  size_t i = *n;

  if (cap == 0 || (i == cap && v <= set->v[top[cap - 1]].gauge))
    return;
  if (i == cap)
    i--;
  for (; i > 0 && set->v[top[i - 1]].gauge < v; i--)
    top[i] = top[i - 1];
  top[i] = id;
  if (*n < cap)
    (*n)++;
}

void metrics_choose(struct metrics *m) {
  size_t n = 0;
  size_t cap = m->config.slab_top_n < m->nr_slabs ? m->config.slab_top_n
                                                  : m->nr_slabs;

  if (!m->slab_built)
    return;
  for (size_t c = 0; c < m->nr_slabs; c++) {
    int bytes = m->slab_ids[2 * c];
    if (bytes < 0 || m->set.v[bytes].n == 0)
      continue;
    m->set.v[bytes].chosen = m->slab_named[c];
    rank_insert(&m->set, m->rank, &n, cap, bytes);
  }
  for (size_t i = 0; i < n; i++)
    m->set.v[m->rank[i]].chosen = true;
  /* Objects follow the choice made for their bytes. */
  for (size_t c = 0; c < m->nr_slabs; c++) {
    int bytes = m->slab_ids[2 * c], objects = m->slab_ids[2 * c + 1];
    if (bytes >= 0 && objects >= 0)
      m->set.v[objects].chosen = m->set.v[bytes].chosen;
  }
}

void metrics_reset(struct metrics *m) { series_reset(&m->set); }
