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

/* Defaults: ProcPath /proc, SampleInterval 0.1, every source, Orders 0 1,
 * SlabTopN 10, WatermarkCheck auto. */
int lowmem_config_defaults(struct lowmem_config *c);

/* Applies the keys of the block to c. Logs what is wrong with "lowmem
 * plugin: " and returns -1 on the first bad key or value. */
struct oconfig_item_s;
int lowmem_config_parse(struct lowmem_config *c,
                        const struct oconfig_item_s *block);

void lowmem_config_free(struct lowmem_config *c);

#endif
