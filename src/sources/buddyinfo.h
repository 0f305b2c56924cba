/* /proc/buddyinfo: free blocks per order, per node and zone.
 *
 *   Node 0, zone   Normal   1497   1089    618 ...
 *
 * The number of orders is taken from each line (MAX_ORDER varies by
 * architecture and configuration). */
#ifndef LOWMEM_BUDDYINFO_H
#define LOWMEM_BUDDYINFO_H

#include <stddef.h>
#include <stdint.h>

#include "zoneinfo.h"

/* An order is a power of two of pages; 64 orders cover any address space,
 * so this bound is one the kernel cannot exceed. */
#define BUDDYINFO_MAX_ORDERS 64

struct buddy_zone {
  unsigned node;
  char name[ZONEINFO_NAME_LEN];
  size_t nr_orders;
  uint64_t nr_free[BUDDYINFO_MAX_ORDERS]; /* free blocks of 2^order pages */
};

struct buddyinfo {
  struct buddy_zone *zones;
  size_t nr, cap;
  unsigned generation; /* bumped when zone names or order counts change */
  unsigned malformed;
};

int buddyinfo_parse(struct buddyinfo *bi, const char *buf, size_t len);
void buddyinfo_free(struct buddyinfo *bi);
const struct buddy_zone *buddyinfo_find(const struct buddyinfo *bi,
                                        unsigned node, const char *name);

#endif
