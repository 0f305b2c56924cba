#include "gauges.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zones.h"

int gauges_init(struct gauges *g, struct series_set *set) {
  memset(g, 0, sizeof(*g));
  g->slab = series_add(set, "", "percent", "slab", SERIES_MAX, SERIES_GAUGE);
  g->slab_unreclaimable = series_add(set, "", "percent", "slab_unreclaimable",
                                     SERIES_MAX, SERIES_GAUGE);
  return g->slab < 0 || g->slab_unreclaimable < 0 ? -ENOMEM : 0;
}

void gauges_destroy(struct gauges *g) {
  free(g->zone_ids);
  memset(g, 0, sizeof(*g));
}

static int build_zones(struct gauges *g, struct series_set *set,
                       const struct zoneinfo *zi) {
  if (zi->nr > g->zone_ids_cap) {
    int *ids = realloc(g->zone_ids, zi->nr * sizeof(*ids));
    if (ids == NULL)
      return -ENOMEM;
    g->zone_ids = ids;
    g->zone_ids_cap = zi->nr;
  }
  for (size_t z = 0; z < zi->nr; z++) {
    char label[ZONE_LABEL_LEN];
    zone_label(label, sizeof(label), &zi->zones[z]);
    g->zone_ids[z] =
        series_add(set, label, "percent", "slab", SERIES_MAX, SERIES_GAUGE);
  }
  g->zone_gen = zi->generation;
  g->zones_built = true;
  return 0;
}

static void add_system(struct gauges *g, struct series_set *set,
                       const struct meminfo *mi) {
  enum meminfo_field base_field = meminfo_has(mi, MEMINFO_LOW_TOTAL)
                                      ? MEMINFO_LOW_TOTAL
                                      : MEMINFO_MEM_TOTAL;
  if (!meminfo_has(mi, base_field) || mi->value[base_field] == 0)
    return;
  double base = (double)mi->value[base_field];
  if (meminfo_has(mi, MEMINFO_SLAB))
    series_gauge(set, g->slab, 100.0 * (double)mi->value[MEMINFO_SLAB] / base);
  if (meminfo_has(mi, MEMINFO_SUNRECLAIM))
    series_gauge(set, g->slab_unreclaimable,
                 100.0 * (double)mi->value[MEMINFO_SUNRECLAIM] / base);
}

static void add_zones(struct gauges *g, struct series_set *set,
                      const struct zoneinfo *zi) {
  if ((!g->zones_built || g->zone_gen != zi->generation) &&
      build_zones(g, set, zi) != 0) {
    g->zones_built = false;
    return;
  }
  for (size_t z = 0; z < zi->nr; z++) {
    const struct zone_info *zone = &zi->zones[z];
    const unsigned both =
        ZONE_HAS_NR_SLAB_RECLAIMABLE | ZONE_HAS_NR_SLAB_UNRECLAIMABLE;
    uint64_t pages =
        zone->has & ZONE_HAS_MANAGED ? zone->managed : zone->present;
    if ((zone->has & both) != both || pages == 0)
      continue;
    series_gauge(
        set, g->zone_ids[z],
        100.0 *
            (double)(zone->nr_slab_reclaimable + zone->nr_slab_unreclaimable) /
            (double)pages);
  }
}

void gauges_add(struct gauges *g, struct series_set *set,
                const struct sample *s) {
  if (s->ok & (1u << SOURCE_MEMINFO))
    add_system(g, set, &s->meminfo);
  if (s->ok & (1u << SOURCE_ZONEINFO))
    add_zones(g, set, &s->zoneinfo);
}
