/* The <Plugin lowmem> block: keys, defaults and their checks. */
#ifndef LOWMEM_CONFIG_H
#define LOWMEM_CONFIG_H

#include "sample/sampler.h"
#include "window/metrics.h"

struct lowmem_config {
  char *proc_path;
  double sample_interval; /* seconds */
  struct sampler_config sampler;
  struct metrics_config metrics;
};

/* Defaults: ProcPath /proc, SampleInterval 0.1, every source (slabinfo
 * every 5 s, sooner when meminfo's slab moves by SlabinfoChange 1%),
 * Orders 0 1, SlabTopN 10, WatermarkCheck auto. */
int lowmem_config_defaults(struct lowmem_config *c);

/* Applies one key of the block to c: 0 when it is a key of the memory
 * sources and its value is right; -1 when the value is wrong (logged with
 * "lowmem plugin: " and what was expected); 1 when the key is not theirs. */
struct oconfig_item_s;
int lowmem_config_key(struct lowmem_config *c, const struct oconfig_item_s *ci);

void lowmem_config_free(struct lowmem_config *c);

#endif
