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

/* vmstat names summed into one kept counter (the plain name, or its
 * per-zone forms on kernels that print only those). */
#define RECORD_VM_PARTS 8

struct record_builder {
  enum watermark_check check;
  unsigned orders[RING_ORDERS]; /* the ring's headroom orders */
  size_t nr_orders;
  uint32_t nr_zones; /* the ring's */
  char zone_name[RING_MAX_ZONES][RING_ZONE_NAME_LEN];
  int zone_index[RING_MAX_ZONES]; /* into sample.zoneinfo, -1: absent */
  unsigned zone_gen;
  bool zones_built;
  long vm_item[RING_VM_NR][RECORD_VM_PARTS]; /* into sample.vmstat */
  size_t vm_parts[RING_VM_NR];
  unsigned vm_gen;
  bool vm_built;
};

/* The zones a ring keeps: those of the sample that have pages, in file
 * order (RING_MAX_ZONES at most), named "node0-Normal" into h, with the
 * first RING_ORDERS configured orders. */
void record_layout(struct ring_header *h, const struct sample *s,
                   const unsigned *orders, size_t nr_orders);

/* Prepares b for rings of layout h. */
void record_builder_init(struct record_builder *b, const struct ring_header *h,
                         enum watermark_check check);

/* Fills rec (record_size bytes of the ring) from s, taken at time_ns. */
void record_fill(struct record_builder *b, struct ring_record *rec,
                 const struct sample *s, int64_t time_ns);

#endif
