/* Metrics: which series each parsed source feeds, under which names.
 *
 * This is the naming interface of lowmem (README, "Metrics"). Mapping a
 * source's entries to series ids is done again only when the source's
 * layout generation changes; each sample then costs one series update per
 * value. */
#ifndef LOWMEM_METRICS_H
#define LOWMEM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"
#include "series.h"

struct metrics_config {
  unsigned slab_top_n; /* caches dispatched by memory held */
  char **slab_caches;  /* caches always dispatched (names) */
  size_t nr_slab_caches;
  unsigned orders[SAMPLER_MAX_ORDERS]; /* headroom orders, as the sampler */
  size_t nr_orders;
  uint64_t page_size;
};

/* Per zone: the series of zoneinfo fields, then one headroom per order. */
enum zone_series {
  ZS_FREE,
  ZS_MIN,
  ZS_LOW,
  ZS_HIGH,
  ZS_PRESENT,
  ZS_MANAGED,
  ZS_SLAB_RECLAIMABLE,
  ZS_SLAB_UNRECLAIMABLE,
  ZS_RESERVE,
  ZS_HEADROOM, /* + index of the order in config.orders */
};
#define ZS_PER_ZONE (ZS_HEADROOM + SAMPLER_MAX_ORDERS)

enum psi_series {
  PSI_SOME_AVG10,
  PSI_SOME_AVG60,
  PSI_SOME_AVG300,
  PSI_FULL_AVG10,
  PSI_FULL_AVG60,
  PSI_FULL_AVG300,
  PSI_SOME_PERCENT,
  PSI_FULL_PERCENT,
  PSI_SOME_TOTAL,
  PSI_FULL_TOTAL,
  PSI_NR
};

enum { DIRTY_THRESHOLD, DIRTY_BACKGROUND_THRESHOLD, DIRTY_NR };

struct vmstat_pick {
  int id;  /* series of the counter itself, -1: not reported */
  int sum; /* index into sums of the summed name, -1: none */
};

struct vmstat_sum {
  int id;
  int64_t value;
};

struct metrics {
  struct metrics_config config;
  struct series_set set;
  int failed_adds; /* series refused (limit, memory); 0 when all went in */

  unsigned zone_gen, buddy_gen, slab_gen, vmstat_gen;
  bool zone_built, buddy_built, slab_built, vmstat_built;

  int *zone_ids; /* ZS_PER_ZONE per zone of sample.zoneinfo */
  size_t zone_ids_cap;
  int *buddy_ids; /* BUDDYINFO_MAX_ORDERS per zone of sample.buddyinfo */
  size_t buddy_ids_cap;
  int *slab_ids; /* two per cache: bytes, objects */
  size_t slab_ids_cap;
  bool *slab_named; /* per cache: named with SlabCache */
  size_t slab_named_cap;
  size_t nr_slabs; /* caches in the current layout */
  int *rank;       /* scratch for choosing the top caches */
  size_t rank_cap;
  struct vmstat_pick *vmstat_pick;
  size_t vmstat_pick_cap;
  struct vmstat_sum *sums; /* names summed over zones (allocstall, ...) */
  size_t nr_sums, sums_cap;
  int dirty_ids[DIRTY_NR];
  long dirty_item[DIRTY_NR]; /* vmstat index or -1 */
  int meminfo_ids[MEMINFO_NR];
  int psi_ids[PSI_NR];

  /* Stall share between two samples needs the previous totals. */
  bool psi_prev_ok;
  uint64_t psi_prev_some, psi_prev_full;
  double psi_prev_time;
};

/* Copies config (slab_caches are duplicated). Returns 0 or -ENOMEM. */
int metrics_init(struct metrics *m, const struct metrics_config *config);
void metrics_destroy(struct metrics *m);

/* Feeds one sample, taken at monotonic time now (seconds), to the window. */
void metrics_add(struct metrics *m, const struct sample *s, double now);

/* Chooses which ranked series (slab caches) this window dispatches: the
 * SlabTopN caches by largest memory held in the window, and the named ones. */
void metrics_choose(struct metrics *m);

/* Starts the next window. */
void metrics_reset(struct metrics *m);

/* True when a counter of this vmstat name is reported (reclaim, compaction,
 * allocation stalls, OOM kills, writeback totals). */
bool metrics_vmstat_wanted(const char *name);

#endif
