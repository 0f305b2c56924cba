#include "record.h"

#include <stdio.h>
#include <string.h>

static const enum meminfo_field mem_field[RING_MEM_NR] = {
    [RING_MEM_TOTAL] = MEMINFO_MEM_TOTAL,
    [RING_MEM_FREE] = MEMINFO_MEM_FREE,
    [RING_MEM_AVAILABLE] = MEMINFO_MEM_AVAILABLE,
    [RING_LOW_TOTAL] = MEMINFO_LOW_TOTAL,
    [RING_LOW_FREE] = MEMINFO_LOW_FREE,
    [RING_HIGH_FREE] = MEMINFO_HIGH_FREE,
    [RING_SRECLAIMABLE] = MEMINFO_SRECLAIMABLE,
    [RING_SUNRECLAIM] = MEMINFO_SUNRECLAIM,
    [RING_DIRTY] = MEMINFO_DIRTY,
    [RING_WRITEBACK] = MEMINFO_WRITEBACK,
};

void record_layout(struct ring_header *h, const struct view *v,
                   const unsigned *orders, size_t nr_orders) {
  h->nr_zones = 0;
  for (size_t z = 0; z < v->nr && h->nr_zones < RING_MAX_ZONES; z++) {
    if (!v->zones[z].populated)
      continue;
    /* A label longer than the ring's field (no kernel's is) is cut. */
    snprintf(h->zone_name[h->nr_zones], RING_ZONE_NAME_LEN, "%.*s",
             RING_ZONE_NAME_LEN - 1, v->zones[z].label);
    h->nr_zones++;
  }
  h->nr_orders = (uint32_t)(nr_orders < RING_ORDERS ? nr_orders : RING_ORDERS);
  for (uint32_t o = 0; o < h->nr_orders; o++)
    h->orders[o] = orders[o];
}

void record_builder_init(struct record_builder *b,
                         const struct ring_header *h) {
  memset(b, 0, sizeof(*b));
  b->nr_zones = h->nr_zones;
  b->nr_orders = h->nr_orders;
  memcpy(b->zone_name, h->zone_name, sizeof(b->zone_name));
}

/* The ring's zones in the view, by label: redone when the view's zones
 * change. */
static void build_zones(struct record_builder *b, const struct view *v) {
  for (uint32_t r = 0; r < b->nr_zones; r++) {
    b->zone_index[r] = -1;
    for (size_t z = 0; z < v->nr; z++)
      if (strncmp(v->zones[z].label, b->zone_name[r], RING_ZONE_NAME_LEN) ==
          0) {
        b->zone_index[r] = (int)z;
        break;
      }
  }
  b->zone_gen = v->zone_generation;
  b->zones_built = true;
}

/* The kept counters in the view (which already sums per-zone ones). */
static void fill_vm(struct record_builder *b, struct ring_record *rec,
                    const struct view *v) {
  if (!b->vm_built || b->vm_gen != v->vm_generation) {
    for (int c = 0; c < RING_VM_NR; c++)
      b->vm_counter[c] = view_counter(v, ring_vm_name[c]);
    b->vm_gen = v->vm_generation;
    b->vm_built = true;
  }
  for (int c = 0; c < RING_VM_NR; c++) {
    int i = b->vm_counter[c];
    if (i < 0 || (size_t)i >= v->nr_vm)
      continue;
    rec->vm[c] = v->vm[i].value;
    rec->vm_has |= 1u << c;
  }
}

static uint32_t saturate32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void fill_zone(const struct record_builder *b, struct ring_zone *rz,
                      const struct zone_view *z) {
  const struct zone_info *info = z->info;

  rz->has = RING_ZONE_SEEN;
  rz->free = info->free;
  rz->min = info->min;
  rz->low = info->low;
  rz->high = info->high;
  if (z->has_slab) {
    rz->slab_reclaimable = info->nr_slab_reclaimable;
    rz->slab_unreclaimable = info->nr_slab_unreclaimable;
    rz->has |= RING_ZONE_SLAB;
  }
  if (z->has_headroom) {
    for (size_t o = 0; o < b->nr_orders; o++) {
      rz->headroom_min[o] = z->headroom_min[o];
      rz->headroom_low[o] = z->headroom_low[o];
    }
    rz->has |= RING_ZONE_HEADROOM;
  }
  if (z->buddy != NULL) {
    size_t n = z->buddy->nr_orders < RING_BUDDY_ORDERS ? z->buddy->nr_orders
                                                        : RING_BUDDY_ORDERS;
    for (size_t o = 0; o < n; o++)
      rz->nr_free[o] = saturate32(z->buddy->nr_free[o]);
    rz->nr_buddy_orders = (uint32_t)n;
    rz->has |= RING_ZONE_BUDDY;
  }
}

void record_fill(struct record_builder *b, struct ring_record *rec,
                 const struct sample *s, const struct view *v,
                 int64_t time_ns) {
  memset(rec, 0, ring_record_size(b->nr_zones));
  rec->time_ns = time_ns;
  rec->nr_zones = b->nr_zones;

  if (s->ok & (1u << SOURCE_MEMINFO))
    for (int f = 0; f < RING_MEM_NR; f++)
      if (meminfo_has(&s->meminfo, mem_field[f])) {
        rec->mem[f] = s->meminfo.value[mem_field[f]];
        rec->mem_has |= 1u << f;
      }
  if (s->ok & (1u << SOURCE_VMSTAT))
    fill_vm(b, rec, v);
  if (s->ok & (1u << SOURCE_PRESSURE)) {
    if (s->pressure.some.present) {
      rec->psi_has |= RING_PSI_SOME;
      rec->psi_some_total_us = s->pressure.some.total;
      rec->psi_some_avg10 = s->pressure.some.avg10;
    }
    if (s->pressure.full.present) {
      rec->psi_has |= RING_PSI_FULL;
      rec->psi_full_total_us = s->pressure.full.total;
      rec->psi_full_avg10 = s->pressure.full.avg10;
    }
  }
  if (v->nr == 0)
    return;
  if (!b->zones_built || b->zone_gen != v->zone_generation)
    build_zones(b, v);
  struct ring_zone *zones = ring_record_zones(rec);
  for (uint32_t r = 0; r < b->nr_zones; r++)
    if (b->zone_index[r] >= 0 && (size_t)b->zone_index[r] < v->nr)
      fill_zone(b, &zones[r], &v->zones[b->zone_index[r]]);
}
