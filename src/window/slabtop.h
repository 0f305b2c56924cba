/* The slab caches lowmem follows: the SlabTopN largest and the SlabCache
 * ones, out of however many the kernel lists (hundreds, or tens of
 * thousands on kernels that keep a cache per memory cgroup).
 *
 * Each slabinfo read ranks the parsed table by memory held; the caches of
 * the top N, and the named ones, hold a slot of a pool: two series
 * (lowmem-slab/bytes-<cache>, objects-<cache>). A slot keeps its cache for
 * the rest of the window it entered the top in and for the next one, so
 * its worst case covers whole windows; a slot whose cache left the top
 * for a whole window is given, renamed, to the next cache that enters.
 * The series count and their memory follow SlabTopN, never the number of
 * caches. */
#ifndef LOWMEM_SLABTOP_H
#define LOWMEM_SLABTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sources/slabinfo.h"
#include "series.h"

struct slab_slot {
  int bytes, objects;           /* series ids */
  char name[SLABINFO_NAME_LEN]; /* the cache held, as slabinfo prints it */
  size_t cache; /* its index in the table; SIZE_MAX: not listed */
  bool named;   /* a SlabCache: held for good */
  bool held;    /* holds a cache */
  bool top;     /* in the top N at a read of this window */
};

struct slab_top {
  unsigned top_n;
  uint64_t page_size;
  struct slab_slot *slot;
  size_t nr, cap;
  size_t limit; /* most slots: churn within a window is bounded */
  size_t *rank; /* scratch: table indexes of a read's top N */
  size_t rank_cap;
  bool read;           /* slabinfo was read in this window */
  unsigned generation; /* of the table the slots' indexes are for */
  bool resolved;
  /* Caches that entered the top N but found no slot (the pool was full,
   * or a series could not be added): counted for the log. */
  unsigned missed;
  char first_missed[SLABINFO_NAME_LEN];
};

/* The pool of top_n largest caches and the named ones (their series are
 * added at once). Returns 0, or -ENOMEM. */
int slab_top_init(struct slab_top *t, struct series_set *set, unsigned top_n,
                  char *const *named, size_t nr_named, uint64_t page_size);
void slab_top_free(struct slab_top *t);

/* A sample: when fresh (slabinfo was read at this tick), ranks the table
 * and gives the caches entering the top a slot; then feeds every slot
 * from the table (its latest reading), so a slot's series has a value in
 * every window even when slabinfo is read less often. */
void slab_top_add(struct slab_top *t, struct series_set *set,
                  const struct slabinfo *si, bool fresh);

/* Marks chosen the series that leave this window: the named caches and
 * the top_n of the window by the most memory held. */
void slab_top_choose(struct slab_top *t, struct series_set *set);

/* The window ended: slots whose cache was not in the top at any read of
 * it are freed for others (none when slabinfo was not read in it). */
void slab_top_reset(struct slab_top *t);

/* A cache name as a type instance: collectd identifiers and the files its
 * writers make cannot hold '/'. */
void slab_type_instance(char *dst, size_t cap, const char *name);

#endif
