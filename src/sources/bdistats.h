/* <debugfs>/bdi/<MAJ:MIN>/stats: the writeback state of one backing device
 * (mm/backing-dev.c, bdi_debug_stats_show), "Key: value kB" per line:
 *   BdiWriteback:               40 kB
 *   BdiReclaimable:            536 kB
 *   BdiDirtyThresh:        4878000 kB
 *   DirtyThresh:           4878000 kB
 *   BackgroundThresh:      2436020 kB
 *   BdiDirtied: ... b_dirty: ... state: ...
 * The first five lines have been printed since 2.6.24; the others came
 * and went (BdiWritten, BdiDirtied, BdiWriteBandwidth, b_dirty_time) and
 * are not read. The width of the columns changed in 3.1, so nothing here
 * depends on it. */
#ifndef LOWMEM_BDISTATS_H
#define LOWMEM_BDISTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bdistats_field {
  BDISTATS_WRITEBACK,         /* BdiWriteback: pages under writeback */
  BDISTATS_RECLAIMABLE,       /* BdiReclaimable: dirty (+ NFS unstable) */
  BDISTATS_DIRTY_THRESH,      /* BdiDirtyThresh: this device's share */
  BDISTATS_GLOBAL_THRESH,     /* DirtyThresh: the system's dirty limit */
  BDISTATS_BACKGROUND_THRESH, /* BackgroundThresh: flushers start here */
  BDISTATS_NR
};

/* The kernel's names, without the colon. */
extern const char *const bdistats_kernel_name[BDISTATS_NR];

struct bdistats {
  uint64_t kb[BDISTATS_NR];
  unsigned has; /* bit (1u << field) per line found */
  unsigned malformed;
};

static inline bool bdistats_has(const struct bdistats *bs,
                                enum bdistats_field f) {
  return (bs->has >> f) & 1u;
}

/* Returns 0, or -EINVAL when none of the fields was found. */
int bdistats_parse(struct bdistats *bs, const char *buf, size_t len);

#endif
