/* /proc/zoneinfo: per node and zone, free pages against the watermarks.
 *
 * Two shapes are read. Kernels from 4.8 print a "per-node stats" block
 * under the first zone of each node (node counters, not the zone's); from
 * about 4.12 they also print zones that have no pages. Kernels 2.6.x-4.7
 * print only populated zones, with their nr_* counters per zone. All values
 * are in pages, as the kernel prints them. */
#ifndef LOWMEM_ZONEINFO_H
#define LOWMEM_ZONEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MAX_NR_ZONES: the kernel's enum zone_type has six members at most (DMA,
 * DMA32, Normal, HighMem, Movable, Device); 8 leaves room. A longer
 * protection list is a malformed zone. */
#define ZONEINFO_MAX_ZONE_TYPES 8
#define ZONEINFO_NAME_LEN 16

/* Which optional fields the kernel printed for a zone. */
enum zone_has {
  ZONE_HAS_MANAGED = 1u << 0,             /* 3.8+ */
  ZONE_HAS_NR_FREE_CMA = 1u << 1,         /* 3.7+, CONFIG_CMA */
  ZONE_HAS_NR_SLAB_RECLAIMABLE = 1u << 2, /* per zone before 4.8 */
  ZONE_HAS_NR_SLAB_UNRECLAIMABLE = 1u << 3,
  ZONE_HAS_PROTECTION = 1u << 4,
  /* The zone's own counters of what holds its pages (its occupancy):
   * LRU lists per zone always (nr_zone_* since 4.8, whose plain names are
   * then node counters), the others while the kernel counted them per
   * zone: kernel stacks before 5.9 (a count of stacks before 4.9, KiB
   * after), page tables before 5.19 or so, bounce until it went. */
  ZONE_HAS_NR_INACTIVE_ANON = 1u << 5,
  ZONE_HAS_NR_ACTIVE_ANON = 1u << 6,
  ZONE_HAS_NR_INACTIVE_FILE = 1u << 7,
  ZONE_HAS_NR_ACTIVE_FILE = 1u << 8,
  ZONE_HAS_NR_UNEVICTABLE = 1u << 9,
  ZONE_HAS_NR_KERNEL_STACK = 1u << 10,
  ZONE_HAS_NR_PAGE_TABLE_PAGES = 1u << 11,
  ZONE_HAS_NR_MLOCK = 1u << 12,
  ZONE_HAS_NR_BOUNCE = 1u << 13,
  ZONE_HAS_NR_ZSPAGES = 1u << 14,
};

struct zone_info {
  unsigned node;
  char name[ZONEINFO_NAME_LEN]; /* "DMA", "DMA32", "Normal", "HighMem", ... */
  unsigned has;                 /* enum zone_has bits */
  uint64_t free;                /* "pages free" */
  uint64_t min, low, high;      /* watermarks, boost included */
  uint64_t spanned, present, managed;
  uint64_t nr_free_cma;
  uint64_t nr_slab_reclaimable, nr_slab_unreclaimable;
  uint64_t nr_inactive_anon, nr_active_anon, nr_inactive_file, nr_active_file;
  uint64_t nr_unevictable, nr_mlock; /* mlocked pages are unevictable too */
  uint64_t nr_kernel_stack;          /* stacks before 4.9, KiB from 4.9 */
  uint64_t nr_page_table_pages, nr_bounce, nr_zspages;
  /* lowmem_reserve[], one per zone type index of the node */
  uint64_t protection[ZONEINFO_MAX_ZONE_TYPES];
  size_t nr_protection;
  /* The zone's index in the kernel's zone types (zone_idx), worked out by
   * zoneinfo_parse from the printed zones and protection lists; -1 when it
   * cannot be known. */
  int zone_idx;
};

struct zoneinfo {
  struct zone_info *zones; /* in file order */
  size_t nr, cap;
  /* Bumped whenever the list of (node, zone) names changes, so a caller can
   * keep per-zone state by index and rebuild it only then. */
  unsigned generation;
  /* Lines that could not be read in the last parse. */
  unsigned malformed;
};

/* Parses len bytes of /proc/zoneinfo text into zi, reusing its storage.
 * Returns 0, -EINVAL when no zone could be read, or -ENOMEM. */
int zoneinfo_parse(struct zoneinfo *zi, const char *buf, size_t len);

void zoneinfo_free(struct zoneinfo *zi);

/* Reads the "Node N, zone NAME" that starts a zoneinfo and a buddyinfo
 * line, up to end. Fails on a name longer than ZONEINFO_NAME_LEN - 1. */
bool zoneinfo_parse_zone_header(const char **p, const char *end, unsigned *node,
                                char name[ZONEINFO_NAME_LEN]);

/* The zone of node `node` named `name`, or NULL. */
const struct zone_info *zoneinfo_find(const struct zoneinfo *zi, unsigned node,
                                      const char *name);

#endif
