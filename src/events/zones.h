/* What the events say about zones: which zones ordinary kernel allocations
 * can be served from, their headroom at any watermark and order, and the
 * zone in the tightest spot when an allocation failed. */
#ifndef LOWMEM_EVENTS_ZONES_H
#define LOWMEM_EVENTS_ZONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"

#define ZONE_LABEL_LEN 48 /* "node12-Normal" */

/* "node0-Normal": the plugin instance of the zone's values. */
void zone_label(char *buf, size_t cap, const struct zone_info *z);

/* A zone whose watermark plus lowmem_reserve leaves room below its managed
 * pages: the check of a GFP_KERNEL request can pass there at all. DMA on a
 * 64-bit machine keeps its pages for DMA requests (its reserve for Normal
 * requests exceeds its size): its headroom is negative for good and says
 * nothing about the machine. */
bool zone_can_serve(const struct zone_info *z, uint64_t reserve);

/* Headroom in pages of the zone (index zi in s->zoneinfo) for an order-k
 * GFP_KERNEL request against mark (its min or low watermark). False when
 * the sample lacks what it takes (buddyinfo, the reserve). */
bool zone_headroom_at(const struct sample *s, enum watermark_check check,
                      size_t zi, uint64_t mark, unsigned order, int64_t *pages);

/* The zone in the tightest spot for an order-k request. */
struct zone_view {
  size_t index; /* in s->zoneinfo */
  char label[ZONE_LABEL_LEN];
  uint64_t free, min, low, high, reserve; /* pages */
  int64_t headroom;                       /* pages, at min, for order */
  unsigned order;
  bool zone_slab; /* the zone's own slab (kernels before 4.8) */
  uint64_t slab;  /* bytes: the zone's, or the system's Slab */
  bool has_slab;
};

/* Among the zones that can serve GFP_KERNEL requests (all of them when
 * none can), the one with the least headroom for order. False when no
 * zone's headroom can be worked out. */
bool zone_tightest(const struct sample *s, enum watermark_check check,
                   uint64_t page_size, unsigned order, struct zone_view *v);

#endif
