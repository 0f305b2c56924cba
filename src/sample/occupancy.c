#include "occupancy.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

const char *const occupancy_name[OCC_NR] = {
    [OCC_FREE] = "free",
    [OCC_ACTIVE_ANON] = "active_anon",
    [OCC_INACTIVE_ANON] = "inactive_anon",
    [OCC_ACTIVE_FILE] = "active_file",
    [OCC_INACTIVE_FILE] = "inactive_file",
    [OCC_UNEVICTABLE] = "unevictable",
    [OCC_SLAB_RECLAIMABLE] = "slab_reclaimable",
    [OCC_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
    [OCC_KERNEL_STACK] = "kernel_stack",
    [OCC_PAGE_TABLES] = "page_tables",
    [OCC_BOUNCE] = "bounce",
    [OCC_ZSPAGES] = "zspages",
    [OCC_OTHER] = "other",
};

uint64_t occupancy_stack_unit(const struct zoneinfo *zi, uint64_t kernel_stack,
                              bool have_kernel_stack) {
  uint64_t units = 0;

  for (size_t i = 0; i < zi->nr; i++)
    if (zi->zones[i].has & ZONE_HAS_NR_KERNEL_STACK)
      units += zi->zones[i].nr_kernel_stack;
  if (!have_kernel_stack || units == 0)
    return 0;
  double ratio = (double)kernel_stack / (double)units;
  uint64_t unit = 1024;
  /* The power of two nearest the ratio (geometrically). */
  while (unit < 65536 && ratio > (double)unit * 1.4142135623730951)
    unit *= 2;
  return unit;
}

/* Pages times page size, saturating: the numbers come from a text file. */
static uint64_t bytes(uint64_t pages, uint64_t unit) {
  uint64_t b;
  return __builtin_mul_overflow(pages, unit, &b) ? UINT64_MAX : b;
}

static void part(struct occupancy *o, enum occupancy_part p, uint64_t b) {
  o->bytes[p] = b;
  o->has |= 1u << p;
}

void occupancy_of(const struct zone_info *z, uint64_t page, uint64_t stack_unit,
                  struct occupancy *o) {
  static const struct {
    enum occupancy_part part;
    unsigned has;
    size_t offset;
  } counted[] = {
      {OCC_ACTIVE_ANON, ZONE_HAS_NR_ACTIVE_ANON,
       offsetof(struct zone_info, nr_active_anon)},
      {OCC_INACTIVE_ANON, ZONE_HAS_NR_INACTIVE_ANON,
       offsetof(struct zone_info, nr_inactive_anon)},
      {OCC_ACTIVE_FILE, ZONE_HAS_NR_ACTIVE_FILE,
       offsetof(struct zone_info, nr_active_file)},
      {OCC_INACTIVE_FILE, ZONE_HAS_NR_INACTIVE_FILE,
       offsetof(struct zone_info, nr_inactive_file)},
      {OCC_UNEVICTABLE, ZONE_HAS_NR_UNEVICTABLE,
       offsetof(struct zone_info, nr_unevictable)},
      {OCC_SLAB_RECLAIMABLE, ZONE_HAS_NR_SLAB_RECLAIMABLE,
       offsetof(struct zone_info, nr_slab_reclaimable)},
      {OCC_SLAB_UNRECLAIMABLE, ZONE_HAS_NR_SLAB_UNRECLAIMABLE,
       offsetof(struct zone_info, nr_slab_unreclaimable)},
      {OCC_PAGE_TABLES, ZONE_HAS_NR_PAGE_TABLE_PAGES,
       offsetof(struct zone_info, nr_page_table_pages)},
      {OCC_BOUNCE, ZONE_HAS_NR_BOUNCE, offsetof(struct zone_info, nr_bounce)},
      {OCC_ZSPAGES, ZONE_HAS_NR_ZSPAGES,
       offsetof(struct zone_info, nr_zspages)},
  };
  uint64_t sum;

  memset(o, 0, sizeof(*o));
  o->base = bytes(z->has & ZONE_HAS_MANAGED ? z->managed : z->present, page);
  part(o, OCC_FREE, bytes(z->free, page));
  for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
    if (z->has & counted[i].has) {
      uint64_t pages;
      memcpy(&pages, (const char *)z + counted[i].offset, sizeof(pages));
      part(o, counted[i].part, bytes(pages, page));
    }
  if ((z->has & ZONE_HAS_NR_KERNEL_STACK) && stack_unit > 0)
    part(o, OCC_KERNEL_STACK, bytes(z->nr_kernel_stack, stack_unit));

  sum = 0;
  for (int p = 0; p < OCC_OTHER; p++)
    if (__builtin_add_overflow(sum, o->bytes[p], &sum))
      sum = UINT64_MAX;
  part(o, OCC_OTHER, o->base > sum ? o->base - sum : 0);
}
