/* Gauges for thresholds: slab as a share of the memory it can live in.
 *
 * collectd's threshold plugin compares one value with fixed bounds; slab
 * in bytes needs a bound per machine size. As a percentage it does not:
 *
 *   lowmem/percent-slab                 Slab / base x 100
 *   lowmem/percent-slab_unreclaimable   SUnreclaim / base x 100
 *       base: LowTotal on HighMem kernels (slab lives in low memory only:
 *       the incident's Normal zone was 92% slab), MemTotal elsewhere;
 *   lowmem-<zone>/percent-slab          the zone's nr_slab_reclaimable +
 *       nr_slab_unreclaimable over its managed (else present) pages, on
 *       kernels that count slab per zone (before 4.8).
 *
 * Each window dispatches its largest value. */
#ifndef LOWMEM_GAUGES_H
#define LOWMEM_GAUGES_H

#include <stdbool.h>
#include <stddef.h>

#include "../sample/sampler.h"
#include "../window/series.h"

struct gauges {
  int slab, slab_unreclaimable; /* series ids, -1 when refused */
  int *zone_ids;                /* per zone of sample.zoneinfo */
  size_t zone_ids_cap;
  unsigned zone_gen;
  bool zones_built;
};

/* Adds the system-wide series to set. Returns 0 or -ENOMEM. */
int gauges_init(struct gauges *g, struct series_set *set);

/* Feeds one sample. */
void gauges_add(struct gauges *g, struct series_set *set,
                const struct sample *s);

void gauges_destroy(struct gauges *g);

#endif
