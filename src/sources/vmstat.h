/* /proc/vmstat: "name value" per line, every counter the kernel prints.
 *
 * Names differ between kernels (pgscan_kswapd_normal on 2.6/3.x,
 * pgscan_kswapd since 4.8; allocstall, then allocstall_<zone>), so the
 * parser keeps them all in file order and leaves the choosing to its
 * caller, which rebuilds its choice only when `generation` changes. */
#ifndef LOWMEM_VMSTAT_H
#define LOWMEM_VMSTAT_H

#include <stddef.h>
#include <stdint.h>

#define VMSTAT_NAME_LEN 64

struct vmstat_item {
  char name[VMSTAT_NAME_LEN];
  uint64_t value;
};

struct vmstat {
  struct vmstat_item *items;
  size_t nr, cap;
  unsigned generation; /* bumped when the list of names changes */
  unsigned malformed;
};

int vmstat_parse(struct vmstat *vs, const char *buf, size_t len);
void vmstat_free(struct vmstat *vs);

/* Index of the counter called name, or -1. */
long vmstat_find(const struct vmstat *vs, const char *name);

#endif
