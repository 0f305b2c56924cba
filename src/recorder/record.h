/* One sample as a ring record: the fixed-size copy of what an incident
 * needs (see ring.h for the fields). Filling one costs a pass over the
 * zones and a few counters, with no allocation once the zone and counter
 * layouts are known. */
#ifndef LOWMEM_RECORD_H
#define LOWMEM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"
#include "ring.h"

struct record_builder {
  size_t nr_orders;  /* the ring's headroom orders: the first configured */
  uint32_t nr_zones; /* the ring's */
  char zone_name[RING_MAX_ZONES][RING_ZONE_NAME_LEN];
  int zone_index[RING_MAX_ZONES]; /* into the view's zones, -1: absent */
  unsigned zone_gen;
  bool zones_built;
  int vm_counter[RING_VM_NR]; /* into the view's counters, -1: absent */
  unsigned vm_gen;
  bool vm_built;
};

/* The zones a ring keeps: those of the view that have pages, in file
 * order (RING_MAX_ZONES at most), by label ("node0-Normal") into h, with
 * the first RING_ORDERS configured orders. */
void record_layout(struct ring_header *h, const struct view *v,
                   const unsigned *orders, size_t nr_orders);

/* Prepares b for rings of layout h. */
void record_builder_init(struct record_builder *b, const struct ring_header *h);

/* Fills rec (record_size bytes of the ring) from sample s and its view v,
 * taken at time_ns. */
void record_fill(struct record_builder *b, struct ring_record *rec,
                 const struct sample *s, const struct view *v,
                 int64_t time_ns);

#endif
