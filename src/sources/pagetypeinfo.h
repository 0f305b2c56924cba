/* /proc/pagetypeinfo: free blocks per order and migrate type, and the
 * pageblocks of each type, per node and zone (2.6.24+; root-only since
 * 5.4, "mm, vmstat: hide /proc/pagetypeinfo from normal users").
 *
 *   Page block order: 9
 *   Pages per block:  512
 *
 *   Free pages count per migrate type at order       0      1 ...     10
 *   Node    0, zone   Normal, type    Unmovable   2512   1404 ...      1
 *   Node    0, zone   Normal, type   HighAtomic      0      0 ...      0
 *
 *   Number of blocks type     Unmovable      Movable  Reclaimable ...
 *   Node 0, zone   Normal          102         1879          131 ...
 *
 * (mm/vmstat.c: "Node %4d, zone %8s, type %12s " then "%6lu " per order;
 * since 5.4 a count is cut at 100000 and printed ">100000", commit
 * 93b3a674485f, "mm,vmstat: reduce zone->lock holding time by
 * /proc/pagetypeinfo"). The migrate types and their order differ between
 * kernels (2.6.24-4.3: Unmovable, Reclaimable, Movable, Reserve, Isolate;
 * 4.4+: Unmovable, Movable, Reclaimable, HighAtomic, [CMA,] Isolate), so
 * they are taken by name from the data. A "Number of mixed blocks" table
 * (CONFIG_PAGE_OWNER) is skipped. */
#ifndef LOWMEM_PAGETYPEINFO_H
#define LOWMEM_PAGETYPEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddyinfo.h"
#include "zoneinfo.h"

/* MIGRATE_TYPES is 6 at most in mainline (with CMA and memory
 * isolation); 8 leaves room for a type a kernel adds. */
#define PAGETYPEINFO_MAX_TYPES 8
#define PAGETYPEINFO_TYPE_LEN 16

/* The migrate types the headroom model tells apart, by name. */
enum pagetype_kind {
  PAGETYPE_UNMOVABLE,
  PAGETYPE_MOVABLE,
  PAGETYPE_RECLAIMABLE,
  PAGETYPE_HIGHATOMIC, /* 4.4+: the high-order atomic reserve */
  PAGETYPE_RESERVE,    /* before 4.4: MIGRATE_RESERVE */
  PAGETYPE_CMA,
  PAGETYPE_ISOLATE,
  PAGETYPE_OTHER,
};

struct pagetype_zone {
  unsigned node;
  char name[ZONEINFO_NAME_LEN];
  /* Free blocks of 2^order pages on each type's lists, per type index of
   * struct pagetypeinfo. A count the kernel printed as ">100000" is
   * 100000 here, with its bit set in capped[type]. */
  uint64_t nr_free[PAGETYPEINFO_MAX_TYPES][BUDDYINFO_MAX_ORDERS];
  uint64_t capped[PAGETYPEINFO_MAX_TYPES]; /* bit per order */
  uint32_t has_type;                       /* bit per type: a free line */
  /* Pageblocks of each type, from the "Number of blocks" table. */
  uint64_t nr_blocks[PAGETYPEINFO_MAX_TYPES];
  bool has_blocks;
};

struct pagetypeinfo {
  unsigned pageblock_order; /* "Page block order" */
  uint64_t pages_per_block; /* "Pages per block" */
  bool has_pageblock;
  size_t nr_orders; /* columns of the free table's header */
  char type_name[PAGETYPEINFO_MAX_TYPES][PAGETYPEINFO_TYPE_LEN];
  enum pagetype_kind type_kind[PAGETYPEINFO_MAX_TYPES];
  size_t nr_types; /* in order of first appearance */
  struct pagetype_zone *zones;
  size_t nr, cap;
  unsigned generation; /* bumped when zones, types or orders change */
  unsigned malformed;  /* lines skipped in the last parse */
};

/* Parses len bytes of /proc/pagetypeinfo into pt, reusing its storage.
 * Returns 0, -EINVAL when no zone's free counts could be read, or
 * -ENOMEM. */
int pagetypeinfo_parse(struct pagetypeinfo *pt, const char *buf, size_t len);

void pagetypeinfo_free(struct pagetypeinfo *pt);

const struct pagetype_zone *pagetypeinfo_find(const struct pagetypeinfo *pt,
                                              unsigned node, const char *name);

/* The type index of kind in pt, or -1 when the kernel printed none. */
int pagetypeinfo_type(const struct pagetypeinfo *pt, enum pagetype_kind kind);

#endif
