/* The view: what a sample means, derived once per tick and read by every
 * part (the window's series, the events, the incident record, the glue).
 *
 *   zones    in zoneinfo's order, each with its label ("node0-Normal"),
 *            its free blocks, its lowmem_reserve, whether ordinary kernel
 *            allocations can be served there at all, and the headroom of
 *            each configured order for three requests: GFP_KERNEL at the
 *            min and the low watermark, GFP_ATOMIC at its own mark;
 *            and what holds its pages (its occupancy);
 *   vm       the vmstat counters lowmem reports, one system-wide figure
 *            each: the kernel's own, or on kernels that count per zone
 *            (pgscan_kswapd_normal, allocstall_dma32) the sum under the
 *            plain name where the kernel prints none.
 *
 * Readers never work these out again: a part that needs a zone's label,
 * its headroom or a counter's sum takes it from here. Knows nothing of
 * collectd. */
#ifndef LOWMEM_VIEW_H
#define LOWMEM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sources/osrelease.h"
#include "headroom.h"
#include "occupancy.h"
#include "sample.h"

#define ZONE_LABEL_LEN 48 /* "node12-Normal" */

/* What a kind of request may count as free in a zone, when the migrate
 * types are known (pagetypeinfo): the free blocks of the lists it may
 * take from, and the pages it must leave. */
struct zone_usable {
  uint64_t nr_free[BUDDYINFO_MAX_ORDERS];
  uint64_t unusable; /* pages deducted from free (the atomic reserve) */
};

struct zone_view {
  const struct zone_info *info;      /* in sample.zoneinfo */
  const struct buddy_zone *buddy;    /* NULL: buddyinfo lacks the zone */
  const struct pagetype_zone *types; /* NULL: no pagetypeinfo (yet) */
  char label[ZONE_LABEL_LEN];        /* "node0-Normal" */
  bool populated;                    /* it has pages */
  bool has_reserve;
  uint64_t reserve; /* lowmem_reserve of a GFP_KERNEL request, pages */
  /* Ordinary kernel allocations can pass the check here at all: the
   * zone's watermark plus reserve leaves room below its pages. DMA on a
   * 64-bit machine keeps its pages for DMA requests: its headroom is
   * negative for good and says nothing about the machine. */
  bool kernel_zone;
  /* The headroom below holds: reserve and free blocks known. */
  bool has_headroom;
  /* Pages of the high-order atomic reserve (pagetypeinfo, 4.4+); and the
   * part of the zone's free blocks each request may use, from the latest
   * pagetypeinfo (read less often than buddyinfo: the unusable lists of
   * that reading are taken off this sample's free blocks). */
  uint64_t highatomic;
  struct zone_usable kernel, atomic;
  int64_t headroom_min[SAMPLER_MAX_ORDERS];    /* GFP_KERNEL at min */
  int64_t headroom_low[SAMPLER_MAX_ORDERS];    /* GFP_KERNEL at low */
  int64_t headroom_atomic[SAMPLER_MAX_ORDERS]; /* GFP_ATOMIC */
  bool has_slab;
  uint64_t slab; /* the zone's own slab, pages (kernels before 4.8) */
  /* What holds the zone's pages, parts adding up to managed (occupancy.h). */
  struct occupancy occupancy;
};

struct vm_counter {
  char name[VMSTAT_NAME_LEN];
  uint64_t value;
  bool summed; /* the sum of per-zone counters */
};

struct view_config {
  enum watermark_check check; /* resolved */
  struct kernel_version kernel;
  bool kernel_known;
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  uint64_t page_size;
};

struct view {
  struct view_config config;
  bool types_known; /* the migrate types were read (pagetypeinfo) */
  struct zone_view *zones; /* sample.zoneinfo.nr of them, its order */
  size_t nr, cap;
  unsigned zone_generation; /* bumped when zones (names, order) change */
  unsigned zoneinfo_generation;
  bool zones_built;
  struct vm_counter *vm;
  size_t nr_vm, cap_vm;
  unsigned vm_generation; /* bumped when the counters' names change */
  /* Per vmstat item: its counter, and the sum it adds to (-1: none). */
  struct vm_map {
    int self, sum;
  } * vm_map;
  size_t cap_vm_map;
  unsigned vmstat_generation;
  bool vm_built;
};

void view_init(struct view *v, const struct view_config *c);
void view_destroy(struct view *v);

/* Derives the view of sample s (its ok sources). */
void view_update(struct view *v, const struct sample *s);

/* The headroom in pages of an order-k request of zone z against mark,
 * GFP_KERNEL (atomic false) or GFP_ATOMIC; for orders the configuration
 * does not name (an OOM report's). False when the zone's headroom is not
 * known. */
bool view_headroom(const struct view *v, const struct zone_view *z,
                   bool atomic, uint64_t mark, unsigned order,
                   int64_t *pages);

/* Among the zones ordinary kernel allocations can use (all populated ones
 * when none can), the one with the least GFP_KERNEL headroom at min for an
 * order-k request; NULL when no zone's headroom is known. */
const struct zone_view *view_tightest(const struct view *v, unsigned order,
                                      int64_t *headroom);

/* A zone ordinary allocations use is at or below its low watermark for a
 * configured order: kswapd is awake, the kernel is near refusing. */
bool view_near_wall(const struct view *v);

/* The index in v->vm of the counter called name, or -1. */
int view_counter(const struct view *v, const char *name);

/* True when a vmstat counter of this name is reported (reclaim,
 * compaction, allocation stalls, OOM kills, writeback totals). */
bool view_counter_wanted(const char *name);

#endif
