/* What holds a zone's pages: the zone's own counters from zoneinfo, as
 * parts that add up to its managed pages (present before 3.8, which
 * printed no managed count).
 *
 *   free                 nr_free_pages ("pages free")
 *   active_anon ...      the LRU lists: anonymous and file pages, active
 *   inactive_file        and inactive (per zone on every kernel: nr_zone_*
 *                        since 4.8)
 *   unevictable          mlocked and other pages reclaim cannot take
 *                        (nr_mlock is part of it, not a part of its own)
 *   slab_reclaimable,    per zone before 4.13 (the incident's 2.6.39: its
 *   slab_unreclaimable   Normal zone was 92% slab)
 *   kernel_stack         per zone before 5.9: a count of stacks before 4.9,
 *                        KiB after; turned into bytes with meminfo's
 *                        KernelStack (view.c)
 *   page_tables          per zone until about 5.19
 *   bounce, zspages      bounce buffers (gone in 6.x), zsmalloc (zram)
 *   other                the managed pages none of the above counts: on
 *                        every kernel the per-CPU free lists, pages taken
 *                        straight from the buddy allocator (vmalloc,
 *                        drivers, huge page pools, page cache not yet on
 *                        a list), isolated pages; and, where the kernel
 *                        counts them per node only, slab (4.13+), kernel
 *                        stacks (5.9+) and page tables. Before 3.8 the
 *                        base is the present pages: other holds the boot
 *                        reservations too. Never negative: counters read
 *                        a moment apart may add up past the base, and
 *                        other is then 0.
 *
 * A part the kernel does not print for the zone is absent (not 0): its
 * pages are in other. Knows nothing of collectd. */
#ifndef LOWMEM_OCCUPANCY_H
#define LOWMEM_OCCUPANCY_H

#include <stdbool.h>
#include <stdint.h>

#include "../sources/zoneinfo.h"

enum occupancy_part {
  OCC_FREE,
  OCC_ACTIVE_ANON,
  OCC_INACTIVE_ANON,
  OCC_ACTIVE_FILE,
  OCC_INACTIVE_FILE,
  OCC_UNEVICTABLE,
  OCC_SLAB_RECLAIMABLE,
  OCC_SLAB_UNRECLAIMABLE,
  OCC_KERNEL_STACK,
  OCC_PAGE_TABLES,
  OCC_BOUNCE,
  OCC_ZSPAGES,
  OCC_OTHER,
  OCC_NR
};

/* "active_anon", ...: the type instance of each part. */
extern const char *const occupancy_name[OCC_NR];

struct occupancy {
  uint64_t bytes[OCC_NR];
  unsigned has;  /* bit (1u << part) per part the kernel printed */
  uint64_t base; /* managed (else present) pages, in bytes */
};

/* Bytes per unit of the zones' nr_kernel_stack, from meminfo's
 * KernelStack (bytes) over their sum: the size of a stack (THREAD_SIZE)
 * before 4.9, 1024 after; rounded to a power of two from 1 KiB to 64 KiB,
 * since the two files are read a moment apart. 0 when it cannot be told
 * (no per-zone count, or no KernelStack). */
uint64_t occupancy_stack_unit(const struct zoneinfo *zi, uint64_t kernel_stack,
                              bool have_kernel_stack);

/* The parts of zone z; page: bytes per page; stack_unit as above. */
void occupancy_of(const struct zone_info *z, uint64_t page, uint64_t stack_unit,
                  struct occupancy *o);

#endif
