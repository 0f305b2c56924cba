#include "record.h"

#include <stdio.h>
#include <string.h>

#include "../events/zones.h"

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

/* Zone suffixes of per-zone counters (allocstall_normal, 2.6.x-4.x). */
static const char *const zone_suffix[] = {"dma",  "dma32",   "normal",
                                          "high", "movable", "device"};

void record_layout(struct ring_header *h, const struct sample *s,
                   const unsigned *orders, size_t nr_orders) {
  h->nr_zones = 0;
  if (s->ok & (1u << SOURCE_ZONEINFO))
    for (size_t z = 0; z < s->zoneinfo.nr && h->nr_zones < RING_MAX_ZONES;
         z++) {
      const struct zone_info *zone = &s->zoneinfo.zones[z];
      if (zone->present == 0)
        continue;
      zone_label(h->zone_name[h->nr_zones], RING_ZONE_NAME_LEN, zone);
      h->nr_zones++;
    }
  h->nr_orders = (uint32_t)(nr_orders < RING_ORDERS ? nr_orders : RING_ORDERS);
  for (uint32_t o = 0; o < h->nr_orders; o++)
    h->orders[o] = orders[o];
}

void record_builder_init(struct record_builder *b, const struct ring_header *h,
                         enum watermark_check check) {
  memset(b, 0, sizeof(*b));
  b->check = check;
  b->nr_zones = h->nr_zones;
  b->nr_orders = h->nr_orders;
  for (size_t o = 0; o < b->nr_orders; o++)
    b->orders[o] = h->orders[o];
  memcpy(b->zone_name, h->zone_name, sizeof(b->zone_name));
}

static void build_zones(struct record_builder *b, const struct zoneinfo *zi) {
  for (uint32_t r = 0; r < b->nr_zones; r++) {
    b->zone_index[r] = -1;
    for (size_t z = 0; z < zi->nr; z++) {
      char label[ZONE_LABEL_LEN];
      zone_label(label, sizeof(label), &zi->zones[z]);
      if (strcmp(label, b->zone_name[r]) == 0) {
        b->zone_index[r] = (int)z;
        break;
      }
    }
  }
  b->zone_gen = zi->generation;
  b->zones_built = true;
}

/* "allocstall" is "allocstall_" + a zone suffix. */
static bool is_zone_part(const char *name, const char *base) {
  size_t n = strlen(base);
  if (strncmp(name, base, n) != 0 || name[n] != '_')
    return false;
  for (size_t i = 0; i < sizeof(zone_suffix) / sizeof(zone_suffix[0]); i++)
    if (strcmp(name + n + 1, zone_suffix[i]) == 0)
      return true;
  return false;
}

static void build_vm(struct record_builder *b, const struct vmstat *vs) {
  for (int c = 0; c < RING_VM_NR; c++) {
    b->vm_parts[c] = 0;
    long i = vmstat_find(vs, ring_vm_name[c]);
    if (i >= 0) {
      b->vm_item[c][b->vm_parts[c]++] = i;
      continue;
    }
    for (size_t j = 0; j < vs->nr && b->vm_parts[c] < RECORD_VM_PARTS; j++)
      if (is_zone_part(vs->items[j].name, ring_vm_name[c]))
        b->vm_item[c][b->vm_parts[c]++] = (long)j;
  }
  b->vm_gen = vs->generation;
  b->vm_built = true;
}

static void fill_vm(struct record_builder *b, struct ring_record *rec,
                    const struct vmstat *vs) {
  if (!b->vm_built || b->vm_gen != vs->generation)
    build_vm(b, vs);
  for (int c = 0; c < RING_VM_NR; c++) {
    if (b->vm_parts[c] == 0)
      continue;
    uint64_t sum = 0;
    for (size_t p = 0; p < b->vm_parts[c]; p++)
      sum += vs->items[b->vm_item[c][p]].value;
    rec->vm[c] = sum;
    rec->vm_has |= 1u << c;
  }
}

static uint32_t saturate32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void fill_zone(struct record_builder *b, struct ring_zone *rz,
                      const struct sample *s, size_t zi) {
  const struct zone_info *z = &s->zoneinfo.zones[zi];
  const unsigned both =
      ZONE_HAS_NR_SLAB_RECLAIMABLE | ZONE_HAS_NR_SLAB_UNRECLAIMABLE;

  rz->has = RING_ZONE_SEEN;
  rz->free = z->free;
  rz->min = z->min;
  rz->low = z->low;
  rz->high = z->high;
  if ((z->has & both) == both) {
    rz->slab_reclaimable = z->nr_slab_reclaimable;
    rz->slab_unreclaimable = z->nr_slab_unreclaimable;
    rz->has |= RING_ZONE_SLAB;
  }
  if (zi < s->headroom_cap && s->headroom[zi].valid) {
    bool low_ok = true;
    for (size_t o = 0; o < b->nr_orders; o++) {
      rz->headroom_min[o] = s->headroom[zi].pages[o];
      low_ok &= zone_headroom_at(s, b->check, zi, z->low, b->orders[o],
                                 &rz->headroom_low[o]);
    }
    if (low_ok)
      rz->has |= RING_ZONE_HEADROOM;
  }
  if (s->ok & (1u << SOURCE_BUDDYINFO)) {
    const struct buddy_zone *bz =
        buddyinfo_find(&s->buddyinfo, z->node, z->name);
    if (bz != NULL) {
      size_t n =
          bz->nr_orders < RING_BUDDY_ORDERS ? bz->nr_orders : RING_BUDDY_ORDERS;
      for (size_t o = 0; o < n; o++)
        rz->nr_free[o] = saturate32(bz->nr_free[o]);
      rz->nr_buddy_orders = (uint32_t)n;
      rz->has |= RING_ZONE_BUDDY;
    }
  }
}

void record_fill(struct record_builder *b, struct ring_record *rec,
                 const struct sample *s, int64_t time_ns) {
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
    fill_vm(b, rec, &s->vmstat);
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
  if (!(s->ok & (1u << SOURCE_ZONEINFO)))
    return;
  if (!b->zones_built || b->zone_gen != s->zoneinfo.generation)
    build_zones(b, &s->zoneinfo);
  struct ring_zone *zones = ring_record_zones(rec);
  for (uint32_t r = 0; r < b->nr_zones; r++)
    if (b->zone_index[r] >= 0 && (size_t)b->zone_index[r] < s->zoneinfo.nr)
      fill_zone(b, &zones[r], s, (size_t)b->zone_index[r]);
}
