#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "types.h"

/* A lowmem instance of collectd holds a few thousand series at most (slab
 * caches are a pool of SlabTopN, whatever the kernel lists); past this
 * something produces names without end, and lowmem stops adding. */
enum { METRICS_SERIES_LIMIT = 20000 };

/* Plugin instance of the system-wide values ("lowmem/system-dirty"). */
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
    /* What holds memory, beside the zones' occupancy: the most of it. */
    [MEMINFO_CACHED] = {"cached", SERIES_MAX},
    [MEMINFO_BUFFERS] = {"buffers", SERIES_MAX},
    [MEMINFO_ANON_PAGES] = {"anon_pages", SERIES_MAX},
    [MEMINFO_SHMEM] = {"shmem", SERIES_MAX},
    [MEMINFO_MAPPED] = {"mapped", SERIES_MAX},
    [MEMINFO_ACTIVE_FILE] = {"active_file", SERIES_MAX},
    [MEMINFO_INACTIVE_FILE] = {"inactive_file", SERIES_MAX},
};
_Static_assert(sizeof(meminfo_metric) / sizeof(meminfo_metric[0]) == MEMINFO_NR,
               "one name per meminfo field");

struct zone_metric {
  const char *type, *type_instance;
  enum series_worst worst;
};

static const struct zone_metric zone_metric[ZS_FIXED] = {
    [ZS_FREE] = {TYPE_ZONE, "free", SERIES_MIN},
    [ZS_MIN] = {TYPE_ZONE, "min", SERIES_MAX},
    [ZS_LOW] = {TYPE_ZONE, "low", SERIES_MAX},
    [ZS_HIGH] = {TYPE_ZONE, "high", SERIES_MAX},
    [ZS_PRESENT] = {TYPE_ZONE_SIZE, "present", SERIES_LAST},
    [ZS_MANAGED] = {TYPE_ZONE_SIZE, "managed", SERIES_LAST},
    [ZS_SLAB_RECLAIMABLE] = {TYPE_ZONE_SLAB, "reclaimable", SERIES_MAX},
    [ZS_SLAB_UNRECLAIMABLE] = {TYPE_ZONE_SLAB, "unreclaimable", SERIES_MAX},
    [ZS_SLAB_PERCENT] = {TYPE_ZONE_SHARE, "slab", SERIES_MAX},
    [ZS_RESERVE] = {TYPE_ZONE, "reserve", SERIES_LAST},
    [ZS_HIGHATOMIC] = {TYPE_ZONE, "highatomic", SERIES_MAX},
};

/* The headroom series of an order: "headroom-order1",
 * "headroom-atomic_order1". */
static const char *const order_prefix[ZO_NR] = {
    [ZO_HEADROOM] = "order",
    [ZO_ATOMIC] = "atomic_order",
};

struct psi_metric {
  const char *type, *type_instance;
  enum series_worst worst;
  enum series_ds ds;
};

static const struct psi_metric psi_metric[PSI_NR] = {
    [PSI_SOME_AVG10] = {TYPE_PRESSURE, "some_avg10", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_AVG60] = {TYPE_PRESSURE, "some_avg60", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_AVG300] = {TYPE_PRESSURE, "some_avg300", SERIES_MAX,
                         SERIES_GAUGE},
    [PSI_FULL_AVG10] = {TYPE_PRESSURE, "full_avg10", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_AVG60] = {TYPE_PRESSURE, "full_avg60", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_AVG300] = {TYPE_PRESSURE, "full_avg300", SERIES_MAX,
                         SERIES_GAUGE},
    [PSI_SOME_PERCENT] = {TYPE_PERCENT, "some", SERIES_MAX, SERIES_GAUGE},
    [PSI_FULL_PERCENT] = {TYPE_PERCENT, "full", SERIES_MAX, SERIES_GAUGE},
    [PSI_SOME_TOTAL] = {TYPE_TOTAL_TIME_IN_MS, "some", SERIES_LAST,
                        SERIES_DERIVE},
    [PSI_FULL_TOTAL] = {TYPE_TOTAL_TIME_IN_MS, "full", SERIES_LAST,
                        SERIES_DERIVE},
};

static const char *const dirty_name[DIRTY_NR] = {
    [DIRTY_THRESHOLD] = "nr_dirty_threshold",
    [DIRTY_BACKGROUND_THRESHOLD] = "nr_dirty_background_threshold",
};
static const char *const dirty_type_instance[DIRTY_NR] = {
    [DIRTY_THRESHOLD] = "dirty_threshold",
    [DIRTY_BACKGROUND_THRESHOLD] = "dirty_background_threshold",
};

/* Slab as a share of the memory it can live in, for thresholds (a bound
 * in bytes would be one per machine size): over LowTotal on HighMem
 * kernels (slab lives in low memory only: the incident's Normal zone was
 * 92% slab), MemTotal elsewhere. */
static const char *const slab_percent_instance[SLAB_PERCENT_NR] = {
    [SLAB_PERCENT] = "slab",
    [SLAB_PERCENT_UNRECLAIMABLE] = "slab_unreclaimable",
};

/* --- set up ----------------------------------------------------------------*/

static int metrics_add_series(struct metrics *m, const char *pi,
                              const char *type, const char *ti,
                              enum series_worst worst, enum series_ds ds) {
  int id = series_add(&m->set, pi, type, ti, worst, ds);
  if (id < 0)
    m->failed_adds++;
  return id;
}

static int copy_slab_caches(struct metrics *m, const struct metrics_config *c) {
  if (c->nr_slab_caches == 0)
    return 0;
  m->config.slab_caches = calloc(c->nr_slab_caches, sizeof(char *));
  if (m->config.slab_caches == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < c->nr_slab_caches; i++) {
    m->config.slab_caches[i] = strdup(c->slab_caches[i]);
    if (m->config.slab_caches[i] == NULL)
      return -ENOMEM;
    m->config.nr_slab_caches++;
  }
  return 0;
}

int metrics_init(struct metrics *m, const struct metrics_config *config) {
  memset(m, 0, sizeof(*m));
  m->config = *config;
  m->config.slab_caches = NULL;
  m->config.nr_slab_caches = 0;
  if (m->config.pagetype_every == 0)
    m->config.pagetype_every = 1;
  series_init(&m->set, METRICS_SERIES_LIMIT);
  if (copy_slab_caches(m, config) != 0 ||
      slab_top_init(&m->slabs, &m->set, m->config.slab_top_n,
                    m->config.slab_caches, m->config.nr_slab_caches,
                    m->config.page_size) != 0)
    return -ENOMEM;

  for (int f = 0; f < MEMINFO_NR; f++)
    m->meminfo_ids[f] = metrics_add_series(
        m, SYSTEM, TYPE_SYSTEM, meminfo_metric[f].type_instance,
        meminfo_metric[f].worst, SERIES_GAUGE);
  for (int d = 0; d < DIRTY_NR; d++)
    m->dirty_ids[d] =
        metrics_add_series(m, SYSTEM, TYPE_SYSTEM, dirty_type_instance[d],
                           SERIES_MIN, SERIES_GAUGE);
  for (int p = 0; p < SLAB_PERCENT_NR; p++)
    m->slab_percent_ids[p] =
        metrics_add_series(m, SYSTEM, TYPE_SYSTEM_SHARE,
                           slab_percent_instance[p], SERIES_MAX, SERIES_GAUGE);
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
  free(m->zones);
  free(m->vm_ids);
  slab_top_free(&m->slabs);
  series_free(&m->set);
  memset(m, 0, sizeof(*m));
}

/* --- layouts: names to ids, redone when a source's shape changes
 * ------------*/

/* "unmovable", the migrate type as a type instance's first word. */
static void type_word(char *buf, size_t cap, const char *name) {
  size_t i = 0;
  for (; name[i] && i + 1 < cap; i++)
    buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a'
                                                      : name[i]);
  buf[i] = '\0';
}

static void build_zone(struct metrics *m, const struct zone_view *z,
                       const struct pagetypeinfo *pt, struct zone_ids *ids) {
  char ti[SERIES_NAME_LEN];

  for (int f = 0; f < ZS_FIXED; f++)
    ids->fixed[f] = metrics_add_series(m, z->label, zone_metric[f].type,
                                       zone_metric[f].type_instance,
                                       zone_metric[f].worst, SERIES_GAUGE);
  for (size_t o = 0; o < m->config.nr_orders; o++)
    for (int k = 0; k < ZO_NR; k++) {
      snprintf(ti, sizeof(ti), "%s%u", order_prefix[k], m->config.orders[o]);
      ids->order[o][k] = metrics_add_series(m, z->label, TYPE_HEADROOM, ti,
                                            SERIES_MIN, SERIES_GAUGE);
    }
  for (int p = 0; p < OCC_NR; p++)
    ids->occupancy[p] =
        m->config.occupancy
            ? metrics_add_series(m, z->label, TYPE_ZONE_OCCUPANCY,
                                 occupancy_name[p], SERIES_LAST, SERIES_GAUGE)
            : -1;
  ids->nr_buddy = z->buddy ? z->buddy->nr_orders : 0;
  for (size_t o = 0; o < ids->nr_buddy; o++) {
    snprintf(ti, sizeof(ti), "order%zu", o);
    ids->buddy[o] = metrics_add_series(m, z->label, TYPE_FREEPAGES, ti,
                                       SERIES_MIN, SERIES_GAUGE);
  }
  /* Free blocks per migrate type, for the zones ordinary allocations use:
   * what an unmovable request may take, and what it may not. */
  ids->nr_types = 0;
  ids->nr_type_orders = 0;
  if (z->types == NULL || !z->kernel_zone)
    return;
  ids->nr_types = pt->nr_types;
  ids->nr_type_orders = pt->nr_orders;
  for (size_t t = 0; t < pt->nr_types; t++) {
    char word[PAGETYPEINFO_TYPE_LEN];
    type_word(word, sizeof(word), pt->type_name[t]);
    for (size_t o = 0; o < pt->nr_orders; o++) {
      snprintf(ti, sizeof(ti), "%s_order%zu", word, o);
      ids->types[t][o] = metrics_add_series(m, z->label, TYPE_FREEPAGES, ti,
                                            SERIES_MIN, SERIES_GAUGE);
      series_every(&m->set, ids->types[t][o], m->config.pagetype_every);
    }
  }
  series_every(&m->set, ids->fixed[ZS_HIGHATOMIC], m->config.pagetype_every);
}

static int build_zones(struct metrics *m, const struct sample *s,
                       const struct view *v) {
  if (array_reserve(&m->zones, &m->zones_cap, v->nr, sizeof(*m->zones)) != 0)
    return -ENOMEM;
  for (size_t i = 0; i < v->nr; i++)
    build_zone(m, &v->zones[i], &s->pagetypeinfo, &m->zones[i]);
  m->zone_gen = v->zone_generation;
  m->buddy_gen = s->buddyinfo.generation;
  m->types_gen = s->pagetypeinfo.generation;
  m->types_seen = v->types_known;
  m->zones_built = true;
  return 0;
}

static int build_counters(struct metrics *m, const struct view *v) {
  if (array_reserve(&m->vm_ids, &m->vm_ids_cap, v->nr_vm ? v->nr_vm : 1,
                    sizeof(int)) != 0)
    return -ENOMEM;
  for (size_t c = 0; c < v->nr_vm; c++)
    m->vm_ids[c] =
        metrics_add_series(m, SYSTEM, TYPE_VMPAGE_ACTION, v->vm[c].name,
                           SERIES_LAST, SERIES_DERIVE);
  m->vm_gen = v->vm_generation;
  m->vm_built = true;
  return 0;
}

/* --- per sample ------------------------------------------------------------*/

static void add_zone(struct metrics *m, const struct zone_view *z,
                     const struct zone_ids *ids, const struct sample *s) {
  const struct zone_info *info = z->info;
  const double page = (double)m->config.page_size;
  const int *f = ids->fixed;

  series_gauge(&m->set, f[ZS_FREE], (double)info->free * page);
  /* The zone's occupancy at the window's least free memory (its latest
   * such sample): parts of one sample, so they still add up. */
  if (f[ZS_FREE] >= 0 &&
      m->set.v[f[ZS_FREE]].gauge == (double)info->free * page)
    for (int p = 0; p < OCC_NR; p++)
      if (z->occupancy.has & (1u << p))
        series_gauge(&m->set, ids->occupancy[p], (double)z->occupancy.bytes[p]);
  series_gauge(&m->set, f[ZS_MIN], (double)info->min * page);
  series_gauge(&m->set, f[ZS_LOW], (double)info->low * page);
  series_gauge(&m->set, f[ZS_HIGH], (double)info->high * page);
  series_gauge(&m->set, f[ZS_PRESENT], (double)info->present * page);
  if (info->has & ZONE_HAS_MANAGED)
    series_gauge(&m->set, f[ZS_MANAGED], (double)info->managed * page);
  if (info->has & ZONE_HAS_NR_SLAB_RECLAIMABLE)
    series_gauge(&m->set, f[ZS_SLAB_RECLAIMABLE],
                 (double)info->nr_slab_reclaimable * page);
  if (info->has & ZONE_HAS_NR_SLAB_UNRECLAIMABLE)
    series_gauge(&m->set, f[ZS_SLAB_UNRECLAIMABLE],
                 (double)info->nr_slab_unreclaimable * page);
  /* The zone's slab over its managed (else present) pages, kernels that
   * count slab per zone (before 4.8). */
  uint64_t pages = info->has & ZONE_HAS_MANAGED ? info->managed : info->present;
  if (z->has_slab && pages > 0)
    series_gauge(&m->set, f[ZS_SLAB_PERCENT],
                 100.0 * (double)z->slab / (double)pages);
  if (z->buddy != NULL)
    for (size_t o = 0; o < ids->nr_buddy && o < z->buddy->nr_orders; o++)
      series_gauge(&m->set, ids->buddy[o], (double)z->buddy->nr_free[o]);
  if (z->has_headroom) {
    series_gauge(&m->set, f[ZS_RESERVE], (double)z->reserve * page);
    for (size_t o = 0; o < m->config.nr_orders; o++) {
      series_gauge(&m->set, ids->order[o][ZO_HEADROOM],
                   (double)z->headroom_min[o] * page);
      series_gauge(&m->set, ids->order[o][ZO_ATOMIC],
                   (double)z->headroom_atomic[o] * page);
    }
  }
  /* Read at an interval of their own: fed when read, so each dispatch
   * holds the readings of its windows. */
  if (z->types != NULL && (s->fresh & (1u << SOURCE_PAGETYPEINFO))) {
    series_gauge(&m->set, f[ZS_HIGHATOMIC], (double)z->highatomic * page);
    for (size_t t = 0; t < ids->nr_types; t++)
      for (size_t o = 0; o < ids->nr_type_orders; o++)
        series_gauge(&m->set, ids->types[t][o], (double)z->types->nr_free[t][o]);
  }
}

static void add_zones(struct metrics *m, const struct sample *s,
                      const struct view *v) {
  if ((!m->zones_built || m->zone_gen != v->zone_generation ||
       m->buddy_gen != s->buddyinfo.generation ||
       m->types_gen != s->pagetypeinfo.generation ||
       m->types_seen != v->types_known) &&
      build_zones(m, s, v) != 0) {
    m->zones_built = false;
    return;
  }
  for (size_t i = 0; i < v->nr; i++)
    /* Zones without pages (Movable, Device on most machines) are printed
     * by new kernels but hold nothing worth a graph. */
    if (v->zones[i].populated)
      add_zone(m, &v->zones[i], &m->zones[i], s);
}

static void add_counters(struct metrics *m, const struct view *v) {
  if ((!m->vm_built || m->vm_gen != v->vm_generation) &&
      build_counters(m, v) != 0) {
    m->vm_built = false;
    return;
  }
  /* derive_t is signed: a counter past 2^63 wraps, as collectd expects. */
  for (size_t c = 0; c < v->nr_vm; c++)
    series_derive(&m->set, m->vm_ids[c], (int64_t)v->vm[c].value);
}

static void add_dirty(struct metrics *m, const struct vmstat *vs) {
  if (!m->dirty_built || m->dirty_gen != vs->generation) {
    for (int d = 0; d < DIRTY_NR; d++)
      m->dirty_item[d] = vmstat_find(vs, dirty_name[d]);
    m->dirty_gen = vs->generation;
    m->dirty_built = true;
  }
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

  enum meminfo_field base_field = meminfo_has(mi, MEMINFO_LOW_TOTAL)
                                      ? MEMINFO_LOW_TOTAL
                                      : MEMINFO_MEM_TOTAL;
  if (!meminfo_has(mi, base_field) || mi->value[base_field] == 0)
    return;
  double base = (double)mi->value[base_field];
  if (meminfo_has(mi, MEMINFO_SLAB))
    series_gauge(&m->set, m->slab_percent_ids[SLAB_PERCENT],
                 100.0 * (double)mi->value[MEMINFO_SLAB] / base);
  if (meminfo_has(mi, MEMINFO_SUNRECLAIM))
    series_gauge(&m->set, m->slab_percent_ids[SLAB_PERCENT_UNRECLAIMABLE],
                 100.0 * (double)mi->value[MEMINFO_SUNRECLAIM] / base);
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

void metrics_add(struct metrics *m, const struct sample *s,
                 const struct view *v, double now) {
  if (s->ok & (1u << SOURCE_ZONEINFO))
    add_zones(m, s, v);
  if (s->ok & (1u << SOURCE_SLABINFO))
    slab_top_add(&m->slabs, &m->set, &s->slabinfo,
                 (s->fresh & (1u << SOURCE_SLABINFO)) != 0);
  if (s->ok & (1u << SOURCE_VMSTAT)) {
    add_counters(m, v);
    add_dirty(m, &s->vmstat);
  }
  if (s->ok & (1u << SOURCE_MEMINFO))
    add_meminfo(m, &s->meminfo);
  if (s->ok & (1u << SOURCE_PRESSURE))
    add_pressure(m, &s->pressure, now);
  else
    m->psi_prev_ok = false;
}

/* --- choosing what leaves
 * ---------------------------------------------------*/

void metrics_choose(struct metrics *m) { slab_top_choose(&m->slabs, &m->set); }

void metrics_reset(struct metrics *m, uint64_t w) {
  series_reset_due(&m->set, w);
  slab_top_reset(&m->slabs);
}
