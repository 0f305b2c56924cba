#include "zones.h"

#include <stdio.h>
#include <string.h>

#include "event.h"

void zone_label(char *buf, size_t cap, const struct zone_info *z) {
  snprintf(buf, cap, "node%u-%s", z->node, z->name);
}

bool zone_can_serve(const struct zone_info *z, uint64_t reserve) {
  uint64_t pages = z->has & ZONE_HAS_MANAGED ? z->managed : z->present;
  return pages > event_add_sat(z->min, reserve);
}

bool zone_headroom_at(const struct sample *s, enum watermark_check check,
                      size_t zi, uint64_t mark, unsigned order,
                      int64_t *pages) {
  if (zi >= s->zoneinfo.nr || zi >= s->headroom_cap || !s->headroom[zi].valid ||
      !(s->ok & (1u << SOURCE_BUDDYINFO)))
    return false;
  const struct zone_info *z = &s->zoneinfo.zones[zi];
  const struct buddy_zone *bz = buddyinfo_find(&s->buddyinfo, z->node, z->name);
  if (bz == NULL)
    return false;
  uint64_t cma = z->has & ZONE_HAS_NR_FREE_CMA ? z->nr_free_cma : 0;
  *pages = headroom_pages(check, z->free, cma, mark, s->headroom[zi].reserve,
                          bz->nr_free, bz->nr_orders, order);
  return true;
}

static void fill_view(const struct sample *s, uint64_t page_size, size_t zi,
                      unsigned order, int64_t headroom, struct zone_view *v) {
  const struct zone_info *z = &s->zoneinfo.zones[zi];

  memset(v, 0, sizeof(*v));
  v->index = zi;
  zone_label(v->label, sizeof(v->label), z);
  v->free = z->free;
  v->min = z->min;
  v->low = z->low;
  v->high = z->high;
  v->reserve = s->headroom[zi].reserve;
  v->headroom = headroom;
  v->order = order;
  if ((z->has & ZONE_HAS_NR_SLAB_RECLAIMABLE) &&
      (z->has & ZONE_HAS_NR_SLAB_UNRECLAIMABLE)) {
    v->zone_slab = true;
    v->has_slab = true;
    v->slab = event_upages_bytes(
        event_add_sat(z->nr_slab_reclaimable, z->nr_slab_unreclaimable),
        page_size);
  } else if ((s->ok & (1u << SOURCE_MEMINFO)) &&
             meminfo_has(&s->meminfo, MEMINFO_SLAB)) {
    v->has_slab = true;
    v->slab = s->meminfo.value[MEMINFO_SLAB];
  }
}

bool zone_tightest(const struct sample *s, enum watermark_check check,
                   uint64_t page_size, unsigned order, struct zone_view *v) {
  bool found = false;
  int64_t best = 0;
  size_t best_zi = 0;

  if (!(s->ok & (1u << SOURCE_ZONEINFO)))
    return false;
  /* First the zones GFP_KERNEL lives on; if none qualifies, any zone. */
  for (int pass = 0; pass < 2 && !found; pass++)
    for (size_t zi = 0; zi < s->zoneinfo.nr; zi++) {
      const struct zone_info *z = &s->zoneinfo.zones[zi];
      int64_t h;
      if (z->present == 0 || !zone_headroom_at(s, check, zi, z->min, order, &h))
        continue;
      if (pass == 0 && !zone_can_serve(z, s->headroom[zi].reserve))
        continue;
      if (!found || h < best) {
        best = h;
        best_zi = zi;
        found = true;
      }
    }
  if (found)
    fill_view(s, page_size, best_zi, order, best, v);
  return found;
}
