/* Metrics: the series each sample feeds, under which names.
 *
 * This is the naming interface of lowmem (collectd-lowmem(5), METRICS). Every
 * series lowmem dispatches is produced here, from the sample and its view (the
 * zones' labels and headroom, the system-wide counters: sample/view.h);
 * the capabilities beside the memory sources (threads, web server) add
 * theirs to the same set. Mapping entries to series ids is done again only
 * when a layout changes (view and source generations); each sample then
 * costs one series update per value. */
#ifndef LOWMEM_METRICS_H
#define LOWMEM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"
#include "series.h"
#include "slabtop.h"

struct metrics_config {
  unsigned slab_top_n; /* caches dispatched by memory held */
  char **slab_caches;  /* caches always dispatched (names) */
  size_t nr_slab_caches;
  unsigned orders[SAMPLER_MAX_ORDERS]; /* headroom orders, as the sampler */
  size_t nr_orders;
  uint64_t page_size;
  /* Windows between two dispatches of the free blocks per migrate type:
   * pagetypeinfo is read at an interval of its own. */
  unsigned pagetype_every;
  /* Dispatch each zone's occupancy (zone_occupancy-<part>): its type must
   * be in collectd's types.db. */
  bool occupancy;
};

/* Per zone: the series of zoneinfo fields, then the headroom per order. */
enum zone_series {
  ZS_FREE,
  ZS_MIN,
  ZS_LOW,
  ZS_HIGH,
  ZS_PRESENT,
  ZS_MANAGED,
  ZS_SLAB_RECLAIMABLE,
  ZS_SLAB_UNRECLAIMABLE,
  ZS_SLAB_PERCENT,
  ZS_RESERVE,
  ZS_HIGHATOMIC,
  ZS_FIXED, /* then, per order of the configuration: */
};
enum zone_order_series { ZO_HEADROOM, ZO_ATOMIC, ZO_NR };

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
enum { SLAB_PERCENT, SLAB_PERCENT_UNRECLAIMABLE, SLAB_PERCENT_NR };

/* The series of one zone of the view. */
struct zone_ids {
  int fixed[ZS_FIXED];
  int order[SAMPLER_MAX_ORDERS][ZO_NR];
  int occupancy[OCC_NR];           /* zone_occupancy-<part> */
  int buddy[BUDDYINFO_MAX_ORDERS]; /* freepages-order<k> */
  size_t nr_buddy;
  /* freepages-<type>_order<k>, kernel zones with pagetypeinfo */
  int types[PAGETYPEINFO_MAX_TYPES][BUDDYINFO_MAX_ORDERS];
  size_t nr_types, nr_type_orders;
};

struct metrics {
  struct metrics_config config;
  struct series_set set;
  int failed_adds; /* series refused (limit, memory); 0 when all went in */

  /* Generations the zone layout was built for. */
  unsigned zone_gen, buddy_gen, types_gen, vm_gen, dirty_gen;
  bool zones_built, vm_built, dirty_built, types_seen;

  struct zone_ids *zones; /* per zone of the view */
  size_t zones_cap;
  int *vm_ids; /* per counter of the view */
  size_t vm_ids_cap;
  struct slab_top slabs; /* the caches followed: top N and named */
  int dirty_ids[DIRTY_NR];
  long dirty_item[DIRTY_NR]; /* vmstat index or -1 */
  int meminfo_ids[MEMINFO_NR];
  int slab_percent_ids[SLAB_PERCENT_NR];
  int psi_ids[PSI_NR];

  /* Stall share between two samples needs the previous totals. */
  bool psi_prev_ok;
  uint64_t psi_prev_some, psi_prev_full;
  double psi_prev_time;
};

/* Copies config (slab_caches are duplicated). Returns 0 or -ENOMEM. */
int metrics_init(struct metrics *m, const struct metrics_config *config);
void metrics_destroy(struct metrics *m);

/* Feeds one sample and its view, taken at monotonic time now (seconds),
 * to the window. */
void metrics_add(struct metrics *m, const struct sample *s,
                 const struct view *v, double now);

/* Chooses which ranked series (slab caches) this window dispatches: the
 * SlabTopN caches by largest memory held in the window, and the named ones. */
void metrics_choose(struct metrics *m);

/* Starts the next window after window w left (series dispatched every
 * few windows keep their samples until they leave). */
void metrics_reset(struct metrics *m, uint64_t w);

#endif
