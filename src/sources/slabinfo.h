/* /proc/slabinfo: memory held and objects in use per slab cache.
 *
 * Versions 2.0 and 2.1 (SLAB prints tunables, SLUB prints zeros) share the
 * leading columns:
 *   name active_objs num_objs objsize objperslab pagesperslab
 *     : tunables ... : slabdata active_slabs num_slabs sharedavail
 * Version 1.1 (2.4 kernels) prints
 *   name active_objs num_objs objsize active_slabs num_slabs pagesperslab
 * The version comes from the header line. */
#ifndef LOWMEM_SLABINFO_H
#define LOWMEM_SLABINFO_H

#include <stddef.h>
#include <stdint.h>

/* collectd's DATA_MAX_NAME_LEN: a longer cache name could not be a
 * type instance anyway. */
#define SLABINFO_NAME_LEN 128

struct slab_cache {
  char name[SLABINFO_NAME_LEN];
  uint64_t active_objs, num_objs, objsize;
  uint64_t objperslab, pagesperslab;
  uint64_t active_slabs, num_slabs;
};

struct slabinfo {
  struct slab_cache *caches; /* in file order */
  size_t nr, cap;
  unsigned version_major, version_minor;
  unsigned generation; /* bumped when the list of cache names changes */
  unsigned malformed;
};

/* Returns 0, -EINVAL for a missing or unsupported header, or -ENOMEM. */
int slabinfo_parse(struct slabinfo *si, const char *buf, size_t len);
void slabinfo_free(struct slabinfo *si);

/* Memory held by a cache: num_slabs x pagesperslab x page_size. */
uint64_t slab_cache_bytes(const struct slab_cache *c, uint64_t page_size);

#endif
