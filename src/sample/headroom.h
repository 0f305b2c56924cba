/* Allocation headroom: how far a zone is above the kernel's own watermark
 * check for a request of 2^order pages, in pages. At or below zero the
 * kernel refuses the request in that zone (and goes to the next zone, to
 * reclaim, or to the OOM killer).
 *
 * The check is __zone_watermark_ok() of mm/page_alloc.c, for a request
 * without ALLOC_HIGH/ALLOC_HARDER/ALLOC_CMA (GFP_KERNEL, as in fork):
 *
 *   free' = free - (2^order - 1)
 *   margin0 = free' - nr_free_cma - (mark + lowmem_reserve[highest zone])
 *
 * then, for order > 0, one of two algorithms:
 *   - before 4.4 ("lower orders"): for o in 0..order-1, subtract from free'
 *     the free pages held in blocks of order o and halve the mark; each step
 *     is a check of its own (free' - mark > 0, no reserve). nr_free_cma is
 *     deducted in the first check only (kernels with CMA before 4.4);
 *   - 4.4 and later ("free block", commit 97a16fc82a7c; 4.3 still has the
 *     loop): one free block of at least that order must exist. Its margin
 *     is taken as the pages held in such blocks (0 when there is none).
 * The headroom is the smallest of the margins.
 *
 * 2.6.38 to 3.2 subtract 2^order + 1, not 2^order - 1 (88f5acf88ae6 made
 * the off-by-two, "mm: fix off-by-two in __zone_watermark_ok()" undid it
 * in 3.3): two pages less headroom, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO.
 *
 * What buddyinfo alone does not show, and /proc/pagetypeinfo does (the
 * view, view.h, brings it in where it can be read): from 4.4 (commit
 * 0aaa29a56e4f) an ordinary request also deducts the high-order atomic
 * reserve (nr_reserved_highatomic; from 6.12, "mm/page_alloc: keep track
 * of free highatomic", only the free part of it), and its free-block test
 * counts only blocks on the unmovable, movable and reclaimable lists
 * (MIGRATE_PCPTYPES), where buddyinfo counts every migrate type.
 *
 * Atomic requests (GFP_ATOMIC: __GFP_HIGH, no sleeping) are held to a
 * lower mark: min less half (ALLOC_HIGH; ALLOC_MIN_RESERVE from 6.3), less
 * a quarter of what is left (ALLOC_HARDER; ALLOC_NON_BLOCK from 6.3), the
 * same on every kernel; they may use the high-order atomic reserve and its
 * free lists, and deduct nothing for it. */
#ifndef LOWMEM_HEADROOM_H
#define LOWMEM_HEADROOM_H

#include <stddef.h>
#include <stdint.h>

#include "../sources/buddyinfo.h"
#include "../sources/osrelease.h"
#include "../sources/zoneinfo.h"

enum watermark_check {
  WATERMARK_CHECK_AUTO,                    /* from the kernel version */
  WATERMARK_CHECK_LOWER_ORDERS,            /* before 2.6.38, 3.3 to 4.3 */
  WATERMARK_CHECK_FREE_BLOCK,              /* 4.4 and later */
  WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO, /* 2.6.38 to 3.2 */
};

/* The algorithm a kernel of this version uses. */
enum watermark_check watermark_check_for(const struct kernel_version *kv);

/* The margin in pages (may be negative) of the check for 2^order pages from
 * a zone with `free` free pages of which `free_cma` are CMA, at `mark`, with
 * `reserve` = lowmem_reserve for the request's highest zone, and nr_free[o]
 * free blocks of order o (nr_orders of them). */
int64_t headroom_pages(enum watermark_check check, uint64_t free,
                       uint64_t free_cma, uint64_t mark, uint64_t reserve,
                       const uint64_t *nr_free, size_t nr_orders,
                       unsigned order);

/* A zone as the watermark check sees it for one kind of request. */
struct headroom_zone {
  uint64_t free;     /* "pages free" */
  uint64_t free_cma; /* of those, CMA pages (no request lowmem models may
                        use them) */
  uint64_t reserve;  /* lowmem_reserve for the request's highest zone */
  uint64_t unusable; /* more pages the request may not count as free: the
                        high-order atomic reserve, for ordinary requests */
  const uint64_t *nr_free; /* free blocks per order the request may take */
  size_t nr_orders;
};

/* The margin in pages (may be negative) of the check for 2^order pages at
 * mark. */
int64_t headroom_zone_pages(enum watermark_check check,
                            const struct headroom_zone *z, uint64_t mark,
                            unsigned order);

/* The mark a GFP_ATOMIC request is held to, for a zone's min watermark:
 * min - min/2, then less a quarter of that (integer steps, as the kernel
 * does them). */
uint64_t headroom_atomic_mark(uint64_t min);

/* lowmem_reserve of zone z for a GFP_KERNEL-class request: the protection
 * entry at the index of the node's Normal zone for zones at or below
 * Normal (when the node printed no Normal, the index just above its highest
 * DMA or DMA32 zone: the reserve is flat across unpopulated zones), at the
 * zone's own index for zones above it. Returns 0 and sets *reserve, or -1
 * when the index cannot be known. */
int headroom_reserve(const struct zoneinfo *zi, const struct zone_info *z,
                     uint64_t *reserve);

#endif
