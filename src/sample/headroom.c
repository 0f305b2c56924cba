#include "headroom.h"

#include <string.h>

/* No page count exceeds 2^52 (2^64 bytes in 4 KiB pages). Inputs are
 * clamped to it so that the sums below stay far inside int64_t whatever a
 * malformed file holds. */
#define PAGES_MAX ((int64_t)1 << 52)
#define PAGES_SHIFT_MAX 52

static int64_t pages(uint64_t v) {
  return v > (uint64_t)PAGES_MAX ? PAGES_MAX : (int64_t)v;
}

/* Pages held in nr free blocks of 2^order pages. */
static int64_t block_pages(uint64_t nr, unsigned order) {
  if (nr == 0)
    return 0;
  if (order >= PAGES_SHIFT_MAX || nr > ((uint64_t)PAGES_MAX >> order))
    return PAGES_MAX;
  return (int64_t)(nr << order);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

enum watermark_check watermark_check_for(const struct kernel_version *kv) {
  if (kernel_version_cmp(kv, 4, 4) >= 0)
    return WATERMARK_CHECK_FREE_BLOCK;
  /* 2.6.38 (88f5acf88ae6) to 3.2: "free_pages -= (1 << order) + 1". */
  if ((kernel_version_cmp(kv, 2, 6) == 0 && kv->patch >= 38) ||
      (kv->major == 3 && kv->minor < 3))
    return WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO;
  return WATERMARK_CHECK_LOWER_ORDERS;
}

/* What the kernel takes off free for the request itself: 2^order - 1, the
 * pages beyond the first (2^order + 1 in 2.6.38-3.2). */
static int64_t request_pages(enum watermark_check check, unsigned order) {
  if (order >= PAGES_SHIFT_MAX)
    return PAGES_MAX;
  int64_t n = (int64_t)1 << order;
  return check == WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO ? n + 1 : n - 1;
}

/* Before 4.4: each lower order's free pages cannot serve the request, and
 * the mark halves at each order (mm/page_alloc.c, 2.6.x-4.3):
 *
 *   for (o = 0; o < order; o++) {
 *           free_pages -= z->free_area[o].nr_free << o;
 *           min >>= 1;
 *           if (free_pages <= min)
 *                   return false;
 *   }
 *
 * free_pages there has not had nr_free_cma taken off. */
static int64_t lower_orders_margin(int64_t free_pages, int64_t mark,
                                   const uint64_t *nr_free, size_t nr_orders,
                                   unsigned order) {
  int64_t margin = PAGES_MAX;

  /* Past the last order there is no block left to subtract and the mark
   * (at most 2^52) has halved to 0: further steps change nothing. */
  if (order > BUDDYINFO_MAX_ORDERS)
    order = BUDDYINFO_MAX_ORDERS;
  for (unsigned o = 0; o < order; o++) {
    free_pages -= block_pages(o < nr_orders ? nr_free[o] : 0, o);
    mark >>= 1;
    margin = min64(margin, free_pages - mark);
  }
  return margin;
}

/* 4.4 and later: pages in free blocks of at least that order. */
static int64_t free_block_margin(const uint64_t *nr_free, size_t nr_orders,
                                 unsigned order) {
  int64_t held = 0;

  for (size_t o = order; o < nr_orders; o++)
    held = min64(held + block_pages(nr_free[o], (unsigned)o), PAGES_MAX);
  return held;
}

int64_t headroom_zone_pages(enum watermark_check check,
                            const struct headroom_zone *z, uint64_t mark,
                            unsigned order) {
  int64_t free_pages = pages(z->free) - request_pages(check, order);
  int64_t margin = free_pages - pages(z->free_cma) - pages(z->unusable) -
                   (pages(mark) + pages(z->reserve));
  size_t nr_orders = z->nr_orders;

  if (order == 0)
    return margin;
  if (nr_orders > BUDDYINFO_MAX_ORDERS)
    nr_orders = BUDDYINFO_MAX_ORDERS;
  if (check == WATERMARK_CHECK_LOWER_ORDERS ||
      check == WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO)
    return min64(margin, lower_orders_margin(free_pages, pages(mark),
                                             z->nr_free, nr_orders, order));
  /* FREE_BLOCK, and AUTO left unresolved: the check of current kernels. */
  return min64(margin, free_block_margin(z->nr_free, nr_orders, order));
}

int64_t headroom_pages(enum watermark_check check, uint64_t free,
                       uint64_t free_cma, uint64_t mark, uint64_t reserve,
                       const uint64_t *nr_free, size_t nr_orders,
                       unsigned order) {
  struct headroom_zone z = {
      .free = free,
      .free_cma = free_cma,
      .reserve = reserve,
      .nr_free = nr_free,
      .nr_orders = nr_orders,
  };
  return headroom_zone_pages(check, &z, mark, order);
}

uint64_t headroom_atomic_mark(uint64_t min) {
  uint64_t mark = min - min / 2; /* ALLOC_HIGH, ALLOC_MIN_RESERVE */
  return mark - mark / 4;        /* ALLOC_HARDER, ALLOC_NON_BLOCK */
}

/* Zone types in the kernel's order (enum zone_type); a configuration
 * leaves some out, so this is a rank, not zone_idx. */
enum zone_rank {
  RANK_DMA,
  RANK_DMA32,
  RANK_NORMAL,
  RANK_HIGHMEM,
  RANK_MOVABLE,
  RANK_DEVICE,
};

static int zone_rank(const char *name) {
  static const char *const names[] = {
      [RANK_DMA] = "DMA",         [RANK_DMA32] = "DMA32",
      [RANK_NORMAL] = "Normal",   [RANK_HIGHMEM] = "HighMem",
      [RANK_MOVABLE] = "Movable", [RANK_DEVICE] = "Device",
  };
  _Static_assert(sizeof(names) / sizeof(names[0]) == RANK_DEVICE + 1,
                 "a name per zone rank");

  for (int r = 0; r <= RANK_DEVICE; r++)
    if (strcmp(name, names[r]) == 0)
      return r;
  return -1;
}

/* zone_idx of the highest zone a GFP_KERNEL request may use on this node:
 * Normal's, or when Normal is not printed, one above the highest DMA or
 * DMA32 (lowmem_reserve does not grow across an unpopulated zone, so that
 * entry equals Normal's). -1 when unknown. */
static int node_normal_idx(const struct zoneinfo *zi, unsigned node) {
  int below = -1;

  for (size_t i = 0; i < zi->nr; i++) {
    const struct zone_info *y = &zi->zones[i];
    if (y->node != node)
      continue;
    int rank = zone_rank(y->name);
    if (rank == RANK_NORMAL)
      return y->zone_idx;
    if (rank >= 0 && rank < RANK_NORMAL && y->zone_idx > below)
      below = y->zone_idx;
  }
  return below >= 0 ? below + 1 : -1;
}

int headroom_reserve(const struct zoneinfo *zi, const struct zone_info *z,
                     uint64_t *reserve) {
  int rank = zone_rank(z->name);
  int idx;

  if (rank < 0 || z->zone_idx < 0 || !(z->has & ZONE_HAS_PROTECTION))
    return -1;
  idx = rank > RANK_NORMAL ? z->zone_idx : node_normal_idx(zi, z->node);
  if (idx < 0 || (size_t)idx >= z->nr_protection)
    return -1;
  *reserve = z->protection[idx];
  return 0;
}
